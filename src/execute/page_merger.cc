#include "execute/page_merger.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>

#include <arrow/ipc/writer.h>
#include <arrow/util/base64.h>
#include <arrow/util/key_value_metadata.h>
#include <parquet/column_page.h>
#include <parquet/column_writer.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>
#include <parquet/file_writer.h>
#include <parquet/metadata.h>
#include <parquet/page_index.h>
#include <parquet/properties.h>

#include "execute/counting_output_stream.h"
#include "execute/group_compactor.h"
#include "execute/group_inputs.h"
#include "execute/plan_mismatch.h"
#include "execute/pages/chunk_assembler.h"
#include "plan/planner.h"
#include "report/stage_clock.h"
#include "util/logging.h"

namespace s3c {
namespace {

// An input file open for its pages.
struct OpenInput {
  size_t index = 0;  // into PartitionPlan::files
  std::string uri;
  std::shared_ptr<arrow::io::RandomAccessFile> source;
  std::shared_ptr<parquet::ParquetFileReader> reader;
  std::shared_ptr<parquet::FileMetaData> metadata;
  int64_t file_size = 0;
  int row_groups_left = 0;
};

// One input row group: the unit an output row group is made of.
struct Unit {
  std::shared_ptr<OpenInput> input;
  int row_group = 0;
  int64_t rows = 0;
  int64_t bytes = 0;  // compressed bytes of its column chunks
};

// Pages are read with their CRCs checked where they have one: a page copied as it is would
// otherwise carry its corruption into the output unseen.
parquet::ReaderProperties ReadProperties() {
  parquet::ReaderProperties properties = parquet::default_reader_properties();
  properties.set_page_checksum_verification(true);
  return properties;
}

// Sizes are known before writing, so files are held to 5% of the target (or the policy's
// tolerance, if tighter) rather than the row path's 10%.
FileSizePolicy PagesPolicy(FileSizePolicy policy) {
  policy.tolerance = std::min(policy.tolerance, 0.05);
  return policy;
}

// The key-value metadata of an output file: the partition's schema's, with ARROW:schema when
// the inputs carry one (as Arrow's writer would write it).
arrow::Result<std::shared_ptr<const arrow::KeyValueMetadata>> OutputMetadata(
    const PartitionPlan& plan) {
  auto metadata = plan.output_schema->metadata() ? plan.output_schema->metadata()->Copy()
                                                 : std::make_shared<arrow::KeyValueMetadata>();
  if (metadata->Contains("ARROW:schema")) ARROW_RETURN_NOT_OK(metadata->Delete("ARROW:schema"));
  if (plan.output.store_arrow_schema) {
    ARROW_ASSIGN_OR_RAISE(auto serialized, arrow::ipc::SerializeSchema(*plan.output_schema));
    metadata->Append("ARROW:schema", arrow::util::base64_encode(serialized->ToString()));
  }
  if (metadata->size() == 0) return nullptr;
  return metadata;
}

// A reader handing over the pages of `chunk` as they are stored (the codec told UNCOMPRESSED),
// or null when the chunk's byte range does not lie inside the file.
std::function<std::unique_ptr<parquet::PageReader>()> StoredPages(
    const std::shared_ptr<OpenInput>& input, std::shared_ptr<parquet::ColumnChunkMetaData> chunk,
    const parquet::ColumnDescriptor* descr) {
  // Writers before ARROW-10353 (parquet-cpp < 2.0) flag compressed v2 pages as uncompressed;
  // Arrow's reader knows, a copied header would not: their pages are taken decompressed.
  if (input->metadata->writer_version().VersionLt(
          parquet::ApplicationVersion::PARQUET_CPP_10353_FIXED_VERSION())) {
    return nullptr;
  }
  int64_t start = chunk->data_page_offset();
  if (chunk->has_dictionary_page() && chunk->dictionary_page_offset() > 0) {
    start = std::min(start, chunk->dictionary_page_offset());
  }
  const int64_t length = chunk->total_compressed_size();
  if (start < 4 || length <= 0 || start > input->file_size || length > input->file_size - start) {
    return nullptr;
  }
  return [input, chunk, descr, start, length] {
    auto properties = ReadProperties();
    auto stream = properties.GetStream(input->source, start, length);
    return parquet::PageReader::Open(stream, chunk->num_values(),
                                     parquet::Compression::UNCOMPRESSED, properties, *descr);
  };
}

}  // namespace

// The merge: inputs opened in order, their row groups queued as units, output row groups and
// files cut on the units' bytes.
class PageMerger::Stream {
 public:
  Stream(const PartitionPlan& plan, size_t group_index, const RunLayout& layout,
         const ExecuteOptions& options, std::function<void(int64_t)> on_input_done,
         GroupOutput* output)
      : plan_(plan),
        group_(plan.groups[group_index]),
        group_index_(group_index),
        layout_(layout),
        options_(options),
        on_input_done_(std::move(on_input_done)),
        output_(output),
        prefetcher_(plan, group_, options),
        staging_(layout.StagingDir(plan.partition.path)),
        row_group_bytes_(GroupCompactor::RowGroupBytes(options)),
        policy_(PagesPolicy(options.size)) {
    page_index_ = true;
    for (size_t i : group_.inputs) {
      unopened_bytes_ += plan.files[i].data_bytes;
      page_index_ = page_index_ && plan.files[i].has_page_index;
    }
  }

