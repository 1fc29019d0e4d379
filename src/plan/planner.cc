#include "plan/planner.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <map>

#include <arrow/util/compression.h>

#include "plan/file_inspector.h"
#include "plan/schema_unifier.h"
#include "storage/run_layout.h"
#include "util/logging.h"
#include "util/parallel_for.h"

namespace s3c {
namespace {

using arrow::fs::FileInfo;
using arrow::fs::FileType;

arrow::Result<std::vector<FileInfo>> ListFiles(const Location& dir) {
  arrow::fs::FileSelector selector;
  selector.base_dir = dir.path;
  selector.allow_not_found = true;
  auto listed = dir.fs->GetFileInfo(selector);
  if (!listed.ok()) {
    return listed.status().WithMessage("listing ", dir.uri(), ": ", listed.status().message());
  }
  std::vector<FileInfo> files;
  for (auto& entry : *listed) {
    if (entry.type() == FileType::File && !RunLayout::IsHidden(BaseName(entry.path()))) {
      files.push_back(std::move(entry));
    }
  }
  std::sort(files.begin(), files.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.path() < b.path(); });
  return files;
}

}  // namespace

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
  *codec = it->second;
  return arrow::Status::OK();
}

arrow::Result<CompactionPlan> Planner::Plan(const Table& table, PartitionListing listing) {
  CompactionPlan plan;
  plan.table = table;
  plan.notes = std::move(listing.notes);
  plan.list_requests = listing.list_requests;
  std::atomic<int64_t> list_requests{0};
  plan.partitions.resize(listing.partitions.size());
  for (size_t i = 0; i < listing.partitions.size(); ++i) {
    plan.partitions[i].partition = std::move(listing.partitions[i]);
  }
  // Listing where discovery did not already, then every footer, all in parallel: on S3 each is
  // a round trip.
  ParallelFor(plan.partitions.size(), options_.io_threads, [&](size_t i) {
    PartitionPlan& partition = plan.partitions[i];
    if (partition.partition.files) return;
    auto files = ListFiles(partition.partition.location);
    list_requests++;
    if (!files.ok()) {
      partition.action = PartitionAction::kFail;
      partition.reason = files.status().message();
      return;
    }
    partition.partition.files = std::move(files).ValueOrDie();
  });

  // In place, a partition whose listing already shows too few small files is left alone
  // without reading a single footer: a scheduled run over a compacted table costs its listings.
  std::vector<bool> settled(plan.partitions.size(), false);
  {
    const double threshold =
        options_.packing.small_file_ratio * static_cast<double>(options_.packing.target_bytes);
    for (size_t p = 0; p < plan.partitions.size(); ++p) {
      PartitionPlan& partition = plan.partitions[p];
      if (partition.action == PartitionAction::kFail || !InPlace(partition.partition)) continue;
      const auto& files = *partition.partition.files;
      const auto small = std::count_if(files.begin(), files.end(), [&](const FileInfo& f) {
        return static_cast<double>(f.size()) < threshold;
      });
      if (files.empty() || small >= options_.min_input_files) continue;
      settled[p] = true;
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
    }
  }

  // Footers to read now: all but the deferred ones (small Parquet files the executor reads
  // whole), of which each partition's first is read as the sample describing the others.
  const double small_below =
      options_.packing.small_file_ratio * static_cast<double>(options_.packing.target_bytes);
  std::vector<std::vector<bool>> deferred(plan.partitions.size());
  std::vector<size_t> sample(plan.partitions.size(), SIZE_MAX);
  struct Job {
    size_t partition, file;
  };
  std::vector<Job> jobs;
  std::vector<std::vector<arrow::Result<std::optional<InputFile>>>> inspected(
      plan.partitions.size());
  for (size_t p = 0; p < plan.partitions.size(); ++p) {
    if (plan.partitions[p].action == PartitionAction::kFail || settled[p]) continue;
    const auto& files = *plan.partitions[p].partition.files;
    inspected[p].resize(files.size(), arrow::Status::UnknownError("not inspected"));
    deferred[p].assign(files.size(), false);
    std::vector<size_t> deferrable;
    for (size_t f = 0; f < files.size(); ++f) {
      const FileInfo& info = files[f];
      if (options_.defer_footers_up_to > 0 && info.size() > 0 &&
          info.size() <= options_.defer_footers_up_to &&
          static_cast<double>(info.size()) < small_below &&
          FileInspector::ClaimsToBeParquet(BaseName(info.path()))) {
        deferrable.push_back(f);
      }
    }
    if (deferrable.size() >= 2) {
      sample[p] = deferrable.front();
      for (size_t k = 1; k < deferrable.size(); ++k) deferred[p][deferrable[k]] = true;
    }
    for (size_t f = 0; f < files.size(); ++f) {
      if (!deferred[p][f]) jobs.push_back({p, f});
    }
  }
  ParallelFor(jobs.size(), options_.io_threads, [&](size_t j) {
    const Job& job = jobs[j];
    const Partition& partition = plan.partitions[job.partition].partition;
    const FileInfo& info = (*partition.files)[job.file];
    inspected[job.partition][job.file] =
        FileInspector::Inspect(Location{partition.location.fs, info.path()}, info);
    if (options_.on_file_inspected) options_.on_file_inspected();
  });

  for (size_t p = 0; p < plan.partitions.size(); ++p) {
    PartitionPlan& partition = plan.partitions[p];
    if (partition.action == PartitionAction::kFail || settled[p]) continue;
    const auto& infos = *partition.partition.files;
    std::vector<std::string> errors;
    for (size_t f = 0; f < infos.size(); ++f) {
      if (deferred[p][f]) {
        const auto& described_by = inspected[p][sample[p]];
        if (!described_by.ok() || !described_by->has_value()) continue;  // the sample's error
        const InputFile& model = **described_by;
        const double scale = static_cast<double>(infos[f].size()) /
                             static_cast<double>(std::max<int64_t>(1, model.info.size()));
        InputFile file = model;
        file.info = infos[f];
        file.rows = std::llround(static_cast<double>(model.rows) * scale);
        file.data_bytes = std::llround(static_cast<double>(model.data_bytes) * scale);
        file.footer_deferred = true;
        partition.files.push_back(std::move(file));
        if (options_.on_file_inspected) options_.on_file_inspected();
        continue;
      }
      auto& result = inspected[p][f];
      if (!result.ok()) {
        errors.push_back(result.status().message());
      } else if (result->has_value()) {
        // The sample is copied: the deferred files after it are described by it.
        if (f == sample[p]) {
          partition.files.push_back(**result);
        } else {
          partition.files.push_back(std::move(**result));
        }
      } else {
        partition.other_files.push_back(infos[f]);
      }
    }
    if (!errors.empty()) {
      partition.action = PartitionAction::kFail;
      partition.reason = errors.front();
      if (errors.size() > 1) {
        partition.reason += " (and " + std::to_string(errors.size() - 1) + " more bad file(s))";
      }
      continue;
    }
    PlanPartition(partition, table);
    if (options_.target_root) list_requests++;  // the target folder was listed
    if (partition.action == PartitionAction::kCopy) InspectDeferred(partition);
  }
  plan.list_requests += list_requests;
  return plan;
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
  return target.Contains(partition.location) && partition.location.Contains(target);
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
  if (small == 0) {
    return leave("every file is already near the target size");
  }
  if (small < options_.min_input_files) {
    return leave(std::to_string(small) + " small file(s), fewer than --min_input_files=" +
                 std::to_string(options_.min_input_files));
  }
  if (out_files >= small) {
    return leave("already compact: its " + std::to_string(small) +
                 " small file(s) would make as many files");
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
  plan.estimated_output_files = out_files;
  DecideAction(plan, inputs);
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
