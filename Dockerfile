# polybench in one pinned image: `docker run --rm polybench` runs the default
# profile and prints the markdown report (docs/docker.md).
#
#   docker build -t polybench .                 # any machine with registry access
#   invoke docker [--local-base]                # the same, plus provenance and clean-up;
#                                               # --local-base: no image registry needed
#
# Works with BuildKit and with the legacy builder (DOCKER_BUILDKIT=0). Few
# steps on purpose (see below).

# debian:trixie-slim, pinned by digest: the multi-arch index digest that
# `docker buildx imagetools inspect docker.io/library/debian:trixie-slim`
# printed on 2025-08-13, as quoted in moby/moby pull request #50727 (Docker's
# maintainers pinning their own test image to it). Override to build on a
# local base:
#   --build-arg BASE_IMAGE=polybench-base:trixie   (invoke docker --local-base)
ARG BASE_IMAGE=debian:trixie-slim@sha256:c85a2732e97694ea77237c61304b3bb410e0e961dd6ee945997a06c788c545bb

# Debian package versions, pinned (trixie, trixie-updates, trixie-security as of
# 2026-11-21; docker/apt-candidates.sh prints the current ones). One ARG per
# Debian source package; both stages install the same Python, glibc and curl.
ARG PYTHON3_DEB=3.13.5-1
ARG PYTHON313_DEB=3.13.5-2+deb13u5
ARG PIP_WHL_DEB=25.1.1+dfsg-1
ARG SETUPTOOLS_WHL_DEB=78.1.1-0.1
ARG GLIBC_DEB=2.41-12+deb13u4
ARG CURL_DEB=8.14.1-2+deb13u7
ARG GOLANG_GO_DEB=2:1.24~2
ARG GOLANG_124_DEB=1.24.4-1
ARG RUST_DEB=1.85.1+dfsg1-1+deb13u1
ARG GCC_DEB=4:14.2.0-1
ARG GCC14_DEB=14.2.0-19
ARG CA_CERTIFICATES_DEB=20250419+deb13u1
ARG HYPERFINE_DEB=1.19.0-1+b3

# Why the steps are ordered as they are: the storage driver here (vfs) copies
# the whole file system for every step's container and again for its layer,
# about 10 s per gigabyte, so the expensive steps are few and come last; the
# cheap metadata steps run while the image is still the bare base. The
# toolchains are installed in the same step that uses them: a cold build (CI,
# a new machine) is then one big step instead of several copies of 2 GB.

# ---------------------------------------------------------------------------
# Build stage: the toolchains, the venv and every client, staged in /stage.
FROM ${BASE_IMAGE} AS build
LABEL org.polybench.image="build-stage"
ARG BASE_IMAGE PYTHON3_DEB PYTHON313_DEB PIP_WHL_DEB SETUPTOOLS_WHL_DEB GLIBC_DEB CURL_DEB GOLANG_GO_DEB \
    GOLANG_124_DEB RUST_DEB GCC_DEB GCC14_DEB CA_CERTIFICATES_DEB POLYBENCH_GIT_COMMIT="" POLYBENCH_GIT_DIRTY=""
# The context (see .dockerignore), including docker/deps/: the wheels and
# crates `invoke docker --local-base` vendored, or just its README.
COPY . /app
# gcc and libc6-dev: `orchestrator build` compiles the C launcher, and rustc
# links with cc. ca-certificates: cargo fetching from crates.io when no
# vendored crates are given.
RUN apt-get -qq update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -qq -y --no-install-recommends \
      python3=${PYTHON3_DEB} python3-venv=${PYTHON3_DEB} \
      python3.13=${PYTHON313_DEB} python3.13-venv=${PYTHON313_DEB} \
      python3-pip-whl=${PIP_WHL_DEB} python3-setuptools-whl=${SETUPTOOLS_WHL_DEB} \
      libc6=${GLIBC_DEB} libc6-dev=${GLIBC_DEB} \
      curl=${CURL_DEB} libcurl4t64=${CURL_DEB} \
      golang-go=${GOLANG_GO_DEB} golang-1.24-go=${GOLANG_124_DEB} \
      rustc=${RUST_DEB} cargo=${RUST_DEB} \
      gcc=${GCC_DEB} gcc-14=${GCC14_DEB} \
      ca-certificates=${CA_CERTIFICATES_DEB} \
 && rm -rf /var/lib/apt/lists/* \
 && sh /app/docker/build-stage.sh

# ---------------------------------------------------------------------------
# Final stage: only what runs: python3, the venv, the built clients, curl.
FROM ${BASE_IMAGE}
LABEL org.polybench.image="polybench" \
      org.opencontainers.image.title="polybench" \
      org.opencontainers.image.description="Python vs Go vs Rust HTTP clients, verified"
ARG PYTHON3_DEB PYTHON313_DEB GLIBC_DEB CURL_DEB HYPERFINE_DEB POLYBENCH_GIT_COMMIT=""
# The image has no .git: environment.git() reads the commit from here.
ENV POLYBENCH_GIT_COMMIT=${POLYBENCH_GIT_COMMIT} \
    PATH=/app/.venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    MPLCONFIGDIR=/tmp/matplotlib
WORKDIR /app
ENTRYPOINT ["/app/.venv/bin/python", "/app/docker/entrypoint.py"]
# /app (the venv at the same path as in the build stage: venvs are not
# relocatable) and /etc/polybench-image (the image's provenance), in one layer.
COPY --from=build /stage/ /
# hyperfine: to cross-check polybench's timer (docs/accuracy.md), 2 MB.
# The system PATH here: Debian's package scripts must not find the venv's python3.
RUN export PATH=/usr/sbin:/usr/bin:/sbin:/bin \
 && apt-get -qq update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -qq -y --no-install-recommends \
      python3=${PYTHON3_DEB} python3.13=${PYTHON313_DEB} \
      libc6=${GLIBC_DEB} \
      curl=${CURL_DEB} libcurl4t64=${CURL_DEB} \
      hyperfine=${HYPERFINE_DEB} \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --user-group --create-home --home-dir /home/polybench --shell /bin/bash polybench
USER polybench