  ~Stream() { Abandon(); }

  arrow::Status Run() {
    // Writing (page copying included), but for the inputs' opening, timed as reading.
    StageClock::Scope writing(options_.clock, Stage::kWriting);
    ARROW_RETURN_NOT_OK(CreateStaging(staging_));
    ARROW_ASSIGN_OR_RAISE(key_value_, OutputMetadata(plan_));
    parquet::WriterProperties::Builder properties;
    properties.compression(plan_.output.codec);
    if (plan_.output.compression_level != 0) {
      properties.compression_level(plan_.output.compression_level);
    }
    properties_ = properties.build();
    while (true) {
      ARROW_ASSIGN_OR_RAISE(std::vector<Unit> units, NextRowGroup());
      if (units.empty()) break;
      ARROW_RETURN_NOT_OK(WriteRowGroup(units));
      if (EndsFile()) ARROW_RETURN_NOT_OK(CloseFile());
    }
    if (sink_) ARROW_RETURN_NOT_OK(CloseFile());
    const bool exact = std::none_of(group_.inputs.begin(), group_.inputs.end(),
                                    [&](size_t i) { return plan_.files[i].footer_deferred; });
    if (exact && output_->rows_read != group_.rows) {
      return arrow::Status::Invalid("read ", output_->rows_read, " rows where the footers promised ",
                                    group_.rows);
    }
    return arrow::Status::OK();
  }

  /// Aborts the file being written, if any (an S3 upload must not complete).
  void Abandon() {
    if (sink_) {
      auto st = sink_->Abort();
      (void)st;
    }
    sink_.reset();
    file_.reset();
  }

 private:
  // The next unit, opening inputs as needed; nullopt at the end of the group.
  // An input that failed to open fails every later call: none is ever skipped.
  arrow::Result<std::optional<Unit>> Peek() {
    ARROW_RETURN_NOT_OK(open_status_);
    while (units_.empty()) {
      std::optional<PendingInput> pending = prefetcher_.Next();
      if (!pending) return std::nullopt;
      open_status_ = Open(*pending);
      ARROW_RETURN_NOT_OK(open_status_);
      prefetcher_.FillUp();
    }
    return units_.front();
  }

