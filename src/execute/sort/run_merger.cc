#include "execute/sort/run_merger.h"

#include <algorithm>
#include <exception>
#include <new>
#include <unordered_map>

#include <arrow/buffer.h>
#include <arrow/compute/api_vector.h>
#include <arrow/io/file.h>
#include <arrow/ipc/reader.h>

#include "execute/sort/sort_key_columns.h"

namespace s3c {

struct RunMerger::Cursor {
  std::string path;
  int64_t rows_written = 0;
  int64_t rows_read = 0;
  size_t order = 0;  // the run's place in input order: the tie breaker
  std::shared_ptr<arrow::ipc::RecordBatchStreamReader> reader;
  std::shared_ptr<arrow::RecordBatch> batch;  // null once the run is exhausted
  arrow::ArrayVector keys;                    // SortKeyColumns of batch
  int64_t row = 0;
};

struct RunMerger::Segment {
  std::shared_ptr<arrow::RecordBatch> batch;
  int64_t offset;
  int64_t length;
};

namespace {

arrow::Status InRun(const std::string& path, const arrow::Status& status) {
  if (status.ok()) return status;
  return status.WithMessage("spill run ", path, ": ", status.message());
}

}  // namespace

RunMerger::RunMerger(std::shared_ptr<arrow::Schema> schema, ResolvedSort sort,
                     RowComparator comparator, int64_t output_batch_rows, arrow::MemoryPool* pool)
    : schema_(std::move(schema)),
      sort_(std::move(sort)),
      comparator_(std::move(comparator)),
      output_batch_rows_(std::max<int64_t>(1, output_batch_rows)),
      pool_(pool) {}

RunMerger::~RunMerger() = default;

arrow::Result<std::unique_ptr<RunMerger>> RunMerger::Open(std::shared_ptr<arrow::Schema> schema,
                                                          const ResolvedSort& sort,
                                                          const std::vector<SpillRun>& runs,
                                                          int64_t output_batch_rows,
                                                          arrow::MemoryPool* pool) {
  std::vector<std::shared_ptr<arrow::DataType>> key_types;
  for (const ResolvedSortKey& key : sort.keys()) key_types.push_back(SortKeyType(key.type));
  ARROW_ASSIGN_OR_RAISE(RowComparator comparator, RowComparator::Make(sort, key_types));
  std::unique_ptr<RunMerger> merger(
      new RunMerger(schema, sort, std::move(comparator), output_batch_rows, pool));
  merger->run_count_ = runs.size();
  auto read_options = arrow::ipc::IpcReadOptions::Defaults();
  read_options.memory_pool = pool;
  for (size_t i = 0; i < runs.size(); ++i) {
    auto cursor = std::make_unique<Cursor>();
    cursor->path = runs[i].path;
    cursor->rows_written = runs[i].rows;
    cursor->order = i;
    auto file = arrow::io::ReadableFile::Open(cursor->path, pool);
    ARROW_RETURN_NOT_OK(InRun(cursor->path, file.status()));
    auto reader = arrow::ipc::RecordBatchStreamReader::Open(*file, read_options);
    ARROW_RETURN_NOT_OK(InRun(cursor->path, reader.status()));
    cursor->reader = *reader;
    if (!cursor->reader->schema()->Equals(*schema, /*check_metadata=*/false)) {
      return arrow::Status::IOError("spill run ", cursor->path, ": schema ",
                                    cursor->reader->schema()->ToString(), " is not the sort's");
    }
    ARROW_RETURN_NOT_OK(merger->Advance(*cursor));
    merger->cursors_.push_back(std::move(cursor));
    if (merger->cursors_.back()->batch != nullptr) merger->heap_.push_back(i);
  }
  for (size_t i = merger->heap_.size() / 2; i-- > 0;) merger->SiftDown(i);
  return merger;
}

arrow::Status RunMerger::Advance(Cursor& cursor) {
  cursor.batch = nullptr;
  cursor.keys.clear();
  cursor.row = 0;
  while (cursor.reader != nullptr) {
    std::shared_ptr<arrow::RecordBatch> batch;
    ARROW_RETURN_NOT_OK(InRun(cursor.path, cursor.reader->ReadNext(&batch)));
    if (batch == nullptr) {
      cursor.reader = nullptr;  // closes the file
      if (cursor.rows_read != cursor.rows_written) {
        return arrow::Status::IOError("spill run ", cursor.path, ": ", cursor.rows_read,
                                      " rows read, ", cursor.rows_written, " written");
      }
      break;
    }
    cursor.rows_read += batch->num_rows();
    if (batch->num_rows() == 0) continue;
    auto keys = SortKeyColumns(*batch, sort_, pool_);
    ARROW_RETURN_NOT_OK(InRun(cursor.path, keys.status()));
    cursor.keys = (*keys)->columns();
    cursor.batch = std::move(batch);
    break;
  }
  return arrow::Status::OK();
}

bool RunMerger::Before(const Cursor& a, int64_t a_row, const Cursor& b) const {
  const int c = comparator_.Compare(a.keys, a_row, b.keys, b.row);
  return c < 0 || (c == 0 && a.order < b.order);
}

bool RunMerger::Less(size_t a, size_t b) const {
  return Before(*cursors_[a], cursors_[a]->row, *cursors_[b]);
}

void RunMerger::SiftDown(size_t i) {
  const size_t n = heap_.size();
  while (true) {
    size_t smallest = i;
    const size_t left = 2 * i + 1, right = 2 * i + 2;
    if (left < n && Less(heap_[left], heap_[smallest])) smallest = left;
    if (right < n && Less(heap_[right], heap_[smallest])) smallest = right;
    if (smallest == i) return;
    std::swap(heap_[i], heap_[smallest]);
    i = smallest;
  }
}

// How many rows of `top`, from its current row on (which precedes `next`), precede `next`'s
// current row, up to `limit`: the run is sorted, so they are a prefix; gallop, then bisect.
int64_t RunMerger::StretchBefore(const Cursor& top, int64_t limit, const Cursor& next) const {
  int64_t good = 1;  // rows [row, row + good) precede
  int64_t bad = -1;  // a count whose last row does not
  int64_t step = 1;
  while (good < limit) {
    const int64_t probe = std::min(limit, good + step);
    if (Before(top, top.row + probe - 1, next)) {
      good = probe;
      step *= 2;
    } else {
      bad = probe;
      break;
    }
  }
  if (bad < 0) return good;
  while (bad - good > 1) {
    const int64_t mid = good + (bad - good) / 2;
    if (Before(top, top.row + mid - 1, next)) {
      good = mid;
    } else {
      bad = mid;
    }
  }
  return good;
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> RunMerger::Gather(
    const std::vector<Segment>& segments, int64_t rows) {
  if (segments.size() == 1) return segments[0].batch->Slice(segments[0].offset, segments[0].length);
  if (rows >= 16 * static_cast<int64_t>(segments.size())) {
    // Long stretches: concatenate their slices.
    arrow::RecordBatchVector slices;
    slices.reserve(segments.size());
    for (const Segment& s : segments) slices.push_back(s.batch->Slice(s.offset, s.length));
    return arrow::ConcatenateRecordBatches(slices, pool_);
  }
  // Interleaved rows: per source batch, Take the rows it gives (in its order, which is their
  // output order among themselves), concatenate those, and Take them into output order. Each
  // row is copied three times, but nothing else is: a Take over the chunked source batches
  // would concatenate whole sources first (Arrow 26 does for variable-width columns), a copy
  // as big as one batch per run.
  std::unordered_map<const arrow::RecordBatch*, size_t> source_of;
  std::vector<std::shared_ptr<arrow::RecordBatch>> sources;
  std::vector<int64_t> counts;
  for (const Segment& s : segments) {
    auto [it, inserted] = source_of.emplace(s.batch.get(), sources.size());
    if (inserted) {
      sources.push_back(s.batch);
      counts.push_back(0);
    }
    counts[it->second] += s.length;
  }
  std::vector<int64_t> next_position(sources.size());
  std::vector<std::vector<int64_t>> picked(sources.size());
  for (size_t i = 0, start = 0; i < sources.size(); start += counts[i], ++i) {
    next_position[i] = static_cast<int64_t>(start);
    picked[i].reserve(counts[i]);
  }
  ARROW_ASSIGN_OR_RAISE(std::unique_ptr<arrow::Buffer> order_buffer,
                        arrow::AllocateBuffer(rows * static_cast<int64_t>(sizeof(int64_t)), pool_));
  auto* order = reinterpret_cast<int64_t*>(order_buffer->mutable_data());
  int64_t out = 0;
  for (const Segment& s : segments) {
    const size_t source = source_of[s.batch.get()];
    for (int64_t r = 0; r < s.length; ++r) {
      picked[source].push_back(s.offset + r);
      order[out++] = next_position[source]++;
    }
  }
  arrow::compute::ExecContext context(pool_);
  arrow::RecordBatchVector compact;
  for (size_t i = 0; i < sources.size(); ++i) {
    const std::vector<int64_t>& rows_of = picked[i];
    if (rows_of.back() - rows_of.front() + 1 == static_cast<int64_t>(rows_of.size())) {
      compact.push_back(sources[i]->Slice(rows_of.front(), static_cast<int64_t>(rows_of.size())));
      continue;
    }
    arrow::Int64Builder indices(pool_);
    ARROW_RETURN_NOT_OK(indices.AppendValues(rows_of));
    ARROW_ASSIGN_OR_RAISE(auto index_array, indices.Finish());
    ARROW_ASSIGN_OR_RAISE(arrow::Datum taken,
                          arrow::compute::Take(sources[i], index_array,
                                               arrow::compute::TakeOptions::NoBoundsCheck(), &context));
    compact.push_back(taken.record_batch());
  }
  sources.clear();
  picked.clear();
  ARROW_ASSIGN_OR_RAISE(auto together, arrow::ConcatenateRecordBatches(compact, pool_));
  compact.clear();
  auto order_array = std::make_shared<arrow::Int64Array>(rows, std::move(order_buffer));
  ARROW_ASSIGN_OR_RAISE(arrow::Datum result,
                        arrow::compute::Take(together, order_array,
                                             arrow::compute::TakeOptions::NoBoundsCheck(), &context));
  return result.record_batch();
}

arrow::Status RunMerger::Next(std::shared_ptr<arrow::RecordBatch>* batch) {
  std::vector<Segment> segments;
  int64_t rows = 0;
  while (rows < output_batch_rows_ && !heap_.empty()) {
    Cursor& top = *cursors_[heap_[0]];
    const int64_t limit = std::min(top.batch->num_rows() - top.row, output_batch_rows_ - rows);
    int64_t n = limit;
    if (heap_.size() > 1) {
      size_t next = heap_[1];
      if (heap_.size() > 2 && Less(heap_[2], heap_[1])) next = heap_[2];
      n = StretchBefore(top, limit, *cursors_[next]);
    }
    if (!segments.empty() && segments.back().batch == top.batch &&
        segments.back().offset + segments.back().length == top.row) {
      segments.back().length += n;
    } else {
      segments.push_back(Segment{top.batch, top.row, n});
    }
    top.row += n;
    rows += n;
    if (top.row == top.batch->num_rows()) {
      ARROW_RETURN_NOT_OK(Advance(top));
      if (top.batch == nullptr) {
        heap_[0] = heap_.back();
        heap_.pop_back();
      }
    }
    if (!heap_.empty()) SiftDown(0);
  }
  if (rows == 0) {
    *batch = nullptr;
    return Close();
  }
  ARROW_ASSIGN_OR_RAISE(*batch, Gather(segments, rows));
  return arrow::Status::OK();
}

arrow::Status RunMerger::ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) {
  *batch = nullptr;
  if (!status_.ok()) return status_;
  try {
    status_ = Next(batch);
  } catch (const std::bad_alloc&) {
    status_ = arrow::Status::OutOfMemory("merging sorted runs: out of memory");
  } catch (const std::exception& e) {
    status_ = arrow::Status::UnknownError("merging sorted runs: ", e.what());
  }
  if (!status_.ok()) {
    *batch = nullptr;
    cursors_.clear();
    heap_.clear();
  }
  return status_;
}

arrow::Status RunMerger::Close() {
  heap_.clear();
  cursors_.clear();
  return arrow::Status::OK();
}

}  // namespace s3c
