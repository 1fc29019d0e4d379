#include "execute/group_compactor.h"

#include <algorithm>
#include <deque>
#include <optional>

#include <arrow/io/memory.h>
#include <arrow/util/future.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>

#include "execute/batch_coalescer.h"
#include "execute/group_inputs.h"
#include "execute/batch_aligner.h"
#include "execute/sort/external_sorter.h"
#include "util/fault_point.h"
#include "execute/int96_guard.h"
#include "execute/plan_mismatch.h"
#include "plan/file_inspector.h"
#include "plan/planner.h"
#include "report/stage_clock.h"

namespace s3c {
namespace {

std::shared_ptr<parquet::WriterProperties> MakeWriterProperties(
    const OutputSettings& out, int64_t max_row_group_rows,
    std::vector<parquet::SortingColumn> sorting_columns = {}) {
  parquet::WriterProperties::Builder builder;
  // Sorted output says so in every row group, so that readers (and our next run) know it.
  if (!sorting_columns.empty()) builder.set_sorting_columns(std::move(sorting_columns));
  builder.compression(out.codec);
  if (out.compression_level != 0) builder.compression_level(out.compression_level);
  // Row groups are sized by RollingFileWriter; this only keeps Arrow from cutting them.
  builder.max_row_group_length(max_row_group_rows);
  if (out.decimals_as_integers) builder.enable_store_decimal_as_integer();
  return builder.build();
}

std::shared_ptr<parquet::ArrowWriterProperties> MakeArrowWriterProperties(
    const OutputSettings& out) {
  parquet::ArrowWriterProperties::Builder builder;
  builder.set_use_threads(false);  // groups already run in parallel
  if (out.int96_timestamps) builder.enable_deprecated_int96_timestamps();
  if (out.store_arrow_schema) builder.store_schema();
  return builder.build();
}

// Where a group's rows go once aligned: the digest (when asked), then, in batches of a useful
// size, the writer; or, when the group is sorted, the sorter (which gathers them itself).
class BatchSink {
 public:
  BatchSink(RollingFileWriter& writer, ExternalSorter* sorter, const ExecuteOptions& options,
            RowDigest* digest)
      : writer_(writer),
        sorter_(sorter),
        coalescer_(options.coalesce_rows, options.coalesce_bytes),
        digest_(options.digest ? digest : nullptr) {}

  arrow::Status Add(std::shared_ptr<arrow::RecordBatch> aligned) {
    if (digest_) ARROW_RETURN_NOT_OK(digest_->Update(*aligned));
    if (sorter_) return sorter_->Add(std::move(aligned));
    ARROW_ASSIGN_OR_RAISE(auto ready, coalescer_.Add(std::move(aligned)));
    if (ready) ARROW_RETURN_NOT_OK(writer_.Add(ready));
    return arrow::Status::OK();
  }

  /// Everything added reaches the writer: the rest of the coalescer, or every row in order.
  arrow::Status Flush() {
    if (sorter_) {
      // Crash tests: a sort killed with runs on disk (the next run sweeps them).
      if (sorter_->stats().runs_spilled > 0) FaultPoint::Hit("mid_sort");
      ARROW_ASSIGN_OR_RAISE(auto sorted, sorter_->Finish());
      while (true) {
        std::shared_ptr<arrow::RecordBatch> batch;
        ARROW_RETURN_NOT_OK(sorted->ReadNext(&batch));
        if (!batch) break;
        ARROW_RETURN_NOT_OK(writer_.Add(batch));
      }
      return arrow::Status::OK();
    }
    ARROW_ASSIGN_OR_RAISE(auto rest, coalescer_.Flush());
    if (rest) ARROW_RETURN_NOT_OK(writer_.Add(rest));
    return arrow::Status::OK();
  }

