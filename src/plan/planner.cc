#include "plan/planner.h"

#include <algorithm>
#include <filesystem>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>

#include <arrow/util/compression.h>

#include "plan/file_inspector.h"
#include "plan/schema_unifier.h"
#include "report/stage_clock.h"
#include "storage/file_systems.h"
#include "storage/local_files.h"
#include "storage/run_layout.h"
#include "util/logging.h"
#include "util/parallel_for.h"
#include "util/utf8.h"

namespace s3c {
namespace {

using arrow::fs::FileInfo;
using arrow::fs::FileType;

// The files of `dir` readers see; `tool_folder` (if given) says whether it holds a tool folder
// (another run's, over this very folder).
arrow::Result<std::vector<FileInfo>> ListFiles(const Location& dir, bool* tool_folder = nullptr) {
  auto listed = ListFolder(dir);
  if (!listed.ok()) return listed.status();
  std::vector<FileInfo> files;
  for (auto& entry : *listed) {
    if (tool_folder && entry.type() == FileType::Directory &&
        BaseName(entry.path()) == RunLayout::kToolFolder) {
      *tool_folder = true;
    }
    if (entry.type() != FileType::File || RunLayout::IsHidden(BaseName(entry.path()))) continue;
    std::error_code ec;
    if (!dir.is_s3() && std::filesystem::is_symlink(entry.path(), ec)) {
      continue;  // someone else's file (discovery notes these where it keeps the files)
    }
    files.push_back(std::move(entry));
  }
  std::sort(files.begin(), files.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.path() < b.path(); });
  return files;
}

// The plan's partitions, one per listed partition, before anything is decided about them.
CompactionPlan PlanOfListing(const Table& table, PartitionListing listing) {
  CompactionPlan plan;
  plan.table = table;
  plan.notes = std::move(listing.notes);
  plan.list_requests = listing.list_requests;
  plan.partitions.resize(listing.partitions.size());
  for (size_t i = 0; i < listing.partitions.size(); ++i) {
    plan.partitions[i].partition = std::move(listing.partitions[i]);
  }
  return plan;
}

// A deferred file as its partition's sample describes it, scaled by size.
InputFile DescribedBy(const InputFile& sample, const FileInfo& info) {
  const double scale = static_cast<double>(info.size()) /
                       static_cast<double>(std::max<int64_t>(1, sample.info.size()));
  InputFile file = sample;
  file.info = info;
  file.rows = std::llround(static_cast<double>(sample.rows) * scale);
  file.data_bytes = std::llround(static_cast<double>(sample.data_bytes) * scale);
  file.footer_deferred = true;
  return file;
}

// Local names are bytes; the journal is JSON, which carries UTF-8 only. A partition whose
// folder or Parquet files it could not name is not compacted (never a crash, never a guess).
std::optional<std::string> NameTheJournalCannotRecord(const PartitionPlan& plan) {
  if (!IsValidUtf8(plan.partition.location.path)) return plan.partition.location.path;
  if (!IsValidUtf8(plan.partition.path)) return plan.partition.path;
  for (const InputFile& file : plan.files) {
    if (!IsValidUtf8(file.info.path())) return file.info.path();
  }
  return std::nullopt;
}

void FailWithBadFiles(PartitionPlan& partition, const std::vector<std::string>& errors) {
  partition.action = PartitionAction::kFail;
  partition.reason = errors.front();
  if (errors.size() > 1) {
    partition.reason += " (and " + std::to_string(errors.size() - 1) + " more bad file(s))";
  }
}

}  // namespace

// One partition while Plan reads its footers.
struct Planner::PartitionWork {
  explicit PartitionWork(PartitionPlan& plan) : plan(plan) {}

  /// Failed or settled: nothing more to read or decide.
  bool Decided() const { return plan.action == PartitionAction::kFail || settled; }

  PartitionPlan& plan;
  /// Left alone on its listing alone: no footer is read.
  bool settled = false;
  /// Per listed file: described by the sample's footer instead of its own.
  std::vector<bool> deferred;
  /// The listed file whose footer describes the deferred ones; SIZE_MAX if none is deferred.
  size_t sample = SIZE_MAX;
  /// Per listed file: its footer (nullopt: not Parquet), or why it could not be read.
  std::vector<arrow::Result<std::optional<InputFile>>> inspected;
};

