#pragma once
// InputFile: one Parquet file of a partition, as its footer describes it, or, for a small file
// whose footer the planner deferred (footer_deferred), as the partition's sampled file describes
// it: the executor reads such a file whole anyway, checks its own footer against this
// description (SameShape) before using a row of it, and asks for a re-plan when they differ.

#include <cstdint>
#include <memory>
#include <string>

#include <arrow/filesystem/filesystem.h>
#include <arrow/type_fwd.h>
#include <arrow/util/type_fwd.h>

#include "plan/declared_sort.h"

namespace s3c {

struct InputFile {
  arrow::fs::FileInfo info;            // path, size, modification time
  /// Local disk: the file's device and inode when it was planned (lstat), so that a file
  /// replaced by another of the same size and time (rsync -t, cp -p) is not taken for it.
  /// 0 on S3, where a replacement always gets a later modification time.
  uint64_t device = 0, inode = 0;
  int64_t rows = 0;
  int64_t data_bytes = 0;              // compressed bytes of the column chunks (no footer)
  int row_groups = 0;
  std::shared_ptr<arrow::Schema> schema;  // as Arrow reads the file, with its key-value metadata
  arrow::Compression::type codec = arrow::Compression::UNCOMPRESSED;
  bool has_int96 = false;              // some column is stored as INT96 (legacy timestamps)
  bool decimals_as_integers = false;   // some decimal column is stored as INT32/INT64
  bool has_arrow_schema = false;       // written with ARROW:schema (pyarrow and friends)
  /// PhysicalSchema::Fingerprint: files with equal ones have interchangeable pages.
  std::string physical_schema;
  /// PhysicalSchema::PagesRefused: why its pages cannot be merged (empty: they can).
  std::string pages_refused;
  /// Every column chunk has an offset index (a page index): the page merge keeps one.
  bool has_page_index = false;
  /// The order its row groups say its rows are in, and its leading sort column's range.
  DeclaredSort declared_sort;
  /// rows, data_bytes, row_groups and everything below `info` are the sample's, scaled by size:
  /// estimates until the executor reads the file's own footer.
  bool footer_deferred = false;

  /// True when a file described by `other` can be written exactly as one described by this
  /// would be: the same columns (names, types, nullability, field metadata, in order), codec,
  /// INT96 and decimal storage, ARROW:schema presence, the physical schema and whether its
  /// pages can be merged. Schema-level key-value metadata is
  /// not compared (pandas writes row ranges there, different in every file).
  bool SameShape(const InputFile& other) const;
};

}  // namespace s3c
