#!/usr/bin/env bash
# Fuzzes every parser of untrusted text (fuzz/*_fuzz.cc) with clang's libFuzzer, ASan and UBSan.
#
#   scripts/fuzz.sh [SECONDS [TARGET...]]   SECONDS of fuzzing per target (default 10; 0 only
#                                           replays), every target or the ones named
#
# Builds the targets in their own folder (S3C_FUZZ_BUILD_DIR, default build-fuzz; only the
# sources the parsers need), then for each target:
#   1. replays every input in fuzz/regressions/<target>/, one process each: inputs that once
#      crashed it (the fuzzer's finds, and known cases written by hand);
#   2. fuzzes it for SECONDS, starting from the seeds in fuzz/corpus/<target>/ (what the fuzzer
#      adds goes to a scratch folder in the build folder, never into the repository). A target
#      whose regressions still crash is not fuzzed: it would only find the same crash again.
# A new crash is saved as fuzz/regressions/<target>/crash-<sha1>: commit it with the fix.
# Exits 1 when any regression or new input crashed a target, after printing every result.
#
# S3C_FUZZ_BUILD_DIR, S3C_FUZZ_CXX (default clang++-14), S3C_VENV, S3C_JOBS as for ./dev.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${S3C_VENV:-$ROOT/.venv}"
JOBS="${S3C_JOBS:-$(nproc)}"
BUILD="${S3C_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SECONDS_PER_TARGET="${1:-10}"
shift || true
ONLY=("$@")
CXX_FUZZ="${S3C_FUZZ_CXX:-clang++-14}"

say() { printf 'fuzz: %s\n' "$*" >&2; }

"$ROOT/scripts/setup.sh" fuzz

started=$(date +%s)
if [[ ! -f "$BUILD/build.ninja" ]]; then
  mkdir -p "$BUILD"
  # -O1 with line tables: fast to build, still readable stacks; assertions stay on.
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DS3C_FUZZ=ON -DCMAKE_CXX_COMPILER="$CXX_FUZZ" \
    -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only" \
    -DS3C_PYTHON="$VENV/bin/python" >"$BUILD/configure.log" 2>&1 \
    || { cat "$BUILD/configure.log" >&2; exit 1; }
fi
if ! cmake --build "$BUILD" -j "$JOBS" >"$BUILD/build.log" 2>&1; then
  grep -vE '^\[[0-9]+/[0-9]+\] ' "$BUILD/build.log" | tail -n 60 >&2
  say "build failed (log: ${BUILD#"$ROOT"/}/build.log)"
  exit 1
fi
say "built the targets in $(( $(date +%s) - started ))s (${BUILD#"$ROOT"/})"

# Leaks count as crashes; UBSan stops at its first finding, with a stack.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

status=0
summary=()
for source in "$ROOT"/fuzz/*_fuzz.cc; do
  target="$(basename "$source" _fuzz.cc)"
  if ((${#ONLY[@]})) && [[ " ${ONLY[*]} " != *" $target "* ]]; then continue; fi
  binary="$BUILD/fuzz/${target}_fuzz"
  regressions="$ROOT/fuzz/regressions/$target"
  logs="$BUILD/logs/$target"
  mkdir -p "$logs"

  replayed=0 crashing=()
  for input in "$regressions"/*; do
    [[ -f "$input" ]] || continue
    replayed=$((replayed + 1))
    if ! "$binary" -runs=0 "$input" >"$logs/replay-$(basename "$input").log" 2>&1; then
      crashing+=("$(basename "$input")")
      what="$(grep -m1 -E 'ERROR: (Address|libFuzzer)|runtime error|what\(\)' \
                "$logs/replay-$(basename "$input").log" | sed -E 's/^==[0-9]+==//' | cut -c1-150)"
      say "$target: regression $(basename "$input") still crashes: $what"
    fi
  done
  if ((${#crashing[@]})); then
    status=1
    summary+=("$(printf '%-21s regressions %d, %d still crash (%s); not fuzzed' "$target" \
                  "$replayed" "${#crashing[@]}" "${crashing[*]}")")
    continue
  fi
  if [[ "$SECONDS_PER_TARGET" == 0 ]]; then
    summary+=("$(printf '%-21s regressions %d pass; not fuzzed (0 s)' "$target" "$replayed")")
    continue
  fi

  case "$target" in  # the tokens of the input's language (fuzz/dictionaries/)
    predicate_parser) dict=predicate ;;
    hive_path) dict=hive_path ;;
    sts_response) dict=xml ;;
    *) dict=json ;;
  esac
  scratch="$BUILD/corpus/$target"
  mkdir -p "$scratch" "$regressions"
  log="$logs/fuzz.log"
  rc=0
  "$binary" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$regressions/" \
    -dict="$ROOT/fuzz/dictionaries/$dict.dict" \
    "$scratch" "$ROOT/fuzz/corpus/$target" >"$log" 2>&1 || rc=$?
  runs="$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || true)"
  seconds="$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | grep -oE '[0-9]+ second' \
             | grep -oE '[0-9]+' || true)"
  cov="$(grep -oE 'cov: [0-9]+' "$log" | tail -n1 | grep -oE '[0-9]+' || true)"
  if ((rc != 0)); then
    status=1
    artifact="$(grep -oE "Test unit written to [^ ]+" "$log" | tail -n1 \
                | sed 's/Test unit written to //' || true)"
    what="$(grep -m1 -E 'ERROR: (Address|libFuzzer)|runtime error|what\(\)' "$log" \
            | sed -E 's/^==[0-9]+==//' | cut -c1-150 || true)"
    # Not a crash (no input saved): say what libFuzzer said last.
    [[ -n "$artifact$what" ]] || what="$(tail -n1 "$log" | cut -c1-150)"
    say "$target: NEW CRASH: $what"
    say "$target: input saved as ${artifact#"$ROOT"/} (log: ${log#"$ROOT"/})"
    summary+=("$(printf '%-21s regressions %d pass; fuzzing CRASHED after %s runs: %s' "$target" \
                  "$replayed" "${runs:-?}" "${artifact#"$ROOT"/}")")
  else
    summary+=("$(printf '%-21s regressions %d pass; fuzzed %ss: %s runs, coverage %s edges' \
                  "$target" "$replayed" "${seconds:-$SECONDS_PER_TARGET}" "${runs:-?}" "${cov:-?}")")
  fi
done

say "summary (${SECONDS_PER_TARGET}s per target, $(( $(date +%s) - started ))s in all with the build):"
for line in "${summary[@]}"; do printf 'fuzz:   %s\n' "$line" >&2; done
if ((status != 0)); then
  say "FAILED: inputs above crash their target (fuzz/regressions/<target>/<input>)"
fi
exit "$status"