std::string CodecName(arrow::Compression::type codec) {
  switch (codec) {
    case arrow::Compression::UNCOMPRESSED: return "uncompressed";
    case arrow::Compression::SNAPPY: return "snappy";
    case arrow::Compression::GZIP: return "gzip";
    case arrow::Compression::BROTLI: return "brotli";
    case arrow::Compression::ZSTD: return "zstd";
    case arrow::Compression::LZ4: return "lz4";
    case arrow::Compression::LZ4_FRAME: return "lz4";
    case arrow::Compression::LZ4_HADOOP: return "lz4";
    case arrow::Compression::LZO: return "lzo";
    case arrow::Compression::BZ2: return "bz2";
  }
  return "unknown";
}

arrow::Status ParseCompression(const std::string& text,
                               std::optional<arrow::Compression::type>* codec, int* level) {
  std::string name = text;
  *level = 0;
  auto colon = text.find(':');
  if (colon != std::string::npos) {
    name = text.substr(0, colon);
    std::string digits = text.substr(colon + 1);
    try {
      size_t used = 0;
      *level = std::stoi(digits, &used);
      if (used != digits.size()) throw std::invalid_argument(digits);
    } catch (const std::exception&) {
      return arrow::Status::Invalid("--compression: bad level '", digits, "' in '", text, "'");
    }
  }
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  static const std::map<std::string, arrow::Compression::type> kCodecs = {
      {"none", arrow::Compression::UNCOMPRESSED}, {"uncompressed", arrow::Compression::UNCOMPRESSED},
      {"snappy", arrow::Compression::SNAPPY},     {"gzip", arrow::Compression::GZIP},
      {"zstd", arrow::Compression::ZSTD},         {"lz4", arrow::Compression::LZ4},
      {"brotli", arrow::Compression::BROTLI}};
  if (name == "keep") {
    if (colon != std::string::npos) {
      return arrow::Status::Invalid("--compression: 'keep' takes no level");
    }
    codec->reset();
    return arrow::Status::OK();
  }
  auto it = kCodecs.find(name);
  if (it == kCodecs.end()) {
    return arrow::Status::Invalid("--compression: unknown codec '", name,
                                  "' (keep, none, snappy, gzip, zstd, lz4, brotli)");
  }
  if (!arrow::util::Codec::IsAvailable(it->second)) {
    return arrow::Status::Invalid("--compression: codec '", name, "' is not in this build");
  }
  if (colon != std::string::npos) {
    // Checked here, before anything is touched: a writer would only find out per partition.
    if (!arrow::util::Codec::SupportsCompressionLevel(it->second)) {
      return arrow::Status::Invalid("--compression: codec '", name, "' takes no level");
    }
    ARROW_ASSIGN_OR_RAISE(int lowest, arrow::util::Codec::MinimumCompressionLevel(it->second));
    ARROW_ASSIGN_OR_RAISE(int highest, arrow::util::Codec::MaximumCompressionLevel(it->second));
    if (*level < lowest || *level > highest) {
      return arrow::Status::Invalid("--compression: level ", *level, " is outside ", name,
                                    "'s range ", lowest, " to ", highest);
    }
  }
  *codec = it->second;
  return arrow::Status::OK();
}

arrow::Result<CompactionPlan> Planner::Plan(const Table& table, PartitionListing listing) {
  CompactionPlan plan = PlanOfListing(table, std::move(listing));
  // Listing where discovery did not already, then every footer, all in parallel: on S3 each is
  // a round trip.
  {
    StageClock::Scope listing(options_.clock, Stage::kListing);
    plan.list_requests += ListUnlisted(plan.partitions);
  }
  std::vector<PartitionWork> partitions;
  partitions.reserve(plan.partitions.size());
  for (PartitionPlan& partition : plan.partitions) {
    PartitionWork& work = partitions.emplace_back(partition);
    work.settled = SettleFromListing(partition);
    if (!work.Decided() && options_.listing_only) {
      EstimateFromListing(partition);
      work.settled = true;
    }
    if (!work.Decided()) ChooseFootersToRead(work);
  }
  ReadFooters(partitions);
  for (PartitionWork& work : partitions) {
    if (!work.Decided()) plan.list_requests += PlanFromFooters(work, table);
  }
  for (PartitionPlan& partition : plan.partitions) RecordIdentities(partition);
  return plan;
}

