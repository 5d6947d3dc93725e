#!/bin/sh
# The Dockerfile's build stage, run in /app (the build context): the venv,
# every client (`python -m orchestrator build`), then /stage for the final image.
#
# Dependencies come from docker/deps/ when `invoke docker --local-base` vendored
# them there (no network needed), else from PyPI and crates.io. Either way they
# are checked against the same locks: pip --require-hashes, cargo --locked.
set -eu
cd /app
deps=/app/docker/deps

# Python: the venv at its final path (a venv is not relocatable), wheels only,
# hash-checked against requirements.lock.
python3 -m venv /app/.venv
if [ -d "$deps/wheels" ]; then
    echo "build-stage: Python wheels from docker/deps/wheels (no index)"
    set -- --no-index --find-links "$deps/wheels"
    # The Python clients' own venvs (clients/python/make_venv.py, run by
    # `orchestrator build`) install with pip too: the same wheels, offline.
    export PIP_NO_INDEX=1 PIP_FIND_LINKS="$deps/wheels"
else
    set --
fi
/app/.venv/bin/pip install --quiet --no-cache-dir --disable-pip-version-check \
    --require-hashes --only-binary=:all: "$@" --requirement requirements.lock

# Rust: vendored crates replace crates.io when present; the build itself runs
# `cargo build --release --locked` (polybench.yaml).
export CARGO_HOME=/root/.cargo
if [ -d "$deps/cargo-vendor" ]; then
    echo "build-stage: Rust crates from docker/deps/cargo-vendor (offline)"
    mkdir -p "$CARGO_HOME"
    cat >"$CARGO_HOME/config.toml" <<EOF
[source.crates-io]
replace-with = "vendored-sources"

[source.vendored-sources]
directory = "$deps/cargo-vendor"
EOF
    export CARGO_NET_OFFLINE=true
fi
# Go: the standard library only (clients/go/go.mod); never fetch a newer
# toolchain, never rewrite go.mod/go.sum.
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly

/app/.venv/bin/python -m orchestrator build

# Stage /app without build scratch (and the image's provenance) for one COPY.
/app/.venv/bin/python /app/docker/stage.py /stage
mkdir -p /stage
mv /app /stage/app
