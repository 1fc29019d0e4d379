#!/usr/bin/env bash
# Packs the built binary with everything it loads into one self-contained folder and one
# archive: what the container image (deploy/docker/Dockerfile) copies, and what an AWS Glue job
# takes with --extra-files. It needs nothing from the host it runs on but the Linux kernel: it
# carries its own dynamic loader and glibc, libstdc++, libgcc_s, libcurl with OpenSSL and the rest
# of what libcurl loads, and Arrow. So one archive starts on Amazon Linux 2 (Glue 4.0, glibc
# 2.26), Amazon Linux 2023 (Glue 5.x), any Debian or Ubuntu, and an empty container. Run it after
# `./dev build`; it compiles only the launcher.
#
#   build/dist/s3-compaction/bin/s3-compaction      launcher (static): runs the binary through
#                                                   lib/ld-linux-x86-64.so.2 with lib/ as its
#                                                   only library path (deploy/bundle/launcher.c)
#   build/dist/s3-compaction/libexec/s3-compaction  the binary, debug info stripped
#   build/dist/s3-compaction/lib/                   every shared library the binary loads, and
#                                                   the loader
#   build/dist/s3-compaction/etc/openssl.cnf        the bundle's OpenSSL configuration (empty:
#                                                   the host's is for the host's OpenSSL)
#   build/dist/s3-compaction-linux-x86_64.tar.gz    that folder as one archive
#
# Usage: deploy/package.sh [BINARY [OUT_DIR]]   (defaults: build/s3-compaction build/dist)
#
# The libraries are the binary's whole ldd closure on the build machine (Debian 12: glibc 2.36,
# which asks for Linux 3.2 or newer); the script checks that the bundle resolves every one of
# them inside itself, prints the size, and what the host must provide (the kernel).
# TLS roots are the host's: the binary looks for them where each distribution keeps them
# (src/aws/tls_trust.h), or where AWS_CA_BUNDLE / SSL_CERT_FILE say.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BINARY="${1:-$ROOT/build/s3-compaction}"
OUT="${2:-$ROOT/build/dist}"
NAME=s3-compaction
BUNDLE="$OUT/$NAME"
ARCHIVE="$OUT/$NAME-linux-x86_64.tar.gz"

say() { printf 'package: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[[ -x "$BINARY" ]] || die "no binary at $BINARY: run ./dev build first"
for tool in ldd readelf strip tar cc patchelf; do
  command -v "$tool" >/dev/null || die "needs $tool (binutils, libc-bin, tar, gcc, patchelf)"
done
[[ -f /usr/lib/x86_64-linux-gnu/libc.a || -f /usr/lib64/libc.a ]] ||
  die "needs the static C library for the launcher (Debian: libc6-dev)"

# The binary's whole closure as the build machine's loader resolves it: "soname => path" lines,
# and the loader itself ("/lib64/ld-linux-x86-64.so.2 (0x...)").
closure="$(ldd "$BINARY")" || die "ldd $BINARY failed"
grep -q "not found" <<<"$closure" && die "$BINARY has unresolved libraries: $(grep 'not found' <<<"$closure" | tr -s ' \t\n' ' ')"
declare -A libs=()
while read -r soname arrow path _; do
  [[ "$arrow" == "=>" && -f "$path" ]] && libs["$soname"]="$path"
done <<<"$closure"
loader="$(awk '$1 ~ /ld-linux-x86-64\.so\.2$/ && $2 ~ /^\(0x/ {print $1}' <<<"$closure")"
[[ -n "$loader" && -f "$loader" ]] || die "ldd shows no x86-64 dynamic loader for $BINARY"
((${#libs[@]})) || die "ldd found no shared library of $BINARY"

rm -rf "$BUNDLE" "$ARCHIVE"
mkdir -p "$BUNDLE/bin" "$BUNDLE/libexec" "$BUNDLE/lib"
strip --strip-debug -o "$BUNDLE/libexec/$NAME" "$BINARY"
# Its RUNPATH names the build machine's .venv: never wanted where the bundle goes.
patchelf --remove-rpath "$BUNDLE/libexec/$NAME"
for soname in "${!libs[@]}"; do
  cp -L "${libs[$soname]}" "$BUNDLE/lib/$soname"
done
cp -L "$loader" "$BUNDLE/lib/ld-linux-x86-64.so.2"
# Debug info of the system's libraries is not shipped (Arrow's wheel libraries have none).
strip --strip-debug "$BUNDLE"/lib/*.so* 2>/dev/null || true
mkdir -p "$BUNDLE/etc"
cp "$ROOT/deploy/bundle/openssl.cnf" "$BUNDLE/etc/openssl.cnf"
chmod 0644 "$BUNDLE/etc/openssl.cnf"
cc -static -Os -s -Wall -Wextra -Werror -o "$BUNDLE/bin/$NAME" "$ROOT/deploy/bundle/launcher.c" ||
  die "cannot compile the launcher"
chmod 0755 "$BUNDLE/bin/$NAME" "$BUNDLE/libexec/$NAME" "$BUNDLE/lib/ld-linux-x86-64.so.2"
find "$BUNDLE/lib" -type f ! -name ld-linux-x86-64.so.2 -exec chmod 0644 {} +

# Every library must now resolve inside the bundle, through the bundle's own loader.
resolved="$("$BUNDLE/lib/ld-linux-x86-64.so.2" --library-path "$BUNDLE/lib" --inhibit-cache \
            --list "$BUNDLE/libexec/$NAME")" || die "the bundled loader cannot list the binary"
while read -r soname arrow path _; do
  [[ "$arrow" == "=>" ]] || continue
  expected="$BUNDLE/lib/$soname"
  [[ "$soname" == "$loader" ]] && expected="$BUNDLE/lib/ld-linux-x86-64.so.2"
  [[ "$path" == "$expected" ]] || die "$soname resolves to $path, outside the bundle"
done <<<"$resolved"
"$BUNDLE/bin/$NAME" --version >/dev/null || die "the bundled launcher does not run"

tar -C "$OUT" --owner=0 --group=0 --numeric-owner -czf "$ARCHIVE" "$NAME"

glibc="$("$BUNDLE/lib/ld-linux-x86-64.so.2" --version | sed -n '1s/.*version \([0-9.]*\)\.$/\1/p')" || true
kernel="$(readelf -n "$BUNDLE/lib/libc.so.6" | sed -n 's/.*OS: Linux, ABI: \([0-9.]*\).*/\1/p' | head -n1)" || true
say "$BUNDLE: $(du -sh "$BUNDLE" | cut -f1) unpacked, ${#libs[@]} libraries and the loader of glibc ${glibc:-?}"
say "$ARCHIVE: $(du -h "$ARCHIVE" | cut -f1)"
say "from the host it runs on: Linux ${kernel:-3.2} or newer on x86-64, and CA certificates for HTTPS (its own or AWS_CA_BUNDLE)"
