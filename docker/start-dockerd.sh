#!/usr/bin/env bash
# Start a private Docker engine for polybench's image build (CI and machines
# without a running engine). Idempotent: if the engine already answers, it
# only prints where it is.
#
#   eval "$(sudo docker/start-dockerd.sh)"     # sets DOCKER_HOST
#
# Why this shape (docs/docker.md):
# - Debian's docker.io, run as root with its own data root and socket under
#   /tmp/pb-docker, so it never touches a system engine's state.
# - vfs storage: the only driver that works without overlay support in the
#   kernel or the sandbox; it copies every layer whole, so the Dockerfile keeps
#   few layers and CI removes old images.
# - debootstrap comes along: `invoke docker --local-base` makes the Debian
#   base image itself where no image registry can be reached; so does a
#   Compose package, where the system's apt sources have one.
# Prints one line on stdout: `export DOCKER_HOST=unix://...`; progress on stderr.
set -euo pipefail

PB_DOCKER_DIR="${PB_DOCKER_DIR:-/tmp/pb-docker}"
SOCKET="$PB_DOCKER_DIR/docker.sock"
export DOCKER_HOST="unix://$SOCKET"
WAIT_S="${PB_DOCKER_WAIT_S:-60}"

say() { echo "start-dockerd: $*" >&2; }

if [ "$(id -u)" != 0 ]; then
    say "must run as root (it installs packages and starts dockerd)"
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null \
        || ! command -v docker >/dev/null; then
    say "installing docker.io and debootstrap"
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends docker.io debootstrap >&2
fi
# Compose, for compose.yaml (two containers): the first of these the system's
# apt sources have (Docker's repository, Ubuntu, Debian; Debian 12's
# docker-compose is Compose v1, the `docker-compose` command).
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then
    for package in docker-compose-plugin docker-compose-v2 docker-compose; do
        if [ -n "$(apt-cache policy "$package" 2>/dev/null | sed -n 's/^  Candidate: \([^(]\)/\1/p')" ]; then
            say "installing $package"
            apt-get install -y -qq --no-install-recommends "$package" >&2
            break
        fi
    done
fi

if docker info >/dev/null 2>&1; then
    say "engine already running at $DOCKER_HOST"
else
    mkdir -p "$PB_DOCKER_DIR/data" "$PB_DOCKER_DIR/exec"
    if [ -f "$PB_DOCKER_DIR/docker.pid" ] && kill -0 "$(cat "$PB_DOCKER_DIR/docker.pid")" 2>/dev/null; then
        say "dockerd $(cat "$PB_DOCKER_DIR/docker.pid") is starting; waiting for it"
    else
        rm -f "$PB_DOCKER_DIR/docker.pid" "$SOCKET"
        say "starting dockerd (vfs, data root $PB_DOCKER_DIR/data, log $PB_DOCKER_DIR/dockerd.log)"
        # setsid + nohup: the engine outlives this script and its terminal.
        setsid nohup dockerd --storage-driver=vfs \
            --data-root "$PB_DOCKER_DIR/data" --exec-root "$PB_DOCKER_DIR/exec" \
            -H "$DOCKER_HOST" --pidfile "$PB_DOCKER_DIR/docker.pid" \
            >"$PB_DOCKER_DIR/dockerd.log" 2>&1 </dev/null &
    fi
    deadline=$((SECONDS + WAIT_S))
    until docker info >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            say "dockerd did not answer within ${WAIT_S} s; its log ends with:"
            tail -n 20 "$PB_DOCKER_DIR/dockerd.log" >&2 || true
            exit 1
        fi
        sleep 0.5
    done
    say "engine ready at $DOCKER_HOST"
fi
echo "export DOCKER_HOST=$DOCKER_HOST"
