#include "commit/output_verifier.h"

#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>

#include "plan/file_inspector.h"

namespace s3c {
namespace {

arrow::Result<int64_t> VerifyOne(const WrittenFile& file,
                                 const std::shared_ptr<arrow::Schema>& expected_schema,
                                 RowDigest* digest) {
  const std::string uri = file.location.uri();
  arrow::fs::FileInfo info(file.location.path, arrow::fs::FileType::File);
  info.set_size(file.bytes);
  ARROW_ASSIGN_OR_RAISE(auto source, file.location.fs->OpenInputFile(info));
  std::shared_ptr<parquet::FileMetaData> metadata;
  std::unique_ptr<parquet::ParquetFileReader> parquet_reader;
  try {
    parquet_reader = parquet::ParquetFileReader::Open(source);
    metadata = parquet_reader->metadata();
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
  if (digest) {
    // Every row, read back from storage, one row group at a time.
    std::unique_ptr<parquet::arrow::FileReader> reader;
    try {
      ARROW_ASSIGN_OR_RAISE(reader, parquet::arrow::FileReader::Make(
                                        arrow::default_memory_pool(), std::move(parquet_reader),
                                        FileInspector::ArrowReadProperties()));
    } catch (const std::exception& e) {
      return arrow::Status::IOError("verifying ", uri, ": unreadable: ", e.what());
    }
    for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
      ARROW_ASSIGN_OR_RAISE(auto batches, reader->GetRecordBatchReader({rg}));
      while (true) {
        std::shared_ptr<arrow::RecordBatch> batch;
        auto next = batches->ReadNext(&batch);
        if (!next.ok()) return next.WithMessage("verifying ", uri, ": ", next.message());
        if (!batch) break;
        ARROW_RETURN_NOT_OK(digest->Update(*batch));
      }
    }
  }
  return metadata->num_rows();
}

}  // namespace

arrow::Status OutputVerifier::Verify(const std::vector<WrittenFile>& files,
                                     int64_t expected_rows,
                                     const std::shared_ptr<arrow::Schema>& expected_schema,
                                     const RowDigest* expected_digest) {
  int64_t rows = 0;
  RowDigest digest;
  for (const auto& file : files) {
    if (!file.complete) {
      return arrow::Status::IOError("verifying ", file.location.uri(), ": never completed");
    }
    ARROW_ASSIGN_OR_RAISE(int64_t file_rows,
                          VerifyOne(file, expected_schema, expected_digest ? &digest : nullptr));
    rows += file_rows;
  }
  if (rows != expected_rows) {
    return arrow::Status::IOError("verifying outputs: ", rows, " rows written, ", expected_rows,
                                  " read from the inputs");
  }
  if (expected_digest && digest != *expected_digest) {
    return arrow::Status::IOError("verifying outputs: the content differs from the inputs' (",
                                  "inputs ", expected_digest->ToString(), ", outputs ",
                                  digest.ToString(), ")");
  }
  return arrow::Status::OK();
}

}  // namespace s3c
