#pragma once
// ResolvedSort: a SortSpec bound to one Arrow schema (SortSpec::Resolve makes it): per key the
// arrow::FieldPath of the column (through struct fields), its type, direction and null placement.
//
// Arrow's own sort kernels order what they accept the way we order, but do not accept every key
// type we do (Arrow 26: no float16, string_view, binary_view or dictionary key in a record batch
// sort; decimal32/64 are compared as unsigned integers there). So rows are ordered by their
// *normalized* key columns (SortKeyColumns, sort_key_columns.h): each key flattened out of its
// structs (a null struct makes its fields null), dictionaries decoded, float16 widened to float32,
// views cast to large string/binary, decimal32/64 widened to decimal128; KeySortOptions() sorts
// those. SortOptions() targets the original schema and suits Arrow directly when no key needs
// normalizing.
//
// Plain value: thread-compatible; const methods are safe to call concurrently.

#include <memory>
#include <string>
#include <vector>

#include <arrow/compute/api_vector.h>
#include <arrow/type.h>
#include <parquet/schema.h>
#include <parquet/types.h>

namespace s3c {

struct ResolvedSortKey {
  arrow::FieldPath path;
  /// The field names along `path`, as the schema spells them.
  std::vector<std::string> names;
  /// The key field's type in the schema (possibly a dictionary).
  std::shared_ptr<arrow::DataType> type;
  bool descending = false;
  bool nulls_first = true;

  /// names joined by '.', for messages.
  std::string DisplayName() const;
};

class ResolvedSort {
 public:
  ResolvedSort() = default;
  explicit ResolvedSort(std::vector<ResolvedSortKey> keys) : keys_(std::move(keys)) {}

  const std::vector<ResolvedSortKey>& keys() const { return keys_; }

  /// Sort options over the original schema: one SortKey per key, FieldRef(path).
  arrow::compute::SortOptions SortOptions() const;
  /// Sort options over the normalized key columns: key i is column i.
  arrow::compute::SortOptions KeySortOptions() const;

  /// The Parquet `sorting_columns` of a file written with `schema` and sorted this way: one per
  /// key, the leaf column index of the key in `schema`. Returns an empty vector when some key is
  /// not a single leaf reachable by its names through groups only (a repeated field on the way,
  /// a name not found or found twice).
  std::vector<parquet::SortingColumn> ParquetSortingColumns(
      const parquet::SchemaDescriptor& schema) const;

  /// "a.b DESC NULLS LAST, c ASC NULLS FIRST", for messages.
  std::string ToString() const;

 private:
  std::vector<ResolvedSortKey> keys_;
};

}  // namespace s3c
