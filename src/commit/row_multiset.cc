#include "commit/row_multiset.h"

#include <algorithm>

#include <parquet/arrow/reader.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>

#include "execute/batch_aligner.h"
#include "execute/row_digest.h"
#include "plan/file_inspector.h"

namespace s3c {

template <typename Each>
arrow::Status RowMultiset::ForEachBatch(const Location& file, bool* aligned, Each each) {
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
    // A column the reference does not have would be dropped by the alignment: such a file holds
    // something the reference's rows do not, so none of its rows is one of them.
    for (const auto& field : schema->fields()) {
      if (schema_->GetFieldIndex(field->name()) < 0) {
        *aligned = false;
        return arrow::Status::OK();
      }
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
  } catch (const std::exception& e) {
    return arrow::Status::IOError("reading ", uri, ": ", e.what());
  }
}

arrow::Status RowMultiset::Add(const Location& file) {
  bool aligned = true;
  ARROW_RETURN_NOT_OK(ForEachBatch(file, &aligned, [&](const std::vector<uint64_t>& hashes) {
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
  ARROW_RETURN_NOT_OK(ForEachBatch(file, &aligned, [&](const std::vector<uint64_t>& hashes) {
    out.rows += static_cast<int64_t>(hashes.size());
    for (uint64_t h : hashes) {
      auto it = counts_.find(h);
      if (it == counts_.end()) continue;
      ++taken;
      if (--it->second == 0) counts_.erase(it);
    }
  }));
  size_ -= taken;
  if (!aligned) out.rows = std::max<int64_t>(out.rows, 1);  // not all of it can be ours
  return out;
}

}  // namespace s3c
