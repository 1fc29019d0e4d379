#!/usr/bin/env bash
# The system roots the bundle is tested in (tests/test_bundle.py), made once and cached outside
# the checkout, so that later runs reuse them:
#
#   $S3C_CACHE/roots/debian-11   Debian 11 "bullseye", glibc 2.31 (older than the build
#                                machine's 2.36), `debootstrap --variant=minbase` from the Debian
#                                mirror: no libcurl, no CA certificates, no Python
#
# The empty root needs no cache: the test makes it from busybox-static (a Debian package that
# scripts/setup.sh installs with debootstrap). S3C_CACHE defaults to ~/.cache/s3-compaction.
# Needs root (debootstrap, and the tests' chroot); as another user it says so and does nothing.
set -euo pipefail

CACHE="${S3C_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/s3-compaction}"
MIRROR="${S3C_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
say() { printf 'roots: %s\n' "$*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  say "not root: the bundle's root tests (chroot) will be skipped"
  exit 0
fi
root="$CACHE/roots/debian-11"
if [[ -x "$root/bin/sh" && -f "$root/.complete" ]]; then
  exit 0
fi
command -v debootstrap >/dev/null || { say "needs debootstrap (scripts/setup.sh installs it)"; exit 1; }
mkdir -p "$CACHE/roots"
tmp="$(mktemp -d "$CACHE/roots/.debian-11.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
say "making a Debian 11 root in $root (debootstrap --variant=minbase bullseye, about 30 s)"
if ! debootstrap --variant=minbase bullseye "$tmp/root" "$MIRROR" >"$tmp/log" 2>&1; then
  tail -n 20 "$tmp/log" >&2
  say "debootstrap failed"
  exit 1
fi
touch "$tmp/root/.complete"
rm -rf "$root"
mv "$tmp/root" "$root"