void Planner::RecordIdentities(PartitionPlan& plan) const {
  if (plan.partition.location.is_s3() ||
      (plan.action != PartitionAction::kCompact && plan.action != PartitionAction::kCopy)) {
    return;
  }
  for (InputFile& file : plan.files) {
    auto stat = LstatLocal(file.info.path());
    if (!stat.ok() || !*stat || (*stat)->kind != LocalKind::kFile ||
        (*stat)->identity.size != file.info.size()) {
      plan.action = PartitionAction::kFail;
      plan.reason = file.info.path() + " changed while the partition was planned";
      return;
    }
    file.device = (*stat)->identity.device;
    file.inode = (*stat)->identity.inode;
  }
}

int64_t Planner::ListUnlisted(std::vector<PartitionPlan>& partitions) const {
  std::atomic<int64_t> list_requests{0};
  ParallelFor(partitions.size(), options_.io_threads, [&](size_t i) {
    PartitionPlan& partition = partitions[i];
    if (partition.partition.files) return;
    auto files = ListFiles(partition.partition.location, &partition.holds_tool_folder);
    list_requests++;
    if (!files.ok()) {
      partition.action = PartitionAction::kFail;
      partition.reason = files.status().message();
      return;
    }
    partition.partition.files = std::move(files).ValueOrDie();
  });
  return list_requests.load();
}

double Planner::SmallFileThreshold() const {
  return options_.packing.small_file_ratio * static_cast<double>(options_.packing.target_bytes);
}

// In place, a partition whose listing already shows too few small files is left alone
// without reading a single footer: a scheduled run over a compacted table costs its listings.
bool Planner::SettleFromListing(PartitionPlan& partition) const {
  if (partition.action == PartitionAction::kFail || !InPlace(partition.partition)) return false;
  if (!options_.settle_from_listing && !options_.listing_only) return false;
  // Sorting: a partition of large files may still need it, which only their footers tell.
  if (options_.sort) return false;
  const double threshold = SmallFileThreshold();
  const auto& files = *partition.partition.files;
  const auto small = std::count_if(files.begin(), files.end(), [&](const FileInfo& f) {
    return static_cast<double>(f.size()) < threshold;
  });
  if (files.empty() || small >= options_.min_input_files) return false;
  partition.output_dir = partition.partition.location;
  partition.action = PartitionAction::kSkip;
  partition.reason = small == 0 ? "every file is already near the target size"
                                : std::to_string(small) +
                                      " small file(s), fewer than --min_input_files=" +
                                      std::to_string(options_.min_input_files);
  for (const auto& f : files) {
    InputFile listed;
    listed.info = f;  // footers not read: rows unknown
    partition.files.push_back(std::move(listed));
  }
  return true;
}

// Footers to read now: all but the deferred ones (small Parquet files the executor reads
// whole), of which each partition's first is read as the sample describing the others.
void Planner::ChooseFootersToRead(PartitionWork& work) const {
  const auto& files = *work.plan.partition.files;
  work.inspected.resize(files.size(), arrow::Status::UnknownError("not inspected"));
  work.deferred.assign(files.size(), false);
  std::vector<size_t> deferrable;
  for (size_t f = 0; f < files.size(); ++f) {
    if (FooterDeferrable(files[f])) deferrable.push_back(f);
  }
  if (deferrable.size() < 2) return;
  work.sample = deferrable.front();
  for (size_t k = 1; k < deferrable.size(); ++k) work.deferred[deferrable[k]] = true;
}

bool Planner::FooterDeferrable(const FileInfo& info) const {
  return options_.defer_footers_up_to > 0 && info.size() > 0 &&
         info.size() <= options_.defer_footers_up_to &&
         static_cast<double>(info.size()) < SmallFileThreshold() &&
         FileInspector::ClaimsToBeParquet(BaseName(info.path()));
}

