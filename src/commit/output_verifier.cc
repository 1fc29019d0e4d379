#include "commit/output_verifier.h"

#include <parquet/arrow/schema.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>

#include "plan/file_inspector.h"

namespace s3c {
namespace {

arrow::Result<int64_t> VerifyOne(const WrittenFile& file,
                                 const std::shared_ptr<arrow::Schema>& expected_schema) {
  const std::string uri = file.location.uri();
  arrow::fs::FileInfo info(file.location.path, arrow::fs::FileType::File);
  info.set_size(file.bytes);
  ARROW_ASSIGN_OR_RAISE(auto source, file.location.fs->OpenInputFile(info));
  std::shared_ptr<parquet::FileMetaData> metadata;
  try {
    metadata = parquet::ParquetFileReader::Open(source)->metadata();
  } catch (const std::exception& e) {
    return arrow::Status::IOError("verifying ", uri, ": unreadable: ", e.what());
  }
  if (metadata->num_rows() != file.rows) {
    return arrow::Status::IOError("verifying ", uri, ": ", metadata->num_rows(),
                                  " rows in its footer, ", file.rows, " written");
  }
  std::shared_ptr<arrow::Schema> schema;
  ARROW_RETURN_NOT_OK(parquet::arrow::FromParquetSchema(metadata->schema(),
                                                        FileInspector::ArrowReadProperties(),
                                                        metadata->key_value_metadata(), &schema));
  if (schema->num_fields() != expected_schema->num_fields()) {
    return arrow::Status::IOError("verifying ", uri, ": ", schema->num_fields(), " columns, ",
                                  expected_schema->num_fields(), " expected");
  }
  for (int i = 0; i < schema->num_fields(); ++i) {
    if (schema->field(i)->name() != expected_schema->field(i)->name()) {
      return arrow::Status::IOError("verifying ", uri, ": column ", i, " is '",
                                    schema->field(i)->name(), "', expected '",
                                    expected_schema->field(i)->name(), "'");
    }
  }
  return metadata->num_rows();
}

}  // namespace

arrow::Status OutputVerifier::Verify(const std::vector<WrittenFile>& files,
                                     int64_t expected_rows,
                                     const std::shared_ptr<arrow::Schema>& expected_schema) {
  int64_t rows = 0;
  for (const auto& file : files) {
    if (!file.complete) {
      return arrow::Status::IOError("verifying ", file.location.uri(), ": never completed");
    }
    ARROW_ASSIGN_OR_RAISE(int64_t file_rows, VerifyOne(file, expected_schema));
    rows += file_rows;
  }
  if (rows != expected_rows) {
    return arrow::Status::IOError("verifying outputs: ", rows, " rows written, ", expected_rows,
                                  " read from the inputs");
  }
  return arrow::Status::OK();
}

}  // namespace s3c
