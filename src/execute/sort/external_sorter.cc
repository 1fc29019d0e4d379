#include "execute/sort/external_sorter.h"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <new>
#include <system_error>

#include <arrow/compute/api_vector.h>
#include <arrow/compute/initialize.h>
#include <arrow/io/file.h>
#include <arrow/ipc/writer.h>
#include <arrow/util/byte_size.h>

#include "execute/sort/run_merger.h"
#include "execute/sort/sort_key_columns.h"
#include "execute/sort/spill_directory.h"
#include "execute/sort/sort_storage.h"

namespace s3c {
namespace {

// Hands out one sorted batch as slices of up to `rows` rows (zero-copy).
class SlicingReader final : public arrow::RecordBatchReader {
 public:
  SlicingReader(std::shared_ptr<arrow::Schema> schema, std::shared_ptr<arrow::RecordBatch> batch,
                int64_t rows)
      : schema_(std::move(schema)), batch_(std::move(batch)), rows_(rows) {}

  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    *out = nullptr;
    if (batch_ == nullptr || offset_ >= batch_->num_rows()) {
      batch_ = nullptr;
      return arrow::Status::OK();
    }
    *out = batch_->Slice(offset_, rows_);
    offset_ += rows_;
    return arrow::Status::OK();
  }

 private:
  std::shared_ptr<arrow::Schema> schema_;
  std::shared_ptr<arrow::RecordBatch> batch_;
  const int64_t rows_;
  int64_t offset_ = 0;
};

// Hands on another reader's batches cast back to the caller's schema (see sort_storage.h).
class CastingReader final : public arrow::RecordBatchReader {
 public:
  CastingReader(std::shared_ptr<arrow::Schema> schema, std::unique_ptr<arrow::RecordBatchReader> inner,
                arrow::MemoryPool* pool)
      : schema_(std::move(schema)), inner_(std::move(inner)), pool_(pool) {}

  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    ARROW_RETURN_NOT_OK(inner_->ReadNext(out));
    if (*out != nullptr) {
      ARROW_ASSIGN_OR_RAISE(*out, CastColumns(*out, schema_, pool_));
    }
    return arrow::Status::OK();
  }
  arrow::Status Close() override { return inner_->Close(); }

 private:
  std::shared_ptr<arrow::Schema> schema_;
  std::unique_ptr<arrow::RecordBatchReader> inner_;
  arrow::MemoryPool* pool_;
};

arrow::Status InFile(const std::string& path, const arrow::Status& status) {
  if (status.ok()) return status;
  return status.WithMessage("spill file ", path, ": ", status.message());
}

int64_t BytesOf(const arrow::RecordBatch& batch) {
  auto referenced = arrow::util::ReferencedBufferSize(batch);
  return referenced.ok() ? *referenced : arrow::util::TotalBufferSize(batch);
}

template <typename F>
auto Guarded(const std::string& name, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return arrow::Status::OutOfMemory(name, ": out of memory");
  } catch (const std::exception& e) {
    return arrow::Status::UnknownError(name, ": ", e.what());
  }
}

}  // namespace

ExternalSorter::ExternalSorter(std::shared_ptr<arrow::Schema> schema, ResolvedSort sort,
                               ExternalSorterOptions options)
    : schema_(std::move(schema)),
      storage_schema_(StorageSchema(schema_)),
      sort_(std::move(sort)),
      options_(std::move(options)) {}

ExternalSorter::~ExternalSorter() = default;

arrow::Result<std::unique_ptr<ExternalSorter>> ExternalSorter::Make(
    std::shared_ptr<arrow::Schema> schema, ResolvedSort sort, ExternalSorterOptions options) {
  if (options.memory_budget_bytes <= 0 || options.output_batch_rows <= 0 ||
      options.max_merge_fan_in < 2) {
    return arrow::Status::Invalid(options.name, ": memory_budget_bytes and output_batch_rows must be "
                                  "positive and max_merge_fan_in at least 2");
  }
  if (options.spill_compression != arrow::Compression::UNCOMPRESSED &&
      !arrow::util::Codec::IsAvailable(options.spill_compression)) {
    return arrow::Status::Invalid(options.name, ": spill codec ",
                                  arrow::util::Codec::GetCodecAsString(options.spill_compression),
                                  " is not available");
  }
  if (options.pool == nullptr) options.pool = arrow::default_memory_pool();
  // The sort and take kernels live in libarrow_compute since Arrow 21; registering is idempotent.
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
  return std::unique_ptr<ExternalSorter>(
      new ExternalSorter(std::move(schema), std::move(sort), std::move(options)));
}

