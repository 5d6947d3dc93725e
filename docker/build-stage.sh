#!/bin/sh
# The Dockerfile's build stage, run in /app (the build context) after
# docker/apt-install.sh: the venv, every client (`python -m orchestrator
# build`), the image manifest, then /stage for the final image.
#
# Python: every pip call in this stage, including the ones `orchestrator build`
# makes for the clients' own venvs, installs from one folder of wheels and never
# from an index: the Dockerfile sets PIP_NO_INDEX=1 and PIP_FIND_LINKS to
# docker/deps/wheels. `invoke docker --local-base` vendors that folder on the
# host (nothing inside the build needs the network); when it is absent (a plain
# `docker build` on a machine that reaches PyPI) it is downloaded here first.
# Either way pip checks requirements.lock's hashes, and cargo checks Cargo.lock.
set -eu
cd /app
deps=/app/docker/deps
wheels=${PIP_FIND_LINKS:?the Dockerfile sets PIP_FIND_LINKS}

# The venv at its final path (a venv is not relocatable).
python3 -m venv /app/.venv
if [ -d "$wheels" ]; then
    echo "build-stage: Python wheels from $wheels (vendored on the host)"
else
    echo "build-stage: downloading the wheels in requirements.lock into $wheels"
    env -u PIP_NO_INDEX -u PIP_FIND_LINKS /app/.venv/bin/pip download --quiet \
        --require-hashes --only-binary=:all: --dest "$wheels" --requirement requirements.lock
    # The bundlers' own locks (Nuitka is an sdist only, so not --only-binary;
    # every package is pinned there, so --no-deps).
    for lock in clients/python/bundlers/*.txt; do
        env -u PIP_NO_INDEX -u PIP_FIND_LINKS /app/.venv/bin/pip download --quiet \
            --require-hashes --no-deps --dest "$wheels" --requirement "$lock"
    done
fi
/app/.venv/bin/pip install --quiet --require-hashes --only-binary=:all: --requirement requirements.lock

# Rust: vendored crates replace crates.io when present; the build itself runs
# `cargo build --release --locked` (polybench.yaml).
export CARGO_HOME=/root/.cargo
if [ -d "$deps/cargo-vendor" ]; then
    echo "build-stage: Rust crates from docker/deps/cargo-vendor (offline)"
    mkdir -p "$CARGO_HOME"
    cat >"$CARGO_HOME/config.toml" <<CARGO
[source.crates-io]
replace-with = "vendored-sources"

[source.vendored-sources]
directory = "$deps/cargo-vendor"
CARGO
    export CARGO_NET_OFFLINE=true
fi
# Go: Debian's golang-X.Y-go (no golang-go meta package to float), the
# standard library only (clients/go/go.mod); never fetch a newer toolchain,
# never rewrite go.mod/go.sum.
export PATH="/usr/lib/go-${GO_VERSION:?the Dockerfile sets GO_VERSION}/bin:$PATH"
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly

# --no-install: the packages the config declares are in already (the Dockerfile's
# apt step, by upstream version: gcc, patchelf and python3-dev for Nuitka among
# them); a missing one skips its client, as on a host, and stage.py then fails
# the build. Every client is built, the Nuitka and PyInstaller bundles too
# (their tools from the same wheel folder: clients/python/bundlers/*.txt).
# The build cache (orchestrator/build/cache.py) only from what `invoke docker`
# handed in (docker/deps/build-cache: the bundles the previous image build
# made, in a folder named after this stage's exact Debian revisions), else
# off: a plain `docker build .` builds every bundle. /build-cache stays in this
# stage's image for `invoke docker` to copy back (docker/image_cache.py).
# The key: every package installed in this stage and its exact revision, not only the ones named (a bundle
# carries libz, libffi, liblzma... that came in as dependencies).
dpkg-query -W -f='${Package}=${Version}\n' | sort >/tmp/debian-installed.build
POLYBENCH_BUILD_CACHE="$(python3 -B /app/docker/image_cache.py open /tmp/debian-installed.build "$deps/build-cache" \
    /build-cache)"
export POLYBENCH_BUILD_CACHE
echo "build-stage: build cache: $POLYBENCH_BUILD_CACHE"
/app/.venv/bin/python -m orchestrator build --no-install
python3 -B /app/docker/image_cache.py close /build-cache

# The manifest (before stage.py drops docker/deps), then /app without build
# scratch (and the image's provenance line) for one COPY.
/app/.venv/bin/python /app/docker/manifest.py build /stage/etc/polybench-manifest.json \
    /tmp/debian-pins.build "$wheels" clients/rust/Cargo.lock
/app/.venv/bin/python /app/docker/stage.py /stage
mv /app /stage/app
