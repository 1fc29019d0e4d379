#pragma once
// WriteParquet: writes a small Parquet file to a local path for a test's input, creating the
// parent folders and replacing any file already there. Either a given table, or `rows` rows of
// the one-column schema {id: int64 (nullable)} holding first, first + 1, ..., first + rows - 1. Every row lands in a
// single row group, with the Parquet writer's default properties (snappy), so what a test plans
// or verifies depends only on the rows it asked for. Returns the first error met
// (making a folder, opening, writing or closing the file); on error the file may exist, partly
// written.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <system_error>

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <parquet/arrow/writer.h>

namespace s3c::testing {

inline arrow::Status WriteParquet(const std::filesystem::path& path, const arrow::Table& table) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error) return arrow::Status::IOError("creating ", path.parent_path().string(), ": ", error.message());
  ARROW_ASSIGN_OR_RAISE(auto out, arrow::io::FileOutputStream::Open(path.string()));
  ARROW_RETURN_NOT_OK(parquet::arrow::WriteTable(table, arrow::default_memory_pool(), out,
                                                 std::max<int64_t>(1, table.num_rows())));
  return out->Close();
}

inline arrow::Status WriteParquet(const std::filesystem::path& path, int64_t rows,
                                  int64_t first = 0) {
  arrow::Int64Builder ids;
  for (int64_t i = first; i < first + rows; ++i) ARROW_RETURN_NOT_OK(ids.Append(i));
  ARROW_ASSIGN_OR_RAISE(auto column, ids.Finish());
  auto table = arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64())}), {column});
  return WriteParquet(path, *table);
}

}  // namespace s3c::testing