void Planner::ReadFooters(std::vector<PartitionWork>& partitions) const {
  struct Read {
    PartitionWork* work;
    size_t file;
  };
  std::vector<Read> reads;
  for (PartitionWork& work : partitions) {
    if (work.Decided()) continue;
    for (size_t f = 0; f < work.deferred.size(); ++f) {
      if (!work.deferred[f]) reads.push_back({&work, f});
    }
  }
  ParallelFor(reads.size(), options_.io_threads, [&](size_t r) {
    const Read& read = reads[r];
    const Partition& partition = read.work->plan.partition;
    const FileInfo& info = (*partition.files)[read.file];
    read.work->inspected[read.file] =
        FileInspector::Inspect(Location{partition.location.fs, info.path()}, info);
    if (options_.on_file_inspected) options_.on_file_inspected();
  });
}

int64_t Planner::PlanFromFooters(PartitionWork& work, const Table& table) const {
  const std::vector<std::string> errors = CollectFiles(work);
  if (!errors.empty()) {
    FailWithBadFiles(work.plan, errors);
    return 0;
  }
  if (auto name = NameTheJournalCannotRecord(work.plan)) {
    work.plan.action = PartitionAction::kFail;
    work.plan.reason = "'" + EscapeInvalidUtf8(*name) +
                       "' is not valid UTF-8, so the run's journal cannot record it; the "
                       "partition is left as it is (rename it to compact it)";
    return 0;
  }
  PlanPartition(work.plan, table);
  if (work.plan.action == PartitionAction::kCopy) InspectDeferred(work.plan);
  return options_.target_root ? 1 : 0;  // the target folder was listed
}

std::vector<std::string> Planner::CollectFiles(PartitionWork& work) const {
  PartitionPlan& partition = work.plan;
  const auto& infos = *partition.partition.files;
  std::vector<std::string> errors;
  for (size_t f = 0; f < infos.size(); ++f) {
    if (work.deferred[f]) {
      AddDescribedBySample(work, infos[f]);
      continue;
    }
    auto& result = work.inspected[f];
    if (!result.ok()) {
      errors.push_back(result.status().message());
    } else if (result->has_value()) {
      // The sample is copied: the deferred files after it are described by it.
      if (f == work.sample) {
        partition.files.push_back(**result);
      } else {
        partition.files.push_back(std::move(**result));
      }
    } else {
      partition.other_files.push_back(infos[f]);
    }
  }
  return errors;
}

void Planner::AddDescribedBySample(PartitionWork& work, const FileInfo& info) const {
  const auto& described_by = work.inspected[work.sample];
  if (!described_by.ok() || !described_by->has_value()) return;  // the sample's error
  work.plan.files.push_back(DescribedBy(**described_by, info));
  if (options_.on_file_inspected) options_.on_file_inspected();
}

void Planner::InspectDeferred(PartitionPlan& plan) const {
  std::vector<size_t> todo;
  for (size_t i = 0; i < plan.files.size(); ++i) {
    if (plan.files[i].footer_deferred) todo.push_back(i);
  }
  std::vector<arrow::Result<std::optional<InputFile>>> results(
      todo.size(), arrow::Status::UnknownError("not inspected"));
  ParallelFor(todo.size(), options_.io_threads, [&](size_t k) {
    const auto& info = plan.files[todo[k]].info;
    results[k] = FileInspector::Inspect(Location{plan.partition.location.fs, info.path()}, info);
  });
  for (size_t k = 0; k < todo.size(); ++k) {
    if (!results[k].ok() || !results[k]->has_value()) {
      plan.action = PartitionAction::kFail;
      plan.reason = results[k].ok() ? "not a Parquet file: " + plan.files[todo[k]].info.path()
                                    : results[k].status().message();
      return;
    }
    plan.files[todo[k]] = std::move(**results[k]);
  }
}

bool Planner::InPlace(const Partition& partition) const {
  if (!options_.target_root) return true;
  // A partition that already lives in its target folder (an earlier run moved it there) is
  // compacted where it is.
  const Location target = options_.target_root->Child(partition.path);
  return target.SameFolder(partition.location);
}