  arrow::Status Open(const PendingInput& pending) {
    StageClock::Scope reading(options_.clock, Stage::kReading);
    const InputFile& meta = plan_.files[pending.index];
    auto input = std::make_shared<OpenInput>();
    input->index = pending.index;
    input->uri = Location{plan_.partition.location.fs, meta.info.path()}.uri();
    input->file_size = meta.info.size();
    ARROW_ASSIGN_OR_RAISE(input->source, SourceOf(pending, meta, input->uri));
    ARROW_ASSIGN_OR_RAISE(Footer footer,
                          CheckedFooter(meta, input->uri, input->source, /*need_metadata=*/true));
    if (meta.physical_schema != group_physical_schema()) {
      return arrow::Status::Invalid("file ", input->uri,
                                    " is stored unlike the group's first file; planned wrongly");
    }
    input->metadata = footer.metadata;
    try {
      input->reader = parquet::ParquetFileReader::Open(
          input->source, ReadProperties(), footer.metadata);
    } catch (const std::exception& e) {
      return arrow::Status::Invalid("corrupt Parquet file ", input->uri, ": ", e.what());
    }
    if (options_.digest) {
      // --verify=content: the rows are decoded for the digest only.
      ARROW_RETURN_NOT_OK(StreamRows(meta, input->uri, input->source, footer, plan_.output_schema,
                                     [&](std::shared_ptr<arrow::RecordBatch> batch) {
                                       return output_->digest.Update(*batch);
                                     })
                              .status());
    }
    unopened_bytes_ -= meta.data_bytes;
    int64_t rows = 0;
    const int row_groups = input->metadata->num_row_groups();
    for (int rg = 0; rg < row_groups; ++rg) {
      auto row_group = input->metadata->RowGroup(rg);
      if (row_group->num_rows() < 0) {
        return arrow::Status::Invalid("corrupt Parquet file ", input->uri, ": row group ", rg,
                                      " of ", row_group->num_rows(), " rows");
      }
      rows += row_group->num_rows();
      if (row_group->num_rows() == 0) continue;
      Unit unit{input, rg, row_group->num_rows(), row_group->total_compressed_size()};
      queued_bytes_ += unit.bytes;
      units_.push_back(std::move(unit));
      input->row_groups_left++;
    }
    if (rows != footer.rows) {
      return arrow::Status::IOError("reading ", input->uri, ": its row groups hold ", rows,
                                    " rows, its footer says ", footer.rows);
    }
    output_->rows_read += rows;
    if (input->row_groups_left == 0) Consumed(*input);
    return arrow::Status::OK();
  }

  const std::string& group_physical_schema() const {
    return plan_.files[group_.inputs.front()].physical_schema;
  }

  void Consumed(const OpenInput& input) {
    if (on_input_done_) on_input_done_(plan_.files[input.index].info.size());
  }

  // Output bytes per input byte, as measured so far (merged dictionaries save some).
  double Ratio() const {
    if (consumed_input_bytes_ <= 0) return 1.0;
    return std::clamp(static_cast<double>(written_bytes_) / static_cast<double>(consumed_input_bytes_),
                      0.05, 4.0);
  }

  // Output bytes of the inputs not yet written (estimated for those not yet opened).
  double ToCome() const {
    return static_cast<double>(queued_bytes_ + std::max<int64_t>(unopened_bytes_, 0)) * Ratio();
  }

  // Output bytes still to come, the current file's included.
  double Remaining() const { return static_cast<double>(InFile()) + ToCome(); }

  int64_t InFile() const { return sink_ ? sink_->bytes_written() : 0; }

  // The units of the next output row group: whole input row groups, while they fit the row
  // group's size and the file's target.
  arrow::Result<std::vector<Unit>> NextRowGroup() {
    std::vector<Unit> units;
    ARROW_ASSIGN_OR_RAISE(std::optional<Unit> first, Peek());
    if (!first) return units;
    if (!sink_) ARROW_RETURN_NOT_OK(OpenFile());
    const double ratio = Ratio();
    // The file's room (the last file: everything still to come) is split into row groups of
    // about the row group size, evenly: no runt row group at a file's end.
    const double rg = static_cast<double>(row_group_bytes_);
    const double file_room =
        file_plan_.files > 1 ? static_cast<double>(std::max<int64_t>(file_target_ - InFile(), 1))
                             : ToCome();
    const double row_groups = std::max(1.0, std::round(file_room / rg));
    double room = file_room / row_groups;
    if (row_groups == 1.0 && file_plan_.files <= 1) room = std::max(room, 1.5 * rg);
    double bytes = 0;
    while (true) {
      ARROW_ASSIGN_OR_RAISE(std::optional<Unit> next, Peek());
      if (!next) break;
      const double more = static_cast<double>(next->bytes) * ratio;
      if (!units.empty() && bytes + more > room) break;
      bytes += more;
      queued_bytes_ -= next->bytes;
      units.push_back(std::move(units_.front()));
      units_.pop_front();
    }
    return units;
  }

  // After a row group: whether the file has reached its target (or the next row group would
  // take it past it by more than it falls short now).
  bool EndsFile() {
    auto next = Peek();
    if (!next.ok() || !*next) return false;  // the loop ends the file (or reports the error)
    const double in_file = static_cast<double>(InFile());
    const double after = in_file + static_cast<double>((*next)->bytes) * Ratio();
    const double target = static_cast<double>(file_target_);
    const double limit = static_cast<double>(policy_.target_bytes) * (1.0 + policy_.tolerance);
    if (after > limit) return true;  // never past the tolerance
    // The last file takes the rest: an estimate that was low must not split off a runt.
    if (file_plan_.files <= 1) return false;
    if (in_file >= target) return true;
    return after > target && after - target > target - in_file;
  }

