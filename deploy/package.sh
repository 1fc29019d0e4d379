#!/usr/bin/env bash
# Packs the built binary with the Arrow shared libraries it loads into one self-contained folder
# and one archive: what the container image (deploy/docker/Dockerfile) copies, and what an AWS
# Glue job takes with --extra-files. Run it after `./dev build`; it does not build anything.
#
#   build/dist/s3-compaction/bin/s3-compaction      launcher (POSIX sh): finds lib/, execs the binary
#   build/dist/s3-compaction/libexec/s3-compaction  the binary, debug info stripped
#   build/dist/s3-compaction/lib/                   libarrow*, libparquet* from the pyarrow wheel
#   build/dist/s3-compaction-linux-x86_64.tar.gz    that folder as one archive
#
# Usage: deploy/package.sh [BINARY [OUT_DIR]]   (defaults: build/s3-compaction build/dist)
#
# How the binary finds Arrow: it is linked against the lib*.so.NNNN of the pyarrow wheel in the
# project's .venv, and its RUNPATH names that folder (readelf -d build/s3-compaction). That path
# exists only on the build machine, so the launcher puts the bundle's lib/ first on
# LD_LIBRARY_PATH, which the dynamic loader searches before RUNPATH. Everything else the binary
# needs (glibc, libstdc++, libgcc_s, libcurl) comes from the system it runs on; the script prints
# the oldest versions of those that the bundle accepts.
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
for tool in ldd readelf strip tar; do
  command -v "$tool" >/dev/null || die "needs $tool (binutils, libc-bin, tar)"
done

# The folders of the binary's RUNPATH: libraries found there are the ones to bundle.
runpath="$(readelf -d "$BINARY" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p; s/.*(RPATH).*\[\(.*\)\]/\1/p')"
[[ -n "$runpath" ]] || die "$BINARY has no RUNPATH: is it linked against system Arrow? then install the same Arrow where it runs"
declare -A bundled_dirs=()
IFS=: read -ra dirs <<<"$runpath"
for d in "${dirs[@]}"; do
  [[ -n "$d" && -d "$d" ]] && bundled_dirs["$(cd "$d" && pwd -P)"]=1
done

libs=()
while read -r soname arrow path _; do
  [[ "$arrow" == "=>" && -f "$path" ]] || continue
  dir="$(cd "$(dirname "$path")" && pwd -P)"
  [[ -n "${bundled_dirs[$dir]:-}" ]] && libs+=("$path")
done < <(ldd "$BINARY")
((${#libs[@]})) || die "ldd found no library of $BINARY in its RUNPATH ($runpath)"

rm -rf "$BUNDLE" "$ARCHIVE"
mkdir -p "$BUNDLE/bin" "$BUNDLE/libexec" "$BUNDLE/lib"
strip --strip-debug -o "$BUNDLE/libexec/$NAME" "$BINARY"
for lib in "${libs[@]}"; do
  cp -L "$lib" "$BUNDLE/lib/"
done
cat >"$BUNDLE/bin/$NAME" <<'LAUNCHER'
#!/bin/sh
# s3-compaction launcher: runs ../libexec/s3-compaction with the Arrow libraries in ../lib.
here=$(dirname "$(readlink -f "$0")")
LD_LIBRARY_PATH="$here/../lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$here/../libexec/s3-compaction" "$@"
LAUNCHER
chmod 0755 "$BUNDLE/bin/$NAME" "$BUNDLE/libexec/$NAME"
chmod 0644 "$BUNDLE/lib/"*

# Every bundled library must now resolve inside the bundle, and the launcher must run.
resolved="$(LD_LIBRARY_PATH="$BUNDLE/lib" ldd "$BUNDLE/libexec/$NAME")"
for lib in "${libs[@]}"; do
  base="$(basename "$lib")"
  grep -q "$base => $BUNDLE/lib/$base " <<<"$resolved" || die "$base does not resolve inside the bundle"
done
"$BUNDLE/bin/$NAME" --version >/dev/null || die "the bundled launcher does not run"

tar -C "$OUT" --owner=0 --group=0 --numeric-owner -czf "$ARCHIVE" "$NAME"

say "$BUNDLE ($(du -sh "$BUNDLE" | cut -f1)): $(cd "$BUNDLE/lib" && echo *)"
say "$ARCHIVE"
if command -v objdump >/dev/null; then
  need() { objdump -T "$BUNDLE/libexec/$NAME" "$BUNDLE"/lib/* 2>/dev/null | grep -oE "$1_[0-9.]+" | sort -uV | tail -n1; }
  system="$(for f in "$BUNDLE/libexec/$NAME" "$BUNDLE"/lib/*; do readelf -d "$f"; done |
            sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u |
            while read -r so; do [[ -e "$BUNDLE/lib/$so" ]] || printf '%s ' "$so"; done)"
  say "from the system it runs on: $(need GLIBC), $(need GLIBCXX) or newer; $system"
fi
