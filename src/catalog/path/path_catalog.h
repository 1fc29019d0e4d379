#pragma once
// PathCatalog: a table with no catalog. Its partitions are the key=value folders under a root
// (local or s3://), at any depth, with Hive escaping; the keys come from the folder names.
//
// Discovery lists as little as it can: it walks the folder tree level by level only while the
// predicate can still prune (partial evaluation: a subtree is skipped when the predicate is
// false whatever its deeper keys hold), and lists a whole subtree in one recursive listing as
// soon as the predicate is true for all of it. With no predicate that is a single recursive
// listing of the table: one LIST request per 1,000 objects on S3.
//
// Hidden names (starting with '_' or '.': _SUCCESS, .crc files, _s3_compaction) are skipped.
// Files outside partition folders, folders that are not key=value, and partitions whose keys
// differ from the table's are left alone and reported as notes.
//
// A recursive listing streams a batch (a page) at a time. Past KeepListedFilesUpTo files, no
// partition keeps its files (only their count): the planner lists each again in its wave, one
// more LIST per partition, so that a table of millions of files is never held whole.

#include <cstdint>
#include <limits>

#include "catalog/catalog.h"

namespace s3c {

class PathCatalog : public Catalog {
 public:
  explicit PathCatalog(Location root) : root_(std::move(root)) {}

  std::string Describe() const override { return root_.uri(); }

  /// The table's keys are read off the first chain of key=value folders. Errors: IOError when
  /// the path does not exist or is a file; Invalid when it holds no key=value folders.
  arrow::Result<Table> LoadTable() override;

  arrow::Result<PartitionListing> ListPartitions(const Table& table,
                                                 const PartitionPredicate& predicate) override;

  void KeepListedFilesUpTo(int64_t files) override { keep_files_up_to_ = files; }

 private:
  Location root_;
  int64_t keep_files_up_to_ = std::numeric_limits<int64_t>::max();
};

}  // namespace s3c
