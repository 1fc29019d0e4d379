#pragma once
// SchemaUnifier: decides a partition's output schema from its files' schemas.
//
// Columns are matched by name, ignoring case as Hive, Athena and Spark do (plan/column_name.h):
// `id` in one file and `ID` in another are one column, named as first seen. A file (or struct)
// with two columns whose names differ only in case is a conflict: no reader can tell them
// apart. Their order is the order of first appearance (files in listing order). A column missing from some files becomes nullable (those rows read as NULL). Types
// widen only where no value can change:
//   null + T -> T                      int8 < int16 < int32 < int64 (same signedness)
//   uintN + intM -> int(max(2N, M))    (uint64 with a signed int is a conflict)
//   float32 + float64 -> float64       int/uint of <= 32 bits + float64 -> float64
//   decimal(p1,s1) + decimal(p2,s2) -> decimal with both scales and integer digits (<= 38,
//                                      or <= 76 when an input already was decimal256)
//   string + large_string -> large_string, binary + large_binary -> large_binary
//   timestamp(u1, tz) + timestamp(u2, tz) -> the finer unit (same time zone only)
//   list/large_list, struct, map: recursively (struct fields unified by name)
//   dictionary<T> with T -> T
// Anything else is a conflict: Add returns Invalid naming the column and both files.
//
// Schema-level key-value metadata (e.g. Spark's schema in org.apache.spark.sql.parquet.row.metadata)
// comes from the last file whose columns equal the result; when none does, the keys that
// describe a schema (Spark's, ARROW:schema) are dropped, since they would contradict the data,
// and the others are taken from the last file. ARROW:schema is always left to the writer.
//
// Not thread-safe; one per partition.

#include <memory>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/type.h>

namespace s3c {

class SchemaUnifier {
 public:
  /// Adds one file's schema. On conflict returns Invalid, e.g.
  ///   column 'price': decimal128(10, 2) in s3://b/t/p=1/a.parquet vs string in s3://b/t/p=1/b.parquet
  /// and leaves the unifier as it was.
  arrow::Status Add(const std::shared_ptr<arrow::Schema>& schema, const std::string& file_uri);

  /// The unified schema. REQUIRES: at least one successful Add. Columns named in
  /// `catalog_order` (a catalog's column list) come first, in that order (matched ignoring case); the others
  /// follow in order of first appearance.
  std::shared_ptr<arrow::Schema> Finish(const std::vector<std::string>& catalog_order = {}) const;

  /// Invalid if two of `fields` (or of the fields nested in one) have the same name ignoring
  /// case; `where` names their file.
  static arrow::Status CheckDistinctNames(const arrow::FieldVector& fields,
                                          const std::string& where);

  /// Merges two types by the rules above; Invalid (without file names) on conflict.
  static arrow::Result<std::shared_ptr<arrow::DataType>> MergeTypes(
      const std::shared_ptr<arrow::DataType>& a, const std::shared_ptr<arrow::DataType>& b);

 private:
  struct Column {
    std::shared_ptr<arrow::Field> field;
    std::string origin;  // the file that first gave the column its current type
  };
  std::vector<Column> columns_;
  std::vector<std::shared_ptr<arrow::Schema>> schemas_;  // every distinct schema, in order
  int files_ = 0;
};

}  // namespace s3c
