#!/bin/sh
# Print the Dockerfile's *_DEB pins as they would be today: the candidate
# version of one package per pinned Debian source package, as ARG lines to
# paste into the Dockerfile. Run inside the base image (docs/docker.md):
#   docker run --rm -v "$PWD/docker:/d:ro" polybench-base:trixie sh /d/apt-candidates.sh
set -eu
apt-get update -qq >/dev/null
while read -r arg package; do
    version=$(apt-cache policy "$package" | sed -n 's/^  Candidate: //p')
    echo "ARG $arg=$version"
done <<'PINS'
PYTHON3_DEB python3
PYTHON313_DEB python3.13
PIP_WHL_DEB python3-pip-whl
SETUPTOOLS_WHL_DEB python3-setuptools-whl
GLIBC_DEB libc6
CURL_DEB curl
GOLANG_GO_DEB golang-go
GOLANG_124_DEB golang-1.24-go
RUST_DEB rustc
GCC_DEB gcc
GCC14_DEB gcc-14
CA_CERTIFICATES_DEB ca-certificates
HYPERFINE_DEB hyperfine
PINS
