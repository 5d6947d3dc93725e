#!/bin/sh
# What the mirror serves now for every toolchain the Dockerfile pins by
# upstream version: one `package=version` line each (the revision a build
# would install today), or a `# package: wanted ..., the mirror has ...` line
# where the upstream version is gone. Run inside the base image, with the
# repository mounted (docs/docker.md):
#   docker run --rm -v "$PWD:/src:ro" polybench-base:trixie sh /src/docker/apt-candidates.sh
# The output is also the format of docker/strict-pins.txt (strict mode).
set -eu
here=$(dirname "$0")
dockerfile="$here/../Dockerfile"
# The quoted "package=${ARG}..." specs of both stages, with the ARG defaults filled in.
specs=$(grep -o '"[a-z0-9.+${}A-Z_-]*=${[A-Z_]*}[^"]*"' "$dockerfile" | tr -d '"' | sort -u)
for arg in $(sed -n 's/^ARG \([A-Z_]*_VERSION\)=\([0-9.]*\)$/\1=\2/p' "$dockerfile"); do
    specs=$(printf '%s\n' "$specs" | sed "s/\${${arg%%=*}}/${arg#*=}/g")
done
# shellcheck disable=SC2086  # one word per spec
exec sh "$here/apt-install.sh" --print $specs