  arrow::Status OpenFile() {
    const FileSizePolicy& policy = policy_;
    const double remaining = Remaining();
    FilePlan fresh = policy.Plan(remaining);
    if (fresh.balanced || !policy.Keeps(file_plan_, remaining)) file_plan_ = fresh;
    file_target_ = policy.FileTarget(file_plan_, remaining);
    const int index = static_cast<int>(output_->files.size());
    Location out = staging_.Child(layout_.OutputFileName(static_cast<int>(group_index_), index,
                                                         CodecName(plan_.output.codec)));
    auto stream = out.fs->OpenOutputStream(out.path);
    if (!stream.ok()) {
      return stream.status().WithMessage("creating ", out.uri(), ": ", stream.status().message());
    }
    output_->files.push_back(WrittenFile{out, 0, 0, 0, false});
    sink_ = std::make_shared<CountingOutputStream>(*stream);
    ARROW_RETURN_NOT_OK(sink_->Write("PAR1", 4));
    first_input_ = units_.empty() ? nullptr : units_.front().input;
    file_ = parquet::FileMetaDataBuilder::Make(first_input_->metadata->schema(), properties_);
    if (page_index_) page_index_builder_ = parquet::PageIndexBuilder::Make(first_input_->metadata->schema());
    row_groups_in_file_ = 0;
    return arrow::Status::OK();
  }

  arrow::Status WriteRowGroup(const std::vector<Unit>& units) {
    const parquet::SchemaDescriptor* schema = first_input_->metadata->schema();
    auto* row_group = file_->AppendRowGroup();
    if (page_index_builder_) page_index_builder_->AppendRowGroup();
    int64_t rows = 0, input_bytes = 0;
    for (const Unit& unit : units) {
      rows += unit.rows;
      input_bytes += unit.bytes;
    }
    const int64_t start = InFile();
    int64_t chunk_bytes = 0;
    for (int c = 0; c < schema->num_columns(); ++c) {
      const parquet::ColumnDescriptor* descr = schema->Column(c);
      std::vector<pages::ChunkSource> sources;
      int64_t declared_values = 0;
      int64_t rows_before = 0;  // in the output row group, before this unit
      for (const Unit& unit : units) {
        std::shared_ptr<parquet::ColumnChunkMetaData> chunk =
            unit.input->metadata->RowGroup(unit.row_group)->ColumnChunk(c);
        declared_values += chunk->num_values();
        pages::ChunkSource source;
        source.name = unit.input->uri;
        std::shared_ptr<OpenInput> input = unit.input;
        const int rg = unit.row_group;
        source.open = [input, rg, c] { return input->reader->RowGroup(rg)->GetColumnPageReader(c); };
        source.open_compressed = StoredPages(input, chunk, descr);
        source.codec = chunk->compression();
        source.statistics = chunk->statistics();
        if (page_index_builder_) ARROW_RETURN_NOT_OK(PageIndexOf(unit, c, rows_before, &source));
        rows_before += unit.rows;
        sources.push_back(std::move(source));
      }
      auto* chunk = row_group->NextColumnChunk();
      std::unique_ptr<parquet::PageWriter> pages;
      try {
        parquet::CodecOptions codec_options;
        if (plan_.output.compression_level != 0) {
          codec_options.compression_level = plan_.output.compression_level;
        }
        parquet::ColumnIndexBuilder* column_index = nullptr;
        parquet::OffsetIndexBuilder* offset_index = nullptr;
        if (page_index_builder_) {
          column_index = page_index_builder_->GetColumnIndexBuilder(c);
          offset_index = page_index_builder_->GetOffsetIndexBuilder(c);
        }
        // Page CRCs are always written: Arrow's page API does not say whether an input page
        // had one (they are checked on read where they do), and they cost ~2% of the CPU.
        pages = parquet::PageWriter::Open(sink_, plan_.output.codec, chunk, -1, -1,
                                          arrow::default_memory_pool(), false, nullptr, nullptr,
                                          /*page_write_checksum_enabled=*/true, column_index,
                                          offset_index, codec_options);
      } catch (const std::exception& e) {
        return arrow::Status::IOError("writing ", output_->files.back().location.uri(), ": ",
                                      e.what());
      }
      pages::ChunkAssembler assembler(descr, kDictionaryPageLimit, plan_.output.codec);
      ARROW_ASSIGN_OR_RAISE(pages::ChunkWritten written, assembler.Write(sources, pages.get(), chunk));
      if (written.values != declared_values) {
        return arrow::Status::Invalid(
            "column ", descr->path()->ToDotString(), " of ", units.front().input->uri,
            (units.size() > 1 ? " and the files after it" : ""), ": its pages hold ",
            written.values, " values where the metadata declares ", declared_values);
      }
      // Every input's chunk starts exactly its row group's rows: a chunk with a record more or
      // less would shift every later input's values into other rows.
      for (size_t u = 0; u < units.size(); ++u) {
        if (written.records[u] != units[u].rows) {
          return arrow::Status::Invalid(units[u].input->uri, ", column ",
                                        descr->path()->ToDotString(), ": its pages hold ",
                                        written.records[u], " rows where row group ",
                                        units[u].row_group, " has ", units[u].rows);
        }
      }
      chunk_bytes += pages->total_compressed_bytes_written();
    }
    try {
      row_group->set_num_rows(rows);
      row_group->Finish(chunk_bytes, static_cast<int16_t>(row_groups_in_file_));
    } catch (const std::exception& e) {
      return arrow::Status::IOError("writing ", output_->files.back().location.uri(), ": ",
                                    e.what());
    }
    row_groups_in_file_++;
    WrittenFile& file = output_->files.back();
    file.rows += rows;
    file.row_groups++;
    written_bytes_ += InFile() - start;
    consumed_input_bytes_ += input_bytes;
    for (const Unit& unit : units) {
      if (--unit.input->row_groups_left == 0) Consumed(*unit.input);
    }
    return arrow::Status::OK();
  }