std::string ExternalSorter::spill_path() const {
  return spill_ != nullptr && !spill_->removed() ? spill_->path() : std::string();
}

arrow::Status ExternalSorter::Failed(arrow::Status status) {
  status_ = status;
  buffer_.clear();
  buffered_bytes_ = 0;
  if (spill_ != nullptr) spill_->Remove();
  return status;
}

arrow::Status ExternalSorter::Add(std::shared_ptr<arrow::RecordBatch> batch) {
  if (!status_.ok()) return status_;
  if (finished_) return arrow::Status::Invalid(options_.name, ": Add after Finish");
  arrow::Status status = Guarded(options_.name, [&] { return DoAdd(std::move(batch)); });
  return status.ok() ? status : Failed(std::move(status));
}

arrow::Status ExternalSorter::DoAdd(std::shared_ptr<arrow::RecordBatch> batch) {
  if (!batch->schema()->Equals(*schema_, /*check_metadata=*/false)) {
    return arrow::Status::Invalid(options_.name, ": a batch of schema ", batch->schema()->ToString(),
                                  " added to a sort of ", schema_->ToString());
  }
  if (batch->num_rows() == 0) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(batch, ToStorage(batch, storage_schema_, options_.pool));
  const int64_t bytes = BytesOf(*batch);
  stats_.rows_sorted += batch->num_rows();
  bytes_added_ += bytes;
  buffered_bytes_ += bytes;
  buffer_.push_back(std::move(batch));
  stats_.peak_buffered_bytes = std::max(stats_.peak_buffered_bytes, buffered_bytes_);
  if (buffered_bytes_ > options_.memory_budget_bytes) return SpillBuffer();
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> ExternalSorter::SortBuffer() {
  if (buffer_.empty()) return nullptr;
  std::shared_ptr<arrow::RecordBatch> all;
  if (buffer_.size() == 1) {
    all = std::move(buffer_[0]);
  } else {
    ARROW_ASSIGN_OR_RAISE(all, arrow::ConcatenateRecordBatches(buffer_, options_.pool));
  }
  buffer_.clear();
  buffered_bytes_ = 0;
  ARROW_ASSIGN_OR_RAISE(auto keys, SortKeyColumns(*all, sort_, options_.pool));
  arrow::compute::ExecContext context(options_.pool);
  ARROW_ASSIGN_OR_RAISE(auto indices,
                        arrow::compute::SortIndices(arrow::Datum(keys), sort_.KeySortOptions(), &context));
  keys = nullptr;
  ARROW_ASSIGN_OR_RAISE(arrow::Datum sorted,
                        arrow::compute::Take(arrow::Datum(all), arrow::Datum(indices),
                                             arrow::compute::TakeOptions::NoBoundsCheck(), &context));
  return sorted.record_batch();
}

int64_t ExternalSorter::SpillBatchRows() const {
  const int64_t row_bytes = std::max<int64_t>(1, bytes_added_ / std::max<int64_t>(1, stats_.rows_sorted));
  const int64_t target_bytes = options_.memory_budget_bytes / options_.max_merge_fan_in;
  return std::clamp<int64_t>(target_bytes / row_bytes, 1, options_.output_batch_rows);
}

int64_t ExternalSorter::MergeBatchRows() const {
  // The merge gathers an output batch in about three copies: with wide rows, 64k of them would
  // be the whole partition several times over (a review measured 1.3 GB at a 16 MiB budget).
  const int64_t row_bytes = std::max<int64_t>(1, bytes_added_ / std::max<int64_t>(1, stats_.rows_sorted));
  const int64_t target_bytes = std::max<int64_t>(1, options_.memory_budget_bytes / 8);
  return std::clamp<int64_t>(target_bytes / row_bytes, 1, options_.output_batch_rows);
}

arrow::Status ExternalSorter::SpillBuffer() {
  ARROW_ASSIGN_OR_RAISE(auto sorted, SortBuffer());
  if (sorted == nullptr) return arrow::Status::OK();
  if (spill_ == nullptr) {
    auto made = SpillDirectory::Create(options_.spill_dir);
    if (!made.ok()) return made.status().WithMessage(options_.name, ": ", made.status().message());
    spill_ = std::move(*made);
  }
  SlicingReader slices(storage_schema_, std::move(sorted), SpillBatchRows());
  ARROW_ASSIGN_OR_RAISE(SpillRun run, WriteRun(slices));
  runs_.push_back(std::move(run));
  ++stats_.runs_spilled;
  return arrow::Status::OK();
}

arrow::Result<SpillRun> ExternalSorter::WriteRun(arrow::RecordBatchReader& sorted) {
  const std::string path = spill_->NewFilePath("run");
  int64_t rows = 0;
  auto stream = arrow::io::FileOutputStream::Open(path);
  ARROW_RETURN_NOT_OK(InFile(path, stream.status()));
  auto write_options = arrow::ipc::IpcWriteOptions::Defaults();
  write_options.memory_pool = options_.pool;
  if (options_.spill_compression != arrow::Compression::UNCOMPRESSED) {
    auto codec = arrow::util::Codec::Create(options_.spill_compression);
    ARROW_RETURN_NOT_OK(InFile(path, codec.status()));
    write_options.codec = std::shared_ptr<arrow::util::Codec>(std::move(*codec));
  }
  auto writer = arrow::ipc::MakeStreamWriter(*stream, storage_schema_, write_options);
  ARROW_RETURN_NOT_OK(InFile(path, writer.status()));
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    ARROW_RETURN_NOT_OK(sorted.ReadNext(&batch));
    if (batch == nullptr) break;
    rows += batch->num_rows();
    ARROW_RETURN_NOT_OK(InFile(path, (*writer)->WriteRecordBatch(*batch)));
  }
  ARROW_RETURN_NOT_OK(InFile(path, (*writer)->Close()));
  auto bytes = (*stream)->Tell();
  ARROW_RETURN_NOT_OK(InFile(path, bytes.status()));
  ARROW_RETURN_NOT_OK(InFile(path, (*stream)->Close()));
  stats_.bytes_spilled += *bytes;
  return SpillRun{path, rows};
}

