#!/usr/bin/env bash
# Builds the tool and its unit tests with AddressSanitizer and UndefinedBehaviorSanitizer (g++,
# its own build folder), and runs the unit tests and a subset of the end-to-end tests against
# that build.
#
#   scripts/sanitize.sh [pytest arguments]   extra arguments go to the end-to-end subset
#
# S3C_ASAN_BUILD_DIR (default build-asan), S3C_VENV, S3C_JOBS as for ./dev.
#
# The wheel's Arrow libraries are not instrumented: ASan sees our code's memory, and Arrow's
# buffers too, since Arrow is told to allocate with malloc (ARROW_DEFAULT_MEMORY_POOL=system)
# instead of its own jemalloc/mimalloc, which ASan cannot see into. What the sanitizers are
# told to ignore is in scripts/sanitizers/ (each entry says why). Any report fails the step,
# even one from a run whose test expected a failure: the binary's reports are written to
# files (log_path) and the step fails if there are any.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${S3C_VENV:-$ROOT/.venv}"
JOBS="${S3C_JOBS:-$(nproc)}"
BUILD="${S3C_ASAN_BUILD_DIR:-$ROOT/build-asan}"

# The end-to-end subset: fast, and between them most of the binary's code. Path-mode
# compaction of local tables; bad input of every kind; random hostile tables (the property
# test); crash recovery (the process killed at each step of the commit protocol, then
# `recover`) in place on local disk, on S3 (moto: our listing, batched and conditional
# deletes, signing) and in Glue mode (the catalog client); sorting (the external sort, spilled
# and killed mid-sort), unpartitioned tables and the runtime limit; inspect (listing-only and
# footers, pending journals, hostile names) and a run's report.
E2E_SUBSET=(
  tests/test_path_compaction.py
  tests/test_bad_input.py
  tests/test_properties.py
  "tests/test_crash_recovery.py::test_crash_in_place_then_recover["{after_plan,after_write,before_publish,mid_publish,after_publish,mid_remove,after_remove}-delete]
  "tests/test_crash_recovery.py::test_crash_on_s3_then_recover[moto-"{mid_publish,mid_remove}]
  "tests/test_crash_recovery.py::test_crash_in_glue_mode_in_place[mid_publish]"
  tests/test_sort.py::test_a_sorted_partition_reads_back_in_order
  tests/test_sort.py::test_a_sorted_partition_is_left_alone_and_an_unsorted_one_of_large_files_is_sorted
  tests/test_sort.py::test_the_spill_is_removed_when_the_partition_fails
  tests/test_sort.py::test_a_killed_sort_leaves_a_spill_the_next_run_sweeps
  tests/test_unpartitioned.py::test_crash_then_recover
  tests/test_bounded_runs.py::test_max_runtime_starts_no_new_partition_once_the_time_is_up
  tests/test_inspect.py
  tests/test_html_report.py::test_a_run_writes_its_report_and_it_is_its_json_rendered
)

say() { printf 'sanitizers: %s\n' "$*" >&2; }

"$ROOT/scripts/setup.sh"

SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
export ASAN_OPTIONS="detect_leaks=1:exitcode=86:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$ROOT/scripts/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86"
export ARROW_DEFAULT_MEMORY_POOL=system

started=$(date +%s)
if [[ ! -f "$BUILD/build.ninja" ]]; then
  mkdir -p "$BUILD"
  # -O1 -g1: quick to build and to run, with function names and lines in every report;
  # assertions stay on. Unity batches: well under half the build time.
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" "-DCMAKE_CXX_FLAGS=$SAN_FLAGS" \
    "-DCMAKE_EXE_LINKER_FLAGS=$SAN_FLAGS" -DS3C_UNITY=ON -DS3C_PYTHON="$VENV/bin/python" \
    >"$BUILD/configure.log" 2>&1 || { cat "$BUILD/configure.log" >&2; exit 1; }
fi
if ! cmake --build "$BUILD" -j "$JOBS" >"$BUILD/build.log" 2>&1; then
  grep -vE '^\[[0-9]+/[0-9]+\] ' "$BUILD/build.log" | tail -n 60 >&2
  say "build failed (log: ${BUILD#"$ROOT"/}/build.log)"
  exit 1
fi
built=$(date +%s)
say "built with ASan + UBSan in $((built - started))s (${BUILD#"$ROOT"/})"

status=0
if (cd "$BUILD" && ctest --output-on-failure -j "$JOBS" --timeout 600 >"$BUILD/ctest.log" 2>&1); then
  say "unit tests: $(grep -E 'tests passed' "$BUILD/ctest.log") in $(( $(date +%s) - built ))s"
else
  cat "$BUILD/ctest.log" >&2
  say "unit tests FAILED under the sanitizers"
  status=1
fi

e2e_started=$(date +%s)
reports="$BUILD/reports"
rm -rf "$reports" && mkdir -p "$reports"
say "end-to-end subset against ${BUILD#"$ROOT"/}/s3-compaction: ${E2E_SUBSET[*]}"
if ! (cd "$ROOT" && ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$reports/asan" \
      UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$reports/ubsan" \
      S3C_BINARY="$BUILD/s3-compaction" "$VENV/bin/python" -m pytest -q -p no:cacheprovider \
      -n "${S3C_TEST_WORKERS:-4}" --dist loadgroup "${E2E_SUBSET[@]}" "$@" \
      >"$BUILD/pytest.log" 2>&1); then
  status=1
  tail -n 40 "$BUILD/pytest.log" >&2
  say "end-to-end subset FAILED under the sanitizers (log: ${BUILD#"$ROOT"/}/pytest.log)"
fi
say "end-to-end subset: $(tail -n1 "$BUILD/pytest.log")"
if compgen -G "$reports/*" >/dev/null; then
  status=1
  for report in "$reports"/*; do
    say "report ${report#"$ROOT"/}:"
    head -n 40 "$report" >&2
  done
  say "FAILED: the binary wrote sanitizer reports (above; all in ${reports#"$ROOT"/})"
fi
say "$( ((status == 0)) && echo passed || echo FAILED ) in $(( $(date +%s) - started ))s" \
    "(build $((built - started))s, tests $(( $(date +%s) - built ))s)"
exit "$status"
