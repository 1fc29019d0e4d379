#pragma once
// FaultPoint: test-only hooks at the steps of the commit protocol, driven by the environment.
//
//   S3C_FAULT_POINT=<name>   the process kills itself with SIGKILL on reaching <name>: the crash
//                            tests' way of stopping a run at every step.
//   S3C_THROW_POINT=<name>   throws std::runtime_error on reaching <name>: stands for a bug, to
//                            test that one ends the run with exit code 1 and one line, not abort.
//   S3C_PAUSE_POINT=<name>   on reaching <name> the process writes "paused\n" to the named pipe
//   S3C_PAUSE_FIFO=<dir>     <dir>/paused, then waits until a line arrives on <dir>/resume: the
//                            concurrency tests' way to act while a run is stopped at a step,
//                            with no sleeping on either side.
//
// "<name>@<n>" in any of the three acts from the n-th arrival at <name> on, instead of the
// first (a run of several waves reaches each point once a wave, or more).
//
// With neither variable set a point costs one relaxed load. Names: after_plan, after_write,
// before_publish, mid_publish, after_publish, before_remove, mid_remove, after_remove,
// before_catalog, after_catalog; mid_sort (a --sort_by group with runs spilled, before its merge).

#include <string_view>

namespace s3c {

class FaultPoint {
 public:
  /// Crashes, throws or pauses here if the environment asks for `name`.
  static void Hit(std::string_view name);
};

}  // namespace s3c