  // The page index of `unit`'s chunk `c` into `source`: each data page's first row (its offset
  // index), counted in the output row group where the unit starts at `rows_before`, and each
  // page's statistics (its column index, when it has one).
  arrow::Status PageIndexOf(const Unit& unit, int c, int64_t rows_before,
                            pages::ChunkSource* source) {
    std::shared_ptr<parquet::OffsetIndex> index;
    std::shared_ptr<parquet::ColumnIndex> column_index;
    try {
      auto reader = unit.input->reader->GetPageIndexReader();
      auto row_group = reader ? reader->RowGroup(unit.row_group) : nullptr;
      index = row_group ? row_group->GetOffsetIndex(c) : nullptr;
      column_index = row_group ? row_group->GetColumnIndex(c) : nullptr;
    } catch (const std::exception& e) {
      return arrow::Status::Invalid("corrupt page index in ", unit.input->uri, ": ", e.what());
    }
    if (!index || index->page_locations().empty()) {
      return arrow::Status::Invalid("file ", unit.input->uri, " has no offset index for column ",
                                    c, " of row group ", unit.row_group,
                                    " where its footer promised one");
    }
    std::vector<int64_t> first_rows;
    int64_t previous = -1;
    for (const auto& page : index->page_locations()) {
      if (page.first_row_index <= previous || page.first_row_index >= unit.rows ||
          (previous < 0 && page.first_row_index != 0)) {
        return arrow::Status::Invalid("corrupt offset index in ", unit.input->uri,
                                      ": a page starts at row ", page.first_row_index);
      }
      previous = page.first_row_index;
      first_rows.push_back(rows_before + page.first_row_index);
    }
    source->first_rows = std::move(first_rows);
    const size_t pages = source->first_rows.size();
    if (column_index && column_index->null_pages().size() == pages &&
        column_index->encoded_min_values().size() == pages &&
        column_index->encoded_max_values().size() == pages &&
        (!column_index->has_null_counts() || column_index->null_counts().size() == pages)) {
      for (size_t k = 0; k < pages; ++k) {
        parquet::EncodedStatistics statistics;
        if (column_index->has_null_counts()) {
          statistics.set_null_count(column_index->null_counts()[k]);
        }
        if (column_index->null_pages()[k]) {
          statistics.all_null_value = true;
        } else {
          statistics.set_min(column_index->encoded_min_values()[k]);
          statistics.set_max(column_index->encoded_max_values()[k]);
        }
        source->page_statistics.push_back(std::move(statistics));
      }
    }
    return arrow::Status::OK();
  }

