#pragma once
// DeclaredSort: the order a Parquet file says its rows are in (the `sorting_columns` of its row
// groups, which writers set when they sort, ours included), and the range of its leading sort
// column from the footer's statistics. The planner uses it to leave alone a partition that is
// already sorted by --sort_by and has nothing else to compact (AlreadySorted).
//
// Conservative by construction: anything unknown (a row group without sorting_columns or with
// different ones, missing statistics, nulls in the leading column of more than one file, or of
// a file that does not come first, for NULLS FIRST, or last) counts as not sorted, which only
// costs a rewrite.
//
// Plain value; thread-compatible.

#include <memory>
#include <string>
#include <vector>

#include <arrow/type_fwd.h>
#include <parquet/metadata.h>

#include "execute/sort/sort_spec.h"

namespace s3c {

struct DeclaredSort {
  struct Column {
    std::string path;  // the leaf's dotted path ("a.b")
    bool descending = false;
    bool nulls_first = false;
  };
  /// What every row group declares alike; empty when none, or when they differ.
  std::vector<Column> columns;
  /// The leading column's smallest and largest value over the file; null when unknown.
  std::shared_ptr<arrow::Scalar> min, max;
  /// The leading column holds nulls (or may: statistics without a null count).
  bool leading_nulls = true;

  /// Read from a footer. Never throws: a footer it cannot read declares nothing.
  static DeclaredSort Of(const parquet::FileMetaData& metadata);

  /// True when every file declares `spec` (its columns, directions and null placements, as a
  /// prefix of what the file declares; names ignoring ASCII case) and the files' leading ranges
  /// do not overlap (equal boundary values allowed), so that the files, in some order, hold
  /// the rows in `spec`'s order. One file: its declaration alone.
  static bool AlreadySorted(const std::vector<const DeclaredSort*>& files, const SortSpec& spec);
};

}  // namespace s3c
