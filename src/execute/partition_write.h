#pragma once
// PartitionWrite: what a partition's groups wrote into staging, gathered as they finish
// (PartitionScheduler), and what its commit starts from (PartitionCommitter).

#include <string>
#include <vector>

#include <arrow/status.h>

#include "execute/rolling_file_writer.h"
#include "execute/group_writer.h"
#include "execute/row_digest.h"

namespace s3c {

struct PartitionWrite {
  std::vector<WrittenFile> outputs;  // every file staged, complete or not
  int64_t rows_read = 0;             // rows read, each file's checked against its footer
  RowDigest digest;                  // of the rows written (--verify=content)
  std::string rows_instead;          // a pages group went through rows after all: why (the first)
  SortOutput sort;                   // what sorting took (--sort_by), over its groups
  arrow::Status status;              // the first error of its groups
  /// The runtime limit came before its first group started: nothing was written, and it is not
  /// handed over (PartitionScheduler's MayStart).
  bool deferred = false;
};

}  // namespace s3c