void Planner::PlanPartition(PartitionPlan& plan, const Table& table) const {
  const bool to_target = !InPlace(plan.partition);
  plan.output_dir = to_target ? options_.target_root->Child(plan.partition.path)
                              : plan.partition.location;
  if (plan.files.empty()) {
    plan.action = PartitionAction::kSkip;
    plan.reason = plan.other_files.empty() ? "no files" : "no Parquet files";
    return;
  }
  if (to_target) {
    auto existing = ListFiles(plan.output_dir);
    if (!existing.ok()) {
      plan.action = PartitionAction::kFail;
      plan.reason = existing.status().message();
      return;
    }
    std::set<std::string> runs;
    for (const auto& file : *existing) {
      auto run = RunLayout::OutputRun(BaseName(file.path()));
      runs.insert(run ? *run : std::string());
    }
    if (!existing->empty() && !runs.count("")) {
      // Only what earlier runs of the tool wrote there (recovery has settled any that did not
      // finish): this partition was compacted to its target already, as a bounded run leaves it.
      plan.action = PartitionAction::kSkip;
      plan.reason = "already written to its target " + plan.output_dir.uri() + " by run " +
                    *runs.rbegin();
      return;
    }
    if (!existing->empty()) {
      plan.action = PartitionAction::kFail;
      plan.reason = "target " + plan.output_dir.uri() + " already holds " +
                    std::to_string(existing->size()) +
                    " file(s); refusing to mix them with this partition's rows";
      return;
    }
  }

  std::vector<FileToPack> to_pack;
  for (const auto& file : plan.files) {
    to_pack.push_back(FileToPack{file.info.size(), file.data_bytes});
  }
  Packing packing = PackFiles(to_pack, options_.packing);
  plan.kept = packing.large;
  const int64_t small = static_cast<int64_t>(packing.small_files());
  const int64_t out_files = packing.EstimatedOutputFiles(options_.packing.target_bytes);

  auto leave = [&](std::string why) {
    plan.action = to_target ? PartitionAction::kCopy : PartitionAction::kSkip;
    plan.reason = std::move(why);
    plan.kept.clear();
    for (size_t i = 0; i < plan.files.size(); ++i) plan.kept.push_back(i);
  };
  std::string nothing_to_compact = NothingToCompact(small, out_files);
  if (options_.sort) {
    // Sorted as a whole: every file is rewritten, in one group, unless the partition is
    // sorted already and has nothing else to compact.
    if (!nothing_to_compact.empty() && AlreadySorted(plan)) {
      return leave(nothing_to_compact + ", and sorted by " + options_.sort->ToString());
    }
    packing = WholePartition(plan);
    plan.kept.clear();
  } else if (!nothing_to_compact.empty()) {
    return leave(nothing_to_compact);
  }

  // The output schema is unified over the files being rewritten; files left alone keep theirs.
  SchemaUnifier unifier;
  std::vector<size_t> inputs;
  for (const auto& group : packing.groups) inputs.insert(inputs.end(), group.begin(), group.end());
  std::sort(inputs.begin(), inputs.end());
  for (size_t i : inputs) {
    Location where{plan.partition.location.fs, plan.files[i].info.path()};
    auto added = unifier.Add(plan.files[i].schema, where.uri());
    if (!added.ok()) {
      plan.action = PartitionAction::kFail;
      plan.reason = "incompatible schemas: " + added.message();
      return;
    }
  }
  plan.output_schema = unifier.Finish(table.column_names);

  for (size_t g = 0; g < packing.groups.size(); ++g) {
    CompactionGroup group;
    group.inputs = packing.groups[g];
    for (size_t i : group.inputs) {
      group.rows += plan.files[i].rows;
      group.input_bytes += plan.files[i].info.size();
      group.data_bytes += plan.files[i].data_bytes;
    }
    group.estimated_output_bytes = packing.group_estimated_bytes[g];
    plan.groups.push_back(std::move(group));
  }
  plan.estimated_output_files = options_.sort ? packing.EstimatedOutputFiles(options_.packing.target_bytes)
                                             : out_files;
  DecideAction(plan, inputs);
  if (plan.action == PartitionAction::kCompact && options_.sort) {
    auto resolved = options_.sort->Resolve(*plan.output_schema);
    if (!resolved.ok()) {
      plan.action = PartitionAction::kFail;
      plan.reason = resolved.status().message();
      return;
    }
    plan.sort = std::move(*resolved);
  }
  if (plan.action == PartitionAction::kCompact) ChooseMethods(plan);
}