// Merges consecutive groups of max_merge_fan_in runs into one run each (input order is kept, so
// the merge stays stable).
arrow::Status ExternalSorter::MergePass() {
  std::vector<SpillRun> merged;
  const size_t fan_in = static_cast<size_t>(options_.max_merge_fan_in);
  for (size_t first = 0; first < runs_.size(); first += fan_in) {
    const size_t last = std::min(runs_.size(), first + fan_in);
    if (last - first == 1) {
      merged.push_back(runs_[first]);
      continue;
    }
    std::vector<SpillRun> group(runs_.begin() + static_cast<std::ptrdiff_t>(first),
                                   runs_.begin() + static_cast<std::ptrdiff_t>(last));
    ARROW_ASSIGN_OR_RAISE(auto merger, RunMerger::Open(storage_schema_, sort_, group, SpillBatchRows(),
                                                       options_.pool));
    ARROW_ASSIGN_OR_RAISE(SpillRun run, WriteRun(*merger));
    merger = nullptr;
    for (const SpillRun& done : group) {
      std::error_code ignored;
      std::filesystem::remove(done.path, ignored);
    }
    merged.push_back(std::move(run));
  }
  runs_ = std::move(merged);
  ++stats_.merge_passes;
  return arrow::Status::OK();
}

arrow::Result<std::unique_ptr<arrow::RecordBatchReader>> ExternalSorter::Finish() {
  if (!status_.ok()) return status_;
  if (finished_) return arrow::Status::Invalid(options_.name, ": Finish called twice");
  finished_ = true;
  auto result = Guarded(options_.name, [&] { return DoFinish(); });
  if (!result.ok()) return Failed(result.status());
  if (storage_schema_ == schema_) return result;
  return std::unique_ptr<arrow::RecordBatchReader>(
      std::make_unique<CastingReader>(schema_, std::move(*result), options_.pool));
}

arrow::Result<std::unique_ptr<arrow::RecordBatchReader>> ExternalSorter::DoFinish() {
  if (runs_.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto sorted, SortBuffer());
    return std::unique_ptr<arrow::RecordBatchReader>(
        std::make_unique<SlicingReader>(storage_schema_, std::move(sorted), options_.output_batch_rows));
  }
  ARROW_RETURN_NOT_OK(SpillBuffer());
  while (runs_.size() > static_cast<size_t>(options_.max_merge_fan_in)) {
    ARROW_RETURN_NOT_OK(MergePass());
  }
  ARROW_ASSIGN_OR_RAISE(auto merger, RunMerger::Open(storage_schema_, sort_, runs_,
                                                     MergeBatchRows(), options_.pool));
  spill_->Remove();  // the merger reads through open descriptors
  runs_.clear();
  return std::unique_ptr<arrow::RecordBatchReader>(std::move(merger));
}

}  // namespace s3c
