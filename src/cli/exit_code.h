#pragma once
// The tool's exit codes, documented in --help and the README.

namespace s3c {

enum ExitCode : int {
  kExitSuccess = 0,         // every selected partition compacted, copied or skipped as planned
  kExitInternalError = 1,   // a bug or an unexpected failure
  kExitUsageError = 2,      // bad command line: unknown flag, bad value, bad predicate
  kExitInputError = 3,      // the run could not start: missing table, not partitioned, ...;
                            // `report`: its input unreadable or its page unwritable
  kExitPartialFailure = 4,  // some partitions failed (each left as it was); others succeeded
};

}  // namespace s3c