std::string Planner::NothingToCompact(int64_t small, int64_t out_files) const {
  if (small == 0) return "every file is already near the target size";
  if (small < options_.min_input_files) {
    return std::to_string(small) + " small file(s), fewer than --min_input_files=" +
           std::to_string(options_.min_input_files);
  }
  if (out_files >= small) {
    return "already compact: its " + std::to_string(small) +
           " small file(s) would make as many files";
  }
  return "";
}

void Planner::EstimateFromListing(PartitionPlan& plan) const {
  const bool to_target = !InPlace(plan.partition);
  plan.output_dir = to_target ? options_.target_root->Child(plan.partition.path)
                              : plan.partition.location;
  std::vector<FileToPack> to_pack;
  for (const FileInfo& info : *plan.partition.files) {
    if (!FileInspector::ClaimsToBeParquet(BaseName(info.path()))) {
      plan.other_files.push_back(info);
      continue;
    }
    if (info.size() == 0 && plan.action != PartitionAction::kFail) {
      plan.action = PartitionAction::kFail;
      plan.reason = "not a Parquet file (zero bytes): " +
                    Location{plan.partition.location.fs, info.path()}.uri();
    }
    InputFile listed;
    listed.info = info;
    listed.data_bytes = info.size();
    plan.files.push_back(std::move(listed));
    to_pack.push_back(FileToPack{info.size(), info.size()});
  }
  if (plan.action == PartitionAction::kFail) return;
  if (plan.files.empty()) {
    plan.action = PartitionAction::kSkip;
    plan.reason = plan.other_files.empty() ? "no files" : "no Parquet files";
    return;
  }
  if (auto name = NameTheJournalCannotRecord(plan)) {
    plan.action = PartitionAction::kFail;
    plan.reason = "'" + EscapeInvalidUtf8(*name) +
                  "' is not valid UTF-8, so the run's journal cannot record it; the "
                  "partition is left as it is (rename it to compact it)";
    return;
  }
  Packing packing = PackFiles(to_pack, options_.packing);
  plan.kept = packing.large;
  const int64_t small = static_cast<int64_t>(packing.small_files());
  int64_t out_files = packing.EstimatedOutputFiles(options_.packing.target_bytes);
  if (options_.sort) {
    // Rewritten whole unless its files are sorted already, which only their footers tell.
    packing = WholePartition(plan);
    plan.kept.clear();
    out_files = packing.EstimatedOutputFiles(options_.packing.target_bytes);
    plan.reason = "sorted by --sort_by " + options_.sort->ToString() +
                  " (unless already sorted: --footers tells)";
  } else if (std::string why = NothingToCompact(small, out_files); !why.empty()) {
    plan.action = to_target ? PartitionAction::kCopy : PartitionAction::kSkip;
    plan.reason = std::move(why);
    plan.kept.clear();
    for (size_t i = 0; i < plan.files.size(); ++i) plan.kept.push_back(i);
    return;
  }
  for (size_t g = 0; g < packing.groups.size(); ++g) {
    CompactionGroup group;
    group.inputs = packing.groups[g];
    for (size_t i : group.inputs) {
      group.input_bytes += plan.files[i].info.size();
      group.data_bytes += plan.files[i].data_bytes;
    }
    group.estimated_output_bytes = packing.group_estimated_bytes[g];
    plan.groups.push_back(std::move(group));
  }
  plan.estimated_output_files = out_files;
  plan.action = PartitionAction::kCompact;
}

bool Planner::AlreadySorted(const PartitionPlan& plan) const {
  std::vector<const DeclaredSort*> declared;
  for (const InputFile& file : plan.files) {
    if (file.footer_deferred) return false;  // its own footer unread: unknown
    declared.push_back(&file.declared_sort);
  }
  return DeclaredSort::AlreadySorted(declared, *options_.sort);
}

Packing Planner::WholePartition(const PartitionPlan& plan) {
  Packing packing;
  packing.groups.emplace_back();
  int64_t bytes = 0;
  for (size_t i = 0; i < plan.files.size(); ++i) {
    packing.groups[0].push_back(i);
    bytes += plan.files[i].data_bytes;
  }
  packing.group_estimated_bytes.push_back(bytes);
  return packing;
}

