#!/bin/bash
# Builds the Bridge test image's root filesystem as a tar stream for `docker import`, without any registry:
# debootstrap a minimal Debian, with the harness's packages (image-packages.txt) resolved by debootstrap itself,
# then prune what a test run never reads (apt lists and archives, docs, man pages, locales).
#
# usage: build-rootfs.sh OUT.tar [RECIPE_HASH]
#   OUT.tar       written atomically (OUT.tar.partial, then renamed); nothing is left behind on failure
#   RECIPE_HASH   recorded in /etc/bridge-image-recipe inside the image, so a container can tell what it runs
# env: BRIDGE_DEBIAN_MIRROR (default http://deb.debian.org/debian); it is not part of the recipe hash,
#      because any mirror of the same suite yields the same image.
set -euo pipefail

suite=bookworm
variant=minbase
mirror=${BRIDGE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ]; then
    echo "usage: $0 OUT.tar [RECIPE_HASH]  (OUT.tar: where to write the root filesystem tarball)" >&2
    exit 2
fi
out=$1
hash=${2:-unknown}
if [ "$(id -u)" -ne 0 ]; then
    echo "$0: must run as root (debootstrap creates device nodes and chowns files)" >&2
    exit 2
fi
command -v debootstrap >/dev/null || { echo "$0: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 2; }

packages=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/image-packages.txt" | grep -v '^$' | paste -sd, -)
[ -n "$packages" ] || { echo "$0: $here/image-packages.txt lists no package" >&2; exit 2; }

# The work directory lives on disk next to the output, not in /tmp (often a small tmpfs): the rootfs is ~700 MB
# before pruning.
mkdir -p "$(dirname "$out")"
work=$(mktemp -d "$(dirname "$out")/rootfs.XXXXXX")
cleanup() {
    # Runs on every exit; it must not change the exit status (set -e would turn a grep without match into one).
    local status=$?
    set +e
    # debootstrap mounts proc/sys inside the target while it configures packages and may leave them behind when
    # it fails; unmount before deleting so rm never walks into the host's /proc or /sys.
    if [ -d "$work" ]; then
        findmnt -rn -o TARGET | grep -F "$work/" | sort -r | while read -r m; do umount -l "$m"; done
        rm -rf --one-file-system "$work"
    fi
    rm -f "$out.partial"
    exit "$status"
}
trap cleanup EXIT

echo "build-rootfs: debootstrap --variant=$variant $suite from $mirror with: $packages"
debootstrap --variant="$variant" --include="$packages" "$suite" "$work/rootfs" "$mirror"

if findmnt -rn -o TARGET | grep -qF "$work/rootfs/"; then
    echo "$0: debootstrap left mounts under $work/rootfs; refusing to archive them" >&2
    exit 1
fi

cd "$work/rootfs"
rm -rf var/lib/apt/lists/* var/cache/apt/* var/cache/debconf/*-old var/log/* \
       usr/share/man/* usr/share/info/* usr/share/locale/*
# Keep only the copyright files of /usr/share/doc: the licences travel with the binaries.
find usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete
find usr/share/doc -mindepth 1 -type d -empty -delete
echo "$hash" > etc/bridge-image-recipe

tar --numeric-owner --xattrs -cf "$out.partial" .
mv "$out.partial" "$out"
echo "build-rootfs: wrote $out ($(du -h "$out" | cut -f1))"
