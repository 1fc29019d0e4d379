#pragma once
// ErrorKind: which exit code an error that stops a run maps to, carried on the arrow::Status
// as a detail so the message itself stays one clean line.

#include <arrow/status.h>

namespace s3c {

enum class ErrorKind {
  kUsage,     // the command line is wrong: a bad flag value, a predicate that does not parse
  kInput,     // the table or its data cannot be compacted as asked: missing, not partitioned
  kInternal,  // anything else
};

/// `status` tagged with `kind`. OK stays OK.
arrow::Status WithKind(const arrow::Status& status, ErrorKind kind);

/// The kind a status was tagged with; untagged IOError/Invalid/NotFound count as kInput.
ErrorKind KindOf(const arrow::Status& status);

}  // namespace s3c
