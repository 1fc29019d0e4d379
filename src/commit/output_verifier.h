#pragma once
// OutputVerifier: before anything is published, re-opens every staged output from storage (not
// from the writer's memory) and checks its footer: it parses, its row count is the one
// written, its schema is the partition's output schema, and the rows of all outputs add up to
// the rows of the inputs. With --verify=content it also reads every row back and compares an
// order-independent digest of them with the inputs'. Thread-safe (stateless).

#include <memory>
#include <vector>

#include <arrow/status.h>
#include <arrow/type_fwd.h>

#include "execute/rolling_file_writer.h"
#include "execute/row_digest.h"

namespace s3c {

class OutputVerifier {
 public:
  /// OK iff every file checks out and the row counts add up to `expected_rows`. With
  /// `expected_digest` (--verify=content) every output is also read back in full and the
  /// RowDigest of its rows must add up to it.
  static arrow::Status Verify(const std::vector<WrittenFile>& files, int64_t expected_rows,
                              const std::shared_ptr<arrow::Schema>& expected_schema,
                              const RowDigest* expected_digest = nullptr);
};

}  // namespace s3c
