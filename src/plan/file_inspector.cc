#include "plan/file_inspector.h"

#include <arrow/io/interfaces.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>
#include <parquet/schema.h>

#include "plan/physical_schema.h"

namespace s3c {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

bool FileInspector::ClaimsToBeParquet(std::string_view name) {
  if (EndsWith(name, ".parquet") || EndsWith(name, ".parq") || EndsWith(name, ".pq")) return true;
  // Hive and some Spark writers leave data files without an extension (000000_0, part-00000).
  return name.find('.') == std::string_view::npos;
}

parquet::ArrowReaderProperties FileInspector::ArrowReadProperties() {
  parquet::ArrowReaderProperties props(/*use_threads=*/false);
  props.set_batch_size(64 * 1024);
  props.set_pre_buffer(true);
  // Nanoseconds cannot hold INT96 dates outside 1677-2262 (see Int96Guard).
  props.set_coerce_int96_timestamp_unit(arrow::TimeUnit::MICRO);
  return props;
}

arrow::Result<std::optional<InputFile>> FileInspector::Inspect(const Location& file,
                                                               const arrow::fs::FileInfo& info) {
  const std::string uri = file.uri();
  if (info.size() == 0) {
    if (!ClaimsToBeParquet(BaseName(file.path))) return std::nullopt;
    return arrow::Status::Invalid("not a Parquet file (zero bytes): ", uri);
  }
  auto opened = file.fs->OpenInputFile(info);
  if (!opened.ok()) {
    return opened.status().WithMessage("opening ", uri, ": ", opened.status().message());
  }
  return InspectSource(uri, info, *opened, nullptr);
}

arrow::Result<std::optional<InputFile>> FileInspector::InspectSource(
    const std::string& uri, const arrow::fs::FileInfo& info,
    std::shared_ptr<arrow::io::RandomAccessFile> source,
    std::shared_ptr<parquet::FileMetaData>* metadata_out) {
  const bool claims_parquet = ClaimsToBeParquet(BaseName(info.path()));
  // Too short for Parquet's magic at both ends (12 bytes): a README.txt of two bytes is
  // another file, not a corrupt Parquet one.
  if (!claims_parquet && info.size() < 12) return std::nullopt;
  if (info.size() == 0) return arrow::Status::Invalid("not a Parquet file (zero bytes): ", uri);

  std::unique_ptr<parquet::ParquetFileReader> reader;
  try {
    reader = parquet::ParquetFileReader::Open(source, parquet::default_reader_properties());
  } catch (const parquet::ParquetException& e) {
    std::string_view what = e.what();
    if (Contains(what, "magic bytes not found")) {
      if (!claims_parquet) return std::nullopt;
      return arrow::Status::Invalid(
          "not a Parquet file (no PAR1 magic at its end: truncated, or another format): ", uri);
    }
    if (Contains(what, "ncrypt") || Contains(what, "decrypt")) {
      return arrow::Status::Invalid("encrypted Parquet file (not supported): ", uri);
    }
    return arrow::Status::Invalid("corrupt Parquet file ", uri, ": ", what);
  } catch (const std::exception& e) {
    return arrow::Status::IOError("reading ", uri, ": ", e.what());
  }

  std::shared_ptr<parquet::FileMetaData> metadata = reader->metadata();
  if (metadata->is_encryption_algorithm_set()) {
    // A plaintext footer over encrypted columns: its rows cannot be read without the keys.
    return arrow::Status::Invalid("encrypted Parquet file (not supported; its columns are "
                                  "encrypted): ", uri);
  }
  InputFile input;
  input.info = info;
  try {
    input.rows = metadata->num_rows();
    input.row_groups = metadata->num_row_groups();
    for (int rg = 0; rg < metadata->num_row_groups(); ++rg) {
      auto row_group = metadata->RowGroup(rg);
      input.data_bytes += row_group->total_compressed_size();
      if (rg == 0 && row_group->num_columns() > 0) {
        input.codec = row_group->ColumnChunk(0)->compression();
      }
    }
    const parquet::SchemaDescriptor* schema = metadata->schema();
    for (int i = 0; i < schema->num_columns(); ++i) {
      const parquet::ColumnDescriptor* column = schema->Column(i);
      if (column->physical_type() == parquet::Type::INT96) input.has_int96 = true;
      if (column->logical_type() && column->logical_type()->is_decimal() &&
          (column->physical_type() == parquet::Type::INT32 ||
           column->physical_type() == parquet::Type::INT64)) {
        input.decimals_as_integers = true;
      }
    }
    auto kv = metadata->key_value_metadata();
    input.has_arrow_schema = kv && kv->FindKey("ARROW:schema") >= 0;
    input.physical_schema = PhysicalSchema::Fingerprint(*metadata);
    input.pages_refused = PhysicalSchema::PagesRefused(*metadata).value_or("");
    input.has_page_index = PhysicalSchema::HasPageIndex(*metadata);
    input.declared_sort = DeclaredSort::Of(*metadata);
    auto schema_status = parquet::arrow::FromParquetSchema(schema, ArrowReadProperties(), kv,
                                                           &input.schema);
    if (!schema_status.ok()) {
      return arrow::Status::Invalid("corrupt Parquet file ", uri,
                                    ": unreadable schema: ", schema_status.message());
    }
  } catch (const std::exception& e) {
    return arrow::Status::Invalid("corrupt Parquet file ", uri, ": ", e.what());
  }
  if (input.rows < 0) {
    return arrow::Status::Invalid("corrupt Parquet file ", uri, ": negative row count");
  }
  if (metadata_out) *metadata_out = std::move(metadata);
  return input;
}

}  // namespace s3c