 private:
  RollingFileWriter& writer_;
  ExternalSorter* sorter_;  // null: rows keep their input order
  BatchCoalescer coalescer_;
  RowDigest* digest_;  // null: no digest taken
};

// The Parquet sorting_columns of `schema` written with these properties, sorted by `sort`;
// empty when a key is not one leaf (then the files do not declare their order).
std::vector<parquet::SortingColumn> SortingColumnsOf(
    const ResolvedSort& sort, const arrow::Schema& schema,
    const std::shared_ptr<parquet::WriterProperties>& properties,
    const std::shared_ptr<parquet::ArrowWriterProperties>& arrow_properties) {
  std::shared_ptr<parquet::SchemaDescriptor> descriptor;
  if (!parquet::arrow::ToParquetSchema(&schema, *properties, *arrow_properties, &descriptor).ok()) {
    return {};
  }
  return sort.ParquetSortingColumns(*descriptor);
}

}  // namespace

int64_t GroupCompactor::RowGroupBytes(const ExecuteOptions& options) {
  if (options.row_group_bytes > 0) return options.row_group_bytes;
  return std::clamp<int64_t>(options.size.target_bytes / 4, 64LL << 10, 128LL << 20);
}

GroupCompactor::GroupCompactor(const PartitionPlan& plan, size_t group_index,
                               const RunLayout& layout, const ExecuteOptions& options,
                               std::function<void(int64_t)> on_input_done)
    : plan_(plan),
      group_index_(group_index),
      layout_(layout),
      options_(options),
      on_input_done_(std::move(on_input_done)) {}

arrow::Result<GroupOutput> GroupCompactor::Run() {
  // Writing, but for the reading WriteAll times inside it.
  StageClock::Scope writing(options_.clock, Stage::kWriting);
  const CompactionGroup& group = plan_.groups[group_index_];
  const Location staging = layout_.StagingDir(plan_.partition.path);
  ARROW_RETURN_NOT_OK(CreateStaging(staging));
  RollingWriterOptions writer_options;
  writer_options.size = options_.size;
  writer_options.row_group_bytes = RowGroupBytes(options_);
  writer_options.expected_rows = group.rows;  // estimated while some footers are deferred
  writer_options.expected_rows_exact = std::none_of(
      group.inputs.begin(), group.inputs.end(), [&](size_t i) { return plan_.files[i].footer_deferred; });
  writer_options.initial_bytes_per_row =
      group.rows > 0 ? static_cast<double>(group.data_bytes) / static_cast<double>(group.rows)
                     : 100.0;
  const std::string codec = CodecName(plan_.output.codec);
  const int group_number = static_cast<int>(group_index_);
  auto properties = MakeWriterProperties(plan_.output, writer_options.max_row_group_rows);
  auto arrow_properties = MakeArrowWriterProperties(plan_.output);
  std::unique_ptr<ExternalSorter> sorter;
  if (plan_.sort) {
    properties = MakeWriterProperties(
        plan_.output, writer_options.max_row_group_rows,
        SortingColumnsOf(*plan_.sort, *plan_.output_schema, properties, arrow_properties));
    ExternalSorterOptions sort_options;
    sort_options.memory_budget_bytes = options_.sort_memory_bytes;
    if (!options_.spill_path.empty()) sort_options.spill_dir = options_.spill_path;
    sort_options.name = "--sort_by";  // the partition is named by whoever reports the error
    ARROW_ASSIGN_OR_RAISE(sorter, ExternalSorter::Make(plan_.output_schema, *plan_.sort,
                                                       std::move(sort_options)));
  }
  RollingFileWriter writer(
      plan_.output_schema, properties, arrow_properties, writer_options,
      [&](int index) -> arrow::Result<std::pair<Location, std::shared_ptr<arrow::io::OutputStream>>> {
        Location out = staging.Child(layout_.OutputFileName(group_number, index, codec));
        auto stream = out.fs->OpenOutputStream(out.path);
        if (!stream.ok()) {
          return stream.status().WithMessage("creating ", out.uri(), ": ",
                                             stream.status().message());
        }
        return std::make_pair(out, *stream);
      });

  GroupOutput output;
  arrow::Status st = WriteAll(writer, sorter.get(), &output);
  if (sorter) {
    output.sort.rows = sorter->stats().rows_sorted;
    output.sort.runs_spilled = sorter->stats().runs_spilled;
    output.sort.bytes_spilled = sorter->stats().bytes_spilled;
    sorter.reset();  // its spill folder goes now, not with the group's output
  }
  if (st.ok()) st = writer.Finish();
  if (st.ok() && writer_options.expected_rows_exact && output.rows_read != group.rows) {
    st = arrow::Status::Invalid("read ", output.rows_read, " rows where the footers promised ",
                                group.rows);
  }
  if (!st.ok()) {
    writer.Abandon();
    DiscardStaged(writer.files());
    return st;
  }
  output.files = writer.files();
  return output;
}

arrow::Status GroupCompactor::WriteAll(RollingFileWriter& writer, ExternalSorter* sorter,
                                       GroupOutput* output) {
  const CompactionGroup& group = plan_.groups[group_index_];
  size_t deferred_left = std::count_if(group.inputs.begin(), group.inputs.end(),
                                       [&](size_t i) { return plan_.files[i].footer_deferred; });
  InputPrefetcher prefetcher(plan_, group, options_);
  BatchSink sink(writer, sorter, options_, &output->digest);
  while (std::optional<PendingInput> input = prefetcher.Next()) {
    const InputFile& meta = plan_.files[input->index];
    const std::string uri = Location{plan_.partition.location.fs, meta.info.path()}.uri();
    // Fetching (or waiting for the prefetch) and decoding; each batch's writing times itself.
    StageClock::Scope reading(options_.clock, Stage::kReading);
    ARROW_ASSIGN_OR_RAISE(auto source, SourceOf(*input, meta, uri));
    prefetcher.FillUp();  // keep the pipeline full while this file is decoded and written
    ARROW_ASSIGN_OR_RAISE(Footer footer, CheckedFooter(meta, uri, source));
    if (meta.footer_deferred) {
      writer.AdjustExpectedRows(footer.rows - meta.rows, /*exact=*/--deferred_left == 0);
    }
    ARROW_ASSIGN_OR_RAISE(
        int64_t rows,
        StreamRows(meta, uri, source, footer, plan_.output_schema,
                   [&](std::shared_ptr<arrow::RecordBatch> batch) {
                     StageClock::Scope writing(options_.clock, Stage::kWriting);
                     return sink.Add(std::move(batch));
                   }));
    output->rows_read += rows;
    if (on_input_done_) on_input_done_(meta.info.size());
  }
  return sink.Flush();
}

}  // namespace s3c
