#pragma once
// DeclaredSort: the order a Parquet file says its rows are in (the `sorting_columns` of its row
// groups, which writers set when they sort, ours included), and the range of its leading sort
// column in each row group, from the footer's statistics. The planner uses it to leave alone a
// partition that is already sorted by --sort_by and has nothing else to compact
// (AlreadySorted).
//
// Conservative by construction: anything it cannot vouch for counts as not sorted, which only
// costs a rewrite: a row group without sorting_columns or with different ones; a declared column
// whose name another leaf shares ignoring case; missing statistics; a leading column whose
// statistics do not order like the sort does (floating point, where statistics leave NaN out;
// FIXED_LEN_BYTE_ARRAY such as float16, compared as bytes; INT96); nulls in more than one row
// group, or in one that does not come first (NULLS FIRST) or last; two row groups whose leading
// ranges overlap, or touch when the spec has more than one column (the next columns are not
// known at the boundary). One row group: its declaration alone.
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
    std::vector<std::string> path;  // the leaf's path, field by field
    bool descending = false;
    bool nulls_first = false;
  };
  /// The leading column's range in one row group.
  struct Range {
    std::shared_ptr<arrow::Scalar> min, max;  // null when the row group holds only nulls
    bool nulls = true;                         // holds nulls (or may)
  };
  /// What every row group declares alike; empty when none, or when they differ.
  std::vector<Column> columns;
  /// The leading column's range per row group, in file order; empty when its statistics cannot
  /// be compared as the sort orders (see above).
  std::vector<Range> row_groups;

  /// Read from a footer. Never throws: a footer it cannot read declares nothing.
  static DeclaredSort Of(const parquet::FileMetaData& metadata);

  /// True when every file declares `spec` (its columns, directions and null placements, as a
  /// prefix of what the file declares; names ignoring ASCII case, part by part) and the row
  /// groups, files taken in the order of their leading values, hold the rows in `spec`'s order.
  static bool AlreadySorted(const std::vector<const DeclaredSort*>& files, const SortSpec& spec);
};

}  // namespace s3c
