#pragma once
// InputFile: one Parquet file of a partition, as its footer describes it.

#include <cstdint>
#include <memory>

#include <arrow/filesystem/filesystem.h>
#include <arrow/type_fwd.h>
#include <arrow/util/type_fwd.h>

namespace s3c {

struct InputFile {
  arrow::fs::FileInfo info;            // path, size, modification time
  int64_t rows = 0;
  int64_t data_bytes = 0;              // compressed bytes of the column chunks (no footer)
  int row_groups = 0;
  std::shared_ptr<arrow::Schema> schema;  // as Arrow reads the file, with its key-value metadata
  arrow::Compression::type codec = arrow::Compression::UNCOMPRESSED;
  bool has_int96 = false;              // some column is stored as INT96 (legacy timestamps)
  bool decimals_as_integers = false;   // some decimal column is stored as INT32/INT64
  bool has_arrow_schema = false;       // written with ARROW:schema (pyarrow and friends)
};

}  // namespace s3c
