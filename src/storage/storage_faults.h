#pragma once
// StorageFaults: test-only counting of every storage operation a run makes, with a fault at the
// Nth: SQLite's "fail the Nth I/O", LevelDB's FaultInjectionTestEnv. A storage operation is one
// call that reads or changes storage or the catalog: a filesystem call (FaultInjectingFileSystem
// routes them all here), a read of an open file, the Close of a written one, one DeleteObjects
// request, one request of a ConditionalObject, one Glue call. Credential, STS and IMDS calls are
// not operations.
//
// Driven by the environment, read once, on the first operation:
//
//   S3C_FAIL_OP=N         the Nth operation (1-based, counted across all threads in the order they
//                         start) does not happen; it returns
//                         IOError("injected fault: storage operation N (<op> <object>)").
//   S3C_CRASH_AFTER_OP=N  right after the Nth operation completed (whatever its result), the
//                         process kills itself with SIGKILL.
//   S3C_OP_LOG=<file>     appends "N<TAB><op><TAB><object>\n" when each operation starts (one
//                         unbuffered O_APPEND write, lines in the order of N), so a test learns
//                         M, the number of operations, and what each N was, even if the run is
//                         killed. Tabs and line breaks in names are written as spaces.
//
// Any of them set enables counting (and FileSystems wraps its filesystems); with none set,
// Begin/Run cost one relaxed atomic load (the filesystems are then not wrapped at all). A value that is not a positive number aborts the
// process (a misconfigured fault test must not pass silently).
//
// Thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <arrow/result.h>
#include <arrow/status.h>

namespace s3c {

namespace storage_faults_internal {
template <typename T>
struct IsStatusOrResult : std::is_same<T, arrow::Status> {};
template <typename T>
struct IsStatusOrResult<arrow::Result<T>> : std::true_type {};
}  // namespace storage_faults_internal

class StorageFaults {
 public:
  /// True iff any of the variables is set (or ConfigureForTest enabled counting).
  static bool enabled();

  /// Counts the start of one operation and logs it. Returns its number (0 when disabled: End
  /// then does nothing), or the injected error if this is the operation to fail, which the
  /// caller must then not perform (and need not End).
  static arrow::Result<uint64_t> Begin(std::string_view op, std::string_view object);

  /// Marks operation `n` (from Begin) as completed: crashes here if it is the one to crash after.
  static void End(uint64_t n);

  /// Begin, f(), End in one call. `f` returns arrow::Status or arrow::Result<T>; Run returns the
  /// same type, holding the injected error instead of calling `f` when this is the Nth.
  template <typename F>
  static auto Run(std::string_view op, std::string_view object, F&& f)
      -> std::invoke_result_t<F&&> {
    using R = std::invoke_result_t<F&&>;
    static_assert(storage_faults_internal::IsStatusOrResult<R>::value,
                  "StorageFaults::Run wants a function returning arrow::Status or Result");
    auto n = Begin(op, object);
    if (!n.ok()) return R(n.status());
    R result = std::forward<F>(f)();
    End(*n);
    return result;
  }

  /// The number of operations started since the configuration was (re)set.
  static uint64_t count();

  /// For unit tests: replaces the environment's configuration and restarts the count at 0.
  /// 0 means "never" for `fail_op` and `crash_after_op`; an empty `log_path` logs nothing.
  /// Counting is enabled iff any of the three is given. REQUIRES: no operation under way.
  static void ConfigureForTest(uint64_t fail_op, uint64_t crash_after_op,
                               const std::string& log_path);
  /// For unit tests: disables counting (as with no variable set).
  static void DisableForTest() { ConfigureForTest(0, 0, ""); }
};

}  // namespace s3c