  arrow::Status CloseFile() {
    WrittenFile& file = output_->files.back();
    try {
      if (page_index_builder_) {
        page_index_builder_->Finish();
        auto locations = page_index_builder_->WriteTo(sink_.get());
        file_->SetIndexLocations(parquet::IndexKind::kColumnIndex,
                                 locations.column_index_locations);
        file_->SetIndexLocations(parquet::IndexKind::kOffsetIndex,
                                 locations.offset_index_locations);
      }
      auto metadata = file_->Finish(key_value_);
      parquet::WriteFileMetaData(*metadata, sink_.get());
    } catch (const std::exception& e) {
      return arrow::Status::IOError("writing ", file.location.uri(), ": ", e.what());
    }
    auto closed = sink_->Close();
    if (!closed.ok()) {
      return closed.WithMessage("writing ", file.location.uri(), ": ", closed.message());
    }
    file.bytes = sink_->bytes_written();
    file.complete = true;
    log::Debug("pages: wrote ", file.location.uri(), ": ", file.rows, " rows, ", file.row_groups,
             " row group(s), ", file.bytes, " bytes (file target ", file_target_, ")");
    sink_.reset();
    file_.reset();
    page_index_builder_.reset();
    if (file_plan_.files > 1) file_plan_.files--;
    return arrow::Status::OK();
  }

  const PartitionPlan& plan_;
  const CompactionGroup& group_;
  const size_t group_index_;
  const RunLayout& layout_;
  const ExecuteOptions& options_;
  std::function<void(int64_t)> on_input_done_;
  GroupOutput* output_;
  InputPrefetcher prefetcher_;
  const Location staging_;
  const int64_t row_group_bytes_;
  const FileSizePolicy policy_;

  arrow::Status open_status_;   // sticky: the first input that failed to open
  std::deque<Unit> units_;      // opened, not yet written
  int64_t queued_bytes_ = 0;    // their compressed bytes
  int64_t unopened_bytes_ = 0;  // the plan's estimate for the inputs not yet opened
  int64_t written_bytes_ = 0, consumed_input_bytes_ = 0;

  std::shared_ptr<parquet::WriterProperties> properties_;
  std::shared_ptr<const arrow::KeyValueMetadata> key_value_;
  FilePlan file_plan_;
  int64_t file_target_ = 0;
  std::shared_ptr<CountingOutputStream> sink_;
  std::unique_ptr<parquet::FileMetaDataBuilder> file_;
  bool page_index_ = false;  // every input has one: the outputs keep one
  std::unique_ptr<parquet::PageIndexBuilder> page_index_builder_;
  std::shared_ptr<OpenInput> first_input_;  // whose schema the file is written with
  int row_groups_in_file_ = 0;
};

PageMerger::PageMerger(const PartitionPlan& plan, size_t group_index, const RunLayout& layout,
                       const ExecuteOptions& options, std::function<void(int64_t)> on_input_done)
    : plan_(plan),
      group_index_(group_index),
      layout_(layout),
      options_(options),
      on_input_done_(std::move(on_input_done)) {}

arrow::Result<GroupOutput> PageMerger::Run() {
  GroupOutput output;
  arrow::Status st;
  int64_t reported = 0;  // input bytes the attempt reported done (the progress bar)
  auto report = [&](int64_t bytes) {
    reported += bytes;
    if (on_input_done_) on_input_done_(bytes);
  };
  {
    Stream stream(plan_, group_index_, layout_, options_, report, &output);
    try {
      st = stream.Run();
    } catch (const std::exception& e) {
      // Arrow's metadata accessors throw on a footer that parses but lies.
      st = arrow::Status::Invalid("partition ", PartitionName(plan_.partition.path), ": a corrupt input: ",
                                  e.what());
    }
    if (!st.ok()) stream.Abandon();
  }
  if (st.ok()) return output;
  DiscardStaged(output.files);
  if (st.IsNotImplemented() && !PlanMismatch::Is(st)) {
    log::Info("pages: ", st.message(), "; the group goes through the row path");
    // The row path reports every input again: what the attempt reported already is not.
    auto again = [this, skip = reported](int64_t bytes) mutable {
      const int64_t skipped = std::min(skip, bytes);
      skip -= skipped;
      if (bytes > skipped && on_input_done_) on_input_done_(bytes - skipped);
    };
    ARROW_ASSIGN_OR_RAISE(GroupOutput rows,
                          GroupCompactor(plan_, group_index_, layout_, options_, again).Run());
    rows.rows_instead = st.message();
    return rows;
  }
  return st;
}

}  // namespace s3c
