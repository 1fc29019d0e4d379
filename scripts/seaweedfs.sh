#!/usr/bin/env bash
# SeaweedFS's `weed`, the second S3 the end-to-end tests run against (beside moto), built once
# from its pinned Go module and cached outside the checkout:
#
#   ${S3C_SEAWEEDFS_CACHE:-${XDG_CACHE_HOME:-~/.cache}/s3-compaction/seaweedfs}/<version>/weed
#
#   scripts/seaweedfs.sh        build it if it is missing (scripts/setup.sh test calls this);
#                               prints one line when it builds, nothing when it is there
#   scripts/seaweedfs.sh path   print where it is (or would be), build nothing
#
# The build needs Go (`go` on PATH, else /usr/local/go/bin/go; S3C_GO names another) no older
# than the module's go.mod asks (1.26.6), and the Go module proxy. `go install` refuses the
# module (its go.mod has replace directives), so the module is downloaded, copied out of the
# read-only module cache and built there; the binary is moved into place atomically. A build
# from nothing takes about 4 minutes on 2 cores (8 CPU-minutes).
set -euo pipefail

SEAWEEDFS_MODULE=github.com/seaweedfs/seaweedfs
SEAWEEDFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6
CACHE="${S3C_SEAWEEDFS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/s3-compaction/seaweedfs}"
WEED="$CACHE/$SEAWEEDFS_VERSION/weed"

say() { printf 'setup: %s\n' "$*" >&2; }

if [[ "${1:-}" == "path" ]]; then
  echo "$WEED"
  exit 0
fi
if [[ -x "$WEED" ]]; then
  exit 0
fi

GO="${S3C_GO:-$(command -v go || echo /usr/local/go/bin/go)}"
if [[ ! -x "$GO" ]]; then
  say "no Go (S3C_GO, go on PATH, /usr/local/go/bin/go): cannot build SeaweedFS for the S3 tests"
  exit 1
fi

mkdir -p "$CACHE/$SEAWEEDFS_VERSION"
work="$(mktemp -d "$CACHE/.build.XXXXXX")"  # beside the target: the final mv is a rename
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
log="$work/build.log"
start=$SECONDS
# Never a toolchain download, never a VCS stamp (the copy is no repository).
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
if ! "$GO" mod download -json "$SEAWEEDFS_MODULE@$SEAWEEDFS_VERSION" >"$work/download.json" 2>"$log"; then
  cat "$work/download.json" "$log" >&2
  say "could not download $SEAWEEDFS_MODULE@$SEAWEEDFS_VERSION"
  exit 1
fi
dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' "$work/download.json")"
if [[ ! -d "$dir" ]]; then
  cat "$work/download.json" >&2
  say "go mod download named no source folder for $SEAWEEDFS_MODULE@$SEAWEEDFS_VERSION"
  exit 1
fi
cp -R "$dir" "$work/src"
chmod -R u+w "$work/src"  # the module cache is read-only
if ! (cd "$work/src" && "$GO" build -trimpath -o "$work/weed" ./weed) >>"$log" 2>&1; then
  tail -n 40 "$log" >&2
  say "building SeaweedFS $SEAWEEDFS_VERSION failed"
  exit 1
fi
mv -f "$work/weed" "$WEED"
say "built SeaweedFS $SEAWEEDFS_VERSION into $WEED in $((SECONDS - start))s: $("$WEED" version 2>/dev/null | head -n 1)"
