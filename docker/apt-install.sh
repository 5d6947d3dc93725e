#!/bin/sh
# Install Debian packages pinned by upstream version (both stages of the Dockerfile):
#
#   sh docker/apt-install.sh --record FILE PACKAGE[=GLOB] ...
#   sh docker/apt-install.sh --print PACKAGE=GLOB ...     (docker/apt-candidates.sh)
#
# PACKAGE=GLOB (golang-1.24-go=1.24.*) installs the newest version the mirror
# serves whose version, without its epoch, matches the shell GLOB: the current
# Debian revision of that upstream version, so a security update never breaks
# the build. If the mirror has no such version the build stops with one line:
#   polybench: error: Debian package rustc: wanted 1.85.*, the mirror has 1.86.0+dfsg1-1
# A PACKAGE without GLOB (a meta package like gcc, or ca-certificates) takes
# what the mirror serves. FILE gets `package<TAB>wanted<TAB>installed` for every
# package named, as installed (docker/manifest.py puts it in the image manifest).
# --print installs nothing: `package=version` per PACKAGE=GLOB as it would be
# resolved now (a `#` line for one that cannot be), the format of
# docker/strict-pins.txt.
#
# Strict mode, DEBIAN_SNAPSHOT=YYYYMMDDTHHMMSSZ in the environment (a build
# argument): apt reads snapshot.debian.org as of that time instead of the
# mirror, and each PACKAGE=GLOB must install the exact version that
# docker/strict-pins.txt gives (it must match GLOB too). Exact revisions are
# only ever pinned there: a snapshot keeps them, a mirror does not.
# See docs/docker.md.
set -eu

STRICT_PINS="$(dirname "$0")/strict-pins.txt"
SNAPSHOT_URL=http://snapshot.debian.org/archive

die() {
    echo "polybench: error: $*" >&2
    exit 1
}

case "${1:-}" in
    --record) [ $# -ge 3 ] || die "usage: apt-install.sh --record FILE PACKAGE[=GLOB] ..."
              mode=install record=$2; shift 2 ;;
    --print) mode=print; shift ;;
    *) die "usage: apt-install.sh --record FILE PACKAGE[=GLOB] ... | --print PACKAGE=GLOB ..." ;;
esac

# The versions of PACKAGE the configured sources serve, one per line.
available() {
    apt-cache madison "$1" | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' | sort -u
}

# The newest available version of PACKAGE whose version sans epoch matches GLOB; empty if none.
newest_matching() {
    best=""
    for version in $(available "$1"); do
        # shellcheck disable=SC2254  # GLOB is a pattern on purpose
        case "${version#*:}" in
            $2) if [ -z "$best" ] || dpkg --compare-versions "$version" gt "$best"; then best=$version; fi ;;
        esac
    done
    echo "$best"
}

use_snapshot() {
    case "$DEBIAN_SNAPSHOT" in
        [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z) ;;
        *) die "DEBIAN_SNAPSHOT must look like 20261130T120000Z, not '$DEBIAN_SNAPSHOT'" ;;
    esac
    [ -f "$STRICT_PINS" ] || die "strict mode needs $STRICT_PINS"
    suite=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
    rm -f /etc/apt/sources.list
    # Check-Valid-Until: a snapshot's Release files have expired by design;
    # their signatures are still checked.
    cat >/etc/apt/sources.list.d/debian.sources <<EOF
Types: deb
URIs: $SNAPSHOT_URL/debian/$DEBIAN_SNAPSHOT
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
Check-Valid-Until: no

Types: deb
URIs: $SNAPSHOT_URL/debian-security/$DEBIAN_SNAPSHOT
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
Check-Valid-Until: no
EOF
    echo "apt-install: strict mode: Debian as of $DEBIAN_SNAPSHOT, exact versions from $STRICT_PINS" >&2
}

DEBIAN_SNAPSHOT=${DEBIAN_SNAPSHOT:-}
[ -z "$DEBIAN_SNAPSHOT" ] || use_snapshot
apt-get -qq update

install=""
for spec in "$@"; do
    package=${spec%%=*}
    [ "$package" = "$spec" ] && { install="$install $package"; continue; }
    glob=${spec#*=}
    version=$(newest_matching "$package" "$glob")
    if [ "$mode" = print ]; then
        has=$(available "$package" | tr '\n' ' ' | sed 's/ $//')
        if [ -n "$version" ]; then echo "$package=$version"
        else echo "# $package: wanted $glob, the mirror has ${has:-no such package}"; fi
        continue
    fi
    if [ -n "$DEBIAN_SNAPSHOT" ]; then
        exact=$(sed -n "s/^$package=//p" "$STRICT_PINS")
        [ -n "$exact" ] || die "Debian package $package: strict mode, but $STRICT_PINS has no exact version for it"
        # shellcheck disable=SC2254
        case "${exact#*:}" in $glob) ;; *) die "Debian package $package: wanted $glob, $STRICT_PINS says $exact" ;; esac
        available "$package" | grep -qxF "$exact" \
            || die "Debian package $package: wanted $exact, the snapshot $DEBIAN_SNAPSHOT has $(available "$package" | tr '\n' ' ' | sed 's/ $//')"
        version=$exact
    fi
    if [ -z "$version" ]; then
        has=$(available "$package" | tr '\n' ' ' | sed 's/ $//')
        die "Debian package $package: wanted $glob, the mirror has ${has:-no such package}"
    fi
    install="$install $package=$version"
done
[ "$mode" = install ] || exit 0

# shellcheck disable=SC2086  # one word per package
DEBIAN_FRONTEND=noninteractive apt-get install -qq -y --no-install-recommends $install >/dev/null
rm -rf /var/lib/apt/lists/*

# What was asked and what is installed; a pinned package must still match.
: >"$record"
for spec in "$@"; do
    package=${spec%%=*}
    glob=""
    [ "$package" = "$spec" ] || glob=${spec#*=}
    installed=$(dpkg-query -W -f '${Version}' "$package")
    if [ -n "$glob" ]; then
        # shellcheck disable=SC2254
        case "${installed#*:}" in $glob) ;; *) die "Debian package $package: wanted $glob, installed $installed" ;; esac
    fi
    printf '%s\t%s\t%s\n' "$package" "$glob" "$installed" >>"$record"
done
echo "apt-install: $(tr '\t' ' ' <"$record" | awk '{ print $1 "=" $NF }' | tr '\n' ' ')" >&2
