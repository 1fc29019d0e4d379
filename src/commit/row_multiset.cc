#include "commit/row_multiset.h"

#include <algorithm>

#include <parquet/arrow/reader.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>

#include "execute/batch_aligner.h"
#include "execute/row_digest.h"
#include "plan/column_name.h"
#include "plan/schema_unifier.h"
#include "plan/file_inspector.h"

namespace s3c {

namespace {

// True when every column of `file` exists in `reference` and unifies into its type unchanged
// (SchemaUnifier's widening rules): aligning loses nothing.
bool WidensInto(const arrow::Schema& file, const arrow::Schema& reference) {
  for (const auto& field : file.fields()) {
    const std::vector<int> found = FieldIndicesIgnoringCase(reference.fields(), field->name());
    if (found.size() != 1) return false;
    const auto& into = reference.field(found.front());
    auto merged = SchemaUnifier::MergeTypes(into->type(), field->type());
    if (!merged.ok() || !(*merged)->Equals(*into->type())) return false;
  }
  return true;
}

}  // namespace

template <typename Each>
arrow::Status RowMultiset::ForEachBatch(const Location& file, bool* aligned, int64_t* rows,
                                        Each each) {
  const std::string uri = file.uri();
  try {
    ARROW_ASSIGN_OR_RAISE(auto source, file.fs->OpenInputFile(file.path));
    std::unique_ptr<parquet::arrow::FileReader> reader;
    ARROW_ASSIGN_OR_RAISE(reader, parquet::arrow::FileReader::Make(
                                      arrow::default_memory_pool(),
                                      parquet::ParquetFileReader::Open(source),
                                      FileInspector::ArrowReadProperties()));
    std::shared_ptr<arrow::Schema> schema;
    ARROW_RETURN_NOT_OK(reader->GetSchema(&schema));
    *rows = reader->parquet_reader()->metadata()->num_rows();
    if (!WidensInto(*schema, *schema_)) {
      // Aligning would drop or narrow something (a column or struct field the reference lacks,
      // a finer type): such a file holds what the reference's rows cannot, so no row of it
      // is compared.
      *aligned = false;
      return arrow::Status::OK();
    }
    auto aligner = BatchAligner::Make(schema, schema_, uri);
    *aligned = aligner.ok();
    if (!aligner.ok()) return arrow::Status::OK();
    ARROW_ASSIGN_OR_RAISE(auto batches, reader->GetRecordBatchReader());
    std::vector<uint64_t> hashes;
    while (true) {
      std::shared_ptr<arrow::RecordBatch> batch;
      ARROW_RETURN_NOT_OK(batches->ReadNext(&batch));
      if (!batch) break;
      auto out = aligner->Align(batch);
      if (!out.ok()) {
        *aligned = false;  // a value that does not fit the reference type: not one of its rows
        return arrow::Status::OK();
      }
      ARROW_RETURN_NOT_OK(RowDigest::RowHashes(**out, &hashes));
      each(hashes);
    }
    return arrow::Status::OK();
  } catch (const parquet::ParquetInvalidOrCorruptedFileException& e) {
    return arrow::Status::Invalid("reading ", uri, ": not a Parquet file readers can read (",
                                  e.what(), ")");
  } catch (const std::exception& e) {
    return arrow::Status::IOError("reading ", uri, ": ", e.what());
  }
}

arrow::Status RowMultiset::Add(const Location& file) {
  bool aligned = true;
  int64_t rows = 0;
  ARROW_RETURN_NOT_OK(ForEachBatch(file, &aligned, &rows, [&](const std::vector<uint64_t>& hashes) {
    for (uint64_t h : hashes) ++counts_[h];
    size_ += static_cast<int64_t>(hashes.size());
  }));
  if (!aligned) {
    return arrow::Status::Invalid(file.uri(), " does not have the columns of ",
                                  schema_->ToString(/*show_metadata=*/false));
  }
  return arrow::Status::OK();
}

arrow::Result<RowMultiset::Taken> RowMultiset::Take(const Location& file) {
  bool aligned = true;
  Taken out;
  int64_t& taken = out.taken;
  ARROW_RETURN_NOT_OK(ForEachBatch(file, &aligned, &out.rows, [&](const std::vector<uint64_t>& hashes) {
    for (uint64_t h : hashes) {
      auto it = counts_.find(h);
      if (it == counts_.end()) continue;
      ++taken;
      if (--it->second == 0) counts_.erase(it);
    }
  }));
  size_ -= taken;
  out.comparable = aligned;
  return out;
}

}  // namespace s3c