namespace {

// Why `group`'s pages cannot be merged into the partition's output, or "" when they can.
std::string PagesRefusal(const PartitionPlan& plan, const CompactionGroup& group) {
  const InputFile& first = plan.files[group.inputs.front()];
  for (size_t i : group.inputs) {
    const InputFile& file = plan.files[i];
    const std::string name(BaseName(file.info.path()));
    if (!file.pages_refused.empty()) return name + ": " + file.pages_refused;
    if (file.physical_schema != first.physical_schema) {
      return name + " stores its columns unlike " + std::string(BaseName(first.info.path()));
    }
  }
  for (size_t i : group.inputs) {
    const InputFile& file = plan.files[i];
    const std::string name(BaseName(file.info.path()));
    if (!file.schema || file.schema->num_fields() != plan.output_schema->num_fields()) {
      return name + " has " + std::to_string(file.schema ? file.schema->num_fields() : 0) +
             " column(s), the partition's schema " +
             std::to_string(plan.output_schema->num_fields());
    }
    for (int f = 0; f < file.schema->num_fields(); ++f) {
      if (!file.schema->field(f)->Equals(*plan.output_schema->field(f), /*check_metadata=*/true)) {
        return name + "'s column " + file.schema->field(f)->name() +
               " differs from the partition's (" + plan.output_schema->field(f)->ToString() + ")";
      }
    }
  }
  return "";
}

// Output pages are input pages: an average input column chunk this small makes pages too
// small to read well, and --merge auto writes rows instead.
constexpr int64_t kSmallestAutoChunkBytes = 2048;

}  // namespace

void Planner::ChooseMethods(PartitionPlan& plan) const {
  for (CompactionGroup& group : plan.groups) {
    group.method = GroupMethod::kRewrite;
    if (plan.sort) {
      group.method_reason = "sorted by --sort_by";
      continue;
    }
    if (options_.merge == MergeMode::kRows) {
      group.method_reason = "--merge rows";
      continue;
    }
    group.method_reason = PagesRefusal(plan, group);
    if (!group.method_reason.empty()) continue;
    int64_t chunks = 0;
    for (size_t i : group.inputs) {
      const InputFile& file = plan.files[i];
      chunks += int64_t{file.row_groups} * std::max(1, file.schema->num_fields());
    }
    const int64_t per_chunk = chunks > 0 ? group.data_bytes / chunks : 0;
    if (options_.merge == MergeMode::kAuto && per_chunk < kSmallestAutoChunkBytes) {
      group.method_reason = "input column chunks of " + std::to_string(per_chunk) +
                            " bytes on average would make pages too small";
      continue;
    }
    group.method = GroupMethod::kPages;
  }
}

void Planner::DecideAction(PartitionPlan& plan, const std::vector<size_t>& inputs) const {
  OutputSettings& out = plan.output;
  std::map<arrow::Compression::type, int64_t> bytes_by_codec;
  for (size_t i : inputs) {
    const InputFile& file = plan.files[i];
    bytes_by_codec[file.codec] += file.info.size();
    out.int96_timestamps |= file.has_int96;
    out.decimals_as_integers |= file.decimals_as_integers;
    out.store_arrow_schema |= file.has_arrow_schema;
  }
  if (options_.codec) {
    out.codec = *options_.codec;
    out.compression_level = options_.compression_level;
  } else {
    out.codec = std::max_element(bytes_by_codec.begin(), bytes_by_codec.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; })
                    ->first;
  }
  // Files written as "LZ4" by Hadoop-era writers read back as LZ4_HADOOP; Arrow writes LZ4_RAW
  // for LZ4, which every current reader understands.
  if (out.codec == arrow::Compression::LZ4_HADOOP || out.codec == arrow::Compression::LZ4_FRAME) {
    out.codec = arrow::Compression::LZ4;
  }
  if (!arrow::util::Codec::IsAvailable(out.codec)) {
    plan.action = PartitionAction::kFail;
    plan.reason = "the inputs' codec " + CodecName(out.codec) +
                  " cannot be written by this build; choose one with --compression";
    return;
  }
  plan.action = PartitionAction::kCompact;
}

}  // namespace s3c
