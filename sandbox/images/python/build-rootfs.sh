#!/bin/sh
# build-rootfs.sh TARGET — a minimal Debian 12 root filesystem with Python 3 and
# NumPy, for hosts that cannot pull images from a registry. `manage.py
# build_sandbox_image` imports it into Docker; the bubblewrap backend uses it as
# its root directly. Packages come from the host's own Debian mirror.
set -eu
target="$1"
mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
fi
if [ -z "$mirror" ]; then
  mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
fi
[ -n "$mirror" ] || { echo "no Debian mirror found in /etc/apt; set DEBIAN_MIRROR" >&2; exit 1; }

debootstrap --variant=minbase --include=python3,python3-numpy bookworm "$target" "$mirror"

# Nothing the sandbox needs: package lists, caches, docs, locales.
rm -rf "$target"/var/cache/apt/* "$target"/var/lib/apt/lists/* "$target"/usr/share/doc/* \
  "$target"/usr/share/man/* "$target"/usr/share/info/* "$target"/usr/share/locale/*
mkdir -p "$target/opt/mockloop" "$target/work"
chmod 1777 "$target/work"
