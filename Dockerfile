# polybench in one image: `docker run --rm polybench` runs the default profile
# and prints the markdown report (docs/docker.md).
#
#   docker build -t polybench .                 # any machine with registry access
#   invoke docker [--local-base]                # the same, plus provenance and clean-up;
#                                               # --local-base: no image registry needed
#
# Works with BuildKit and with the legacy builder (DOCKER_BUILDKIT=0). Few
# steps on purpose (see below).
#
# What is pinned, and how (docs/docker.md): the base by digest; the
# toolchains by upstream version (the mirror's current Debian revision of it
# is taken, so a security update never breaks the build); the wheels by hash
# (requirements.lock); the crates by Cargo.lock. The exact versions that went
# in are recorded in /etc/polybench-manifest.json, and every results file
# written in the image copies them.

# debian:trixie-slim, pinned by digest: the multi-arch index digest that
# `docker buildx imagetools inspect docker.io/library/debian:trixie-slim`
# printed on 2025-08-13, as quoted in moby/moby pull request #50727 (Docker's
# maintainers pinning their own test image to it). Override to build on a
# local base:
#   --build-arg BASE_IMAGE=polybench-base:trixie   (invoke docker --local-base)
ARG BASE_IMAGE=debian:trixie-slim@sha256:c85a2732e97694ea77237c61304b3bb410e0e961dd6ee945997a06c788c545bb

# Toolchains, by upstream version: docker/apt-install.sh installs the newest
# Debian revision of each (python3.13=3.13.* takes whichever 3.13 revision the
# mirror serves today), and stops with one line naming the package, the wanted
# version and the one the mirror has if the upstream version itself is gone.
# docker/apt-candidates.sh prints what the mirror serves now.
ARG PYTHON_VERSION=3.13
ARG GO_VERSION=1.24
ARG RUST_VERSION=1.85
ARG GCC_VERSION=14.2
ARG GLIBC_VERSION=2.41
ARG CURL_VERSION=8.14
ARG HYPERFINE_VERSION=1.19
# Strict mode: a snapshot.debian.org timestamp (e.g. 20261130T120000Z). apt
# then reads Debian as of that time and installs the exact revisions in
# docker/strict-pins.txt. Empty (the default): the mirror, as above.
ARG DEBIAN_SNAPSHOT=""

# Why the steps are ordered as they are: the storage driver here (vfs) copies
# the whole file system for every step's container and again for its layer,
# about 10 s per gigabyte, so the expensive steps are few and come last; the
# cheap metadata steps run while the image is still the bare base. The
# toolchains are installed in the same step that uses them: a cold build (CI,
# a new machine) is then one big step instead of several copies of 2 GB.

# ---------------------------------------------------------------------------
# Build stage: the toolchains, the venvs and every client, staged in /stage.
FROM ${BASE_IMAGE} AS build
LABEL org.polybench.image="build-stage"
ARG BASE_IMAGE PYTHON_VERSION GO_VERSION RUST_VERSION GCC_VERSION GLIBC_VERSION CURL_VERSION DEBIAN_SNAPSHOT \
    POLYBENCH_GIT_COMMIT="" POLYBENCH_GIT_DIRTY=""
# Every pip call in this stage (the clients' venvs too) installs from one
# folder of hash-checked wheels, never from an index (docker/build-stage.sh).
ENV PIP_NO_INDEX=1 PIP_FIND_LINKS=/app/docker/deps/wheels PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# The context (see .dockerignore), including docker/deps/: the wheels and
# crates `invoke docker --local-base` vendored, or just its README.
COPY . /app
# gcc and libc6-dev: `orchestrator build` compiles the C launcher, and rustc
# links with cc. ca-certificates: cargo fetching from crates.io when no
# vendored crates are given. python3-yaml: docker/debian-packages.py reads
# polybench.yaml before any venv exists.
# Then every toolchain's and client's `debian:` packages from polybench.yaml
# (Node, a JDK, libcurl's development files, jq, ...): a new client's
# toolchain comes in with no edit here. The final stage installs the part the
# clients run with (debian-packages.py final), listed in the staged /etc.
RUN sh /app/docker/apt-install.sh --record /tmp/debian-pins.build \
      "python${PYTHON_VERSION}=${PYTHON_VERSION}.*" "python${PYTHON_VERSION}-venv=${PYTHON_VERSION}.*" \
      python3 python3-venv python3-yaml \
      "libc6=${GLIBC_VERSION}-*" "libc6-dev=${GLIBC_VERSION}-*" \
      "curl=${CURL_VERSION}.*" "libcurl4t64=${CURL_VERSION}.*" \
      "golang-${GO_VERSION}-go=${GO_VERSION}.*" \
      "rustc=${RUST_VERSION}.*" "cargo=${RUST_VERSION}.*" \
      "gcc-14=${GCC_VERSION}.*" gcc \
      ca-certificates \
 && config_packages="$(python3 -B /app/docker/debian-packages.py build)" \
 && if [ -n "$config_packages" ]; then \
      sh /app/docker/apt-install.sh --record /tmp/debian-pins.config $config_packages \
      && cat /tmp/debian-pins.config >>/tmp/debian-pins.build; fi \
 && python3 -B /app/docker/debian-packages.py final >/tmp/debian-packages.final \
 && sh /app/docker/build-stage.sh \
 && mv /tmp/debian-packages.final /stage/etc/polybench-debian-packages.final

# ---------------------------------------------------------------------------
# Final stage: only what runs: python3, the venvs, the built clients, curl.
FROM ${BASE_IMAGE}
LABEL org.polybench.image="polybench" \
      org.opencontainers.image.title="polybench" \
      org.opencontainers.image.description="Python vs Go vs Rust HTTP clients, verified"
ARG PYTHON_VERSION GLIBC_VERSION CURL_VERSION HYPERFINE_VERSION DEBIAN_SNAPSHOT POLYBENCH_GIT_COMMIT=""
# The image has no .git: environment.git() reads the commit from here.
ENV POLYBENCH_GIT_COMMIT=${POLYBENCH_GIT_COMMIT} \
    PATH=/app/.venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    MPLCONFIGDIR=/tmp/matplotlib
WORKDIR /app
ENTRYPOINT ["/app/.venv/bin/python", "/app/docker/entrypoint.py"]
# /app (the venvs at the same paths as in the build stage: venvs are not
# relocatable) and /etc (the image's provenance and manifest), in one layer.
COPY --from=build /stage/ /
# The same Python, glibc and curl as the build stage (the venvs link to this
# python3.13), and hyperfine, to cross-check polybench's timer
# (docs/accuracy.md), 2 MB. The system PATH here: Debian's package scripts
# must not find the venv's python3.
RUN export PATH=/usr/sbin:/usr/bin:/sbin:/bin \
 && sh /app/docker/apt-install.sh --record /tmp/debian-pins.final \
      "python${PYTHON_VERSION}=${PYTHON_VERSION}.*" python3 \
      "libc6=${GLIBC_VERSION}-*" \
      "curl=${CURL_VERSION}.*" "libcurl4t64=${CURL_VERSION}.*" \
      "hyperfine=${HYPERFINE_VERSION}.*" \
      $(cat /etc/polybench-debian-packages.final) \
 && /app/.venv/bin/python /app/docker/manifest.py final /tmp/debian-pins.final \
 && rm /tmp/debian-pins.final \
 && useradd --uid 10001 --user-group --create-home --home-dir /home/polybench --shell /bin/bash polybench
USER polybench
