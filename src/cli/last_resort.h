#pragma once
// The last resort for what should never happen: an exception nobody caught (a bug), in main's
// thread or any other. It ends the process with exit code 1 (kExitInternalError) and one line
// on stderr naming the exception, never with std::terminate's abort (exit 134, a core dump).
//
// Worker threads do not need it: ParallelFor carries an exception back to its caller, and the
// partition scheduler turns a group writer's into a failed partition.

#include <functional>

namespace s3c {

/// Installs a std::terminate handler that prints one line, "internal error: unexpected
/// exception: <what>", and _exits with kExitInternalError. Call first thing in main.
void InstallTerminateHandler();

/// body(), or kExitInternalError after one line on stderr when it throws.
int ExitCodeOf(const std::function<int()>& body);

}  // namespace s3c
