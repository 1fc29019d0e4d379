#include "commit/run_journal.h"

#include <algorithm>
#include <set>

#include <arrow/buffer.h>
#include <arrow/io/interfaces.h>
#include <nlohmann/json.hpp>

#include "util/json_fields.h"

namespace s3c {
namespace {

using nlohmann::json;

const char* kStates[] = {"publishing", "published", "repointed", "removing",
                         "done",       "rolled_back", "conflict"};
constexpr int kStateCount = 7;

// The fields of a record of ours whose "version" is the number 1 (a string or anything else is
// not: a record of another version is not ours to read).
arrow::Result<JsonFields> VersionOne(const json& j, const std::string& source) {
  ARROW_ASSIGN_OR_RAISE(auto fields, JsonFields::Of(j, source));
  ARROW_ASSIGN_OR_RAISE(int64_t version, fields.Int("version"));
  if (version != 1) return fields.FieldError("version", "is not 1");
  return fields;
}

json FileJson(const JournalFile& f) {
  json j = {{"uri", f.uri}, {"size", f.size}, {"mtime_ns", f.mtime_ns}};
  if (!f.etag.empty()) j["etag"] = f.etag;
  if (f.inode != 0) {
    j["device"] = f.device;
    j["inode"] = f.inode;
  }
  return j;
}

arrow::Result<JournalFile> FileFromJson(const JsonFields& j) {
  JournalFile f;
  ARROW_ASSIGN_OR_RAISE(f.uri, j.String("uri"));
  ARROW_ASSIGN_OR_RAISE(f.size, j.Int("size"));
  ARROW_ASSIGN_OR_RAISE(f.mtime_ns, j.Int("mtime_ns"));
  ARROW_ASSIGN_OR_RAISE(f.etag, j.StringOr("etag", ""));
  ARROW_ASSIGN_OR_RAISE(f.device, j.UintOr("device", 0));
  ARROW_ASSIGN_OR_RAISE(f.inode, j.UintOr("inode", 0));
  return f;
}

arrow::Result<std::vector<JournalFile>> FilesFromJson(const std::vector<JsonFields>& list) {
  std::vector<JournalFile> files;
  for (const auto& f : list) {
    ARROW_ASSIGN_OR_RAISE(auto file, FileFromJson(f));
    files.push_back(std::move(file));
  }
  return files;
}

}  // namespace

std::string StateName(PartitionState state) { return kStates[static_cast<int>(state)]; }

arrow::Result<PartitionState> StateFromName(const std::string& name) {
  for (int i = 0; i < kStateCount; ++i) {
    if (name == kStates[i]) return static_cast<PartitionState>(i);
  }
  return arrow::Status::Invalid("unknown partition state '", name, "' in the journal");
}

arrow::Status WriteWholeFile(const Location& file, const std::string& text) {
  if (file.is_s3()) {
    ARROW_ASSIGN_OR_RAISE(auto out, file.fs->OpenOutputStream(file.path));
    ARROW_RETURN_NOT_OK(out->Write(text.data(), static_cast<int64_t>(text.size())));
    return out->Close();
  }
  const std::string parent = file.path.substr(0, file.path.rfind('/'));
  ARROW_RETURN_NOT_OK(file.fs->CreateDir(parent, /*recursive=*/true));
  const std::string temp = file.path + ".tmp";
  {
    ARROW_ASSIGN_OR_RAISE(auto out, file.fs->OpenOutputStream(temp));
    ARROW_RETURN_NOT_OK(out->Write(text.data(), static_cast<int64_t>(text.size())));
    ARROW_RETURN_NOT_OK(out->Close());
  }
  return file.fs->Move(temp, file.path);  // rename: never a half-written record
}

arrow::Result<std::optional<std::string>> ReadWholeFile(const Location& file) {
  ARROW_ASSIGN_OR_RAISE(auto info, file.fs->GetFileInfo(file.path));
  if (info.type() != arrow::fs::FileType::File) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto in, file.fs->OpenInputFile(info));
  ARROW_ASSIGN_OR_RAISE(auto buffer, in->ReadAt(0, info.size()));
  return buffer->ToString();
}

std::string RunJournal::ToJson(const JournalPlan& plan) {
  // Written a partition at a time: a wave's plan as one JSON tree took several times its text
  // (a node per field of every input file), the largest allocation of a run.
  const std::string head =
      json({{"version", 1}, {"run_id", plan.run_id}, {"table", plan.table},
            {"table_location", plan.table_location}, {"staging_root", plan.staging_root},
            {"archive_root", plan.archive_root}, {"policy", plan.policy},
            {"repoint", plan.repoint}, {"delete_grace_minutes", plan.delete_grace_minutes},
            {"scope", plan.scope}, {"partitions", json::array()}})
          .dump(1);
  // The partitions go between the brackets of `"partitions": []`.
  const std::string empty = "\"partitions\": []";
  const size_t at = head.find(empty);
  std::string text(head, 0, at);
  text += "\"partitions\": [";
  bool first = true;
  for (const auto& p : plan.partitions) {
    json inputs = json::array();
    for (const auto& f : p.inputs) inputs.push_back(FileJson(f));
    text += first ? "\n  " : ",\n  ";
    first = false;
    text += json({{"path", p.path}, {"location", p.location}, {"output_dir", p.output_dir},
                  {"inputs", std::move(inputs)}})
                .dump();
  }
  text += first ? "]" : "\n ]";
  text.append(head, at + empty.size());
  return text;
}

arrow::Status RunJournal::WriteCatalogUpdates(const Location& run_dir,
                                             const std::vector<PartitionUpdate>& updates) {
  json list = json::array();
  for (const auto& u : updates) {
    list.push_back({{"path", u.path},
                    {"location", u.location ? json(*u.location) : json(nullptr)},
                    {"files", u.files}, {"bytes", u.bytes}, {"rows", u.rows}});
  }
  return WriteWholeFile(run_dir.Child(RunLayout::kCatalogUpdatesName),
                        json({{"version", 1}, {"updates", list}}).dump(1));
}

arrow::Result<std::optional<std::vector<PartitionUpdate>>> RunJournal::ReadCatalogUpdates(
    const Location& run_dir) {
  const Location file = run_dir.Child(RunLayout::kCatalogUpdatesName);
  ARROW_ASSIGN_OR_RAISE(auto text, ReadWholeFile(file));
  if (!text) return std::nullopt;
  auto updates = CatalogUpdatesFromJson(*text, "catalog updates " + file.uri());
  if (!updates.ok()) return updates.status();
  return std::move(*updates);
}

arrow::Result<std::vector<PartitionUpdate>> RunJournal::CatalogUpdatesFromJson(
    const std::string& text, const std::string& source) {
  ARROW_ASSIGN_OR_RAISE(auto j, ParseJsonObject(text, source));
  ARROW_ASSIGN_OR_RAISE(auto fields, VersionOne(j, source));
  ARROW_ASSIGN_OR_RAISE(auto list, fields.Objects("updates"));
  std::vector<PartitionUpdate> updates;
  for (const auto& u : list) {
    PartitionUpdate update;
    ARROW_ASSIGN_OR_RAISE(update.path, u.String("path"));
    ARROW_ASSIGN_OR_RAISE(update.location, u.OptionalString("location"));
    ARROW_ASSIGN_OR_RAISE(update.files, u.Int("files"));
    ARROW_ASSIGN_OR_RAISE(update.bytes, u.Int("bytes"));
    ARROW_ASSIGN_OR_RAISE(update.rows, u.Int("rows"));
    updates.push_back(std::move(update));
  }
  return updates;
}

arrow::Result<JournalPlan> RunJournal::PlanFromJson(const std::string& text) {
  const std::string source = "run plan";
  ARROW_ASSIGN_OR_RAISE(auto j, ParseJsonObject(text, source));
  ARROW_ASSIGN_OR_RAISE(auto fields, VersionOne(j, source));
  JournalPlan plan;
  ARROW_ASSIGN_OR_RAISE(plan.run_id, fields.String("run_id"));
  ARROW_ASSIGN_OR_RAISE(plan.table, fields.String("table"));
  ARROW_ASSIGN_OR_RAISE(plan.table_location, fields.String("table_location"));
  ARROW_ASSIGN_OR_RAISE(plan.staging_root, fields.String("staging_root"));
  ARROW_ASSIGN_OR_RAISE(plan.archive_root, fields.String("archive_root"));
  ARROW_ASSIGN_OR_RAISE(plan.policy, fields.String("policy"));
  ARROW_ASSIGN_OR_RAISE(plan.repoint, fields.Bool("repoint"));
  ARROW_ASSIGN_OR_RAISE(plan.delete_grace_minutes, fields.Int("delete_grace_minutes"));
  ARROW_ASSIGN_OR_RAISE(plan.scope, fields.StringOr("scope", ""));
  ARROW_ASSIGN_OR_RAISE(auto partitions, fields.Objects("partitions"));
  for (const auto& p : partitions) {
    JournalPartition partition;
    ARROW_ASSIGN_OR_RAISE(partition.path, p.String("path"));
    ARROW_ASSIGN_OR_RAISE(partition.location, p.String("location"));
    ARROW_ASSIGN_OR_RAISE(partition.output_dir, p.String("output_dir"));
    ARROW_ASSIGN_OR_RAISE(auto inputs, p.Objects("inputs"));
    ARROW_ASSIGN_OR_RAISE(partition.inputs, FilesFromJson(inputs));
    plan.partitions.push_back(std::move(partition));
  }
  return plan;
}

namespace {

json RecordJson(const PartitionRecord& r) {
  json outputs = json::array();
  for (const auto& o : r.outputs) {
    outputs.push_back({{"staged", o.staged}, {"source", o.source}, {"final", o.final},
                       {"bytes", o.bytes}, {"rows", o.rows}});
  }
  json checked = json::array();
  for (const auto& f : r.checked) checked.push_back(FileJson(f));
  return json({{"state", StateName(r.state)}, {"outputs", outputs}, {"checked", checked},
               {"pending_delete", r.pending_delete}, {"delete_after_unix", r.delete_after_unix},
               {"problems", r.problems}});
}

arrow::Result<PartitionRecord> RecordFrom(const JsonFields& fields) {
  PartitionRecord r;
  ARROW_ASSIGN_OR_RAISE(std::string state, fields.String("state"));
  ARROW_ASSIGN_OR_RAISE(r.state, StateFromName(state));
  ARROW_ASSIGN_OR_RAISE(auto outputs, fields.Objects("outputs"));
  for (const auto& o : outputs) {
    JournalOutput output;
    ARROW_ASSIGN_OR_RAISE(output.staged, o.String("staged"));
    ARROW_ASSIGN_OR_RAISE(output.source, o.String("source"));
    ARROW_ASSIGN_OR_RAISE(output.final, o.String("final"));
    ARROW_ASSIGN_OR_RAISE(output.bytes, o.Int("bytes"));
    ARROW_ASSIGN_OR_RAISE(output.rows, o.Int("rows"));
    r.outputs.push_back(std::move(output));
  }
  ARROW_ASSIGN_OR_RAISE(auto checked, fields.OptionalObjects("checked"));
  ARROW_ASSIGN_OR_RAISE(r.checked, FilesFromJson(checked));
  ARROW_ASSIGN_OR_RAISE(r.pending_delete, fields.Strings("pending_delete"));
  ARROW_ASSIGN_OR_RAISE(r.delete_after_unix, fields.Int("delete_after_unix"));
  ARROW_ASSIGN_OR_RAISE(r.problems, fields.Strings("problems"));
  return r;
}

}  // namespace

std::string RunJournal::ToJson(const PartitionRecord& r) { return RecordJson(r).dump(1); }

arrow::Result<PartitionRecord> RunJournal::RecordFromJson(const std::string& text) {
  const std::string source = "partition record";
  ARROW_ASSIGN_OR_RAISE(auto j, ParseJsonObject(text, source));
  ARROW_ASSIGN_OR_RAISE(auto fields, JsonFields::Of(j, source));
  return RecordFrom(fields);
}

std::string RunJournal::BatchToJson(const std::map<std::string, PartitionRecord>& records) {
  json partitions = json::array();
  for (const auto& [path, record] : records) {
    partitions.push_back({{"path", path}, {"record", RecordJson(record)}});
  }
  return json({{"version", 1}, {"partitions", partitions}}).dump(1);
}

arrow::Result<std::map<std::string, PartitionRecord>> RunJournal::BatchFromJson(
    const std::string& text) {
  const std::string source = "batch record";
  ARROW_ASSIGN_OR_RAISE(auto j, ParseJsonObject(text, source));
  ARROW_ASSIGN_OR_RAISE(auto fields, VersionOne(j, source));
  ARROW_ASSIGN_OR_RAISE(auto partitions, fields.Objects("partitions"));
  std::map<std::string, PartitionRecord> records;
  for (const auto& p : partitions) {
    ARROW_ASSIGN_OR_RAISE(std::string path, p.String("path"));
    ARROW_ASSIGN_OR_RAISE(auto record_fields, p.Object("record"));
    ARROW_ASSIGN_OR_RAISE(auto record, RecordFrom(record_fields));
    if (!records.emplace(path, std::move(record)).second) {
      return arrow::Status::Invalid(source, ": partition '", path, "' is in it twice");
    }
  }
  return records;
}

arrow::Result<std::unique_ptr<RunJournal>> RunJournal::Begin(FileSystems& file_systems,
                                                             const RunLayout& layout,
                                                             const JournalPlan& plan) {
  Location run_dir = layout.RunDir();
  auto st = WriteWholeFile(layout.PlanFile(), ToJson(plan));
  if (!st.ok()) {
    return st.WithMessage("writing the run journal ", layout.PlanFile().uri(), ": ",
                          st.message());
  }
  return std::unique_ptr<RunJournal>(new RunJournal(std::move(run_dir)));
}

arrow::Status RunJournal::BeginWave(const JournalPlan& plan) {
  int wave;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wave = wave_ + 1;
  }
  const Location file = run_dir_.Child(RunLayout::WavePlanName(wave));
  auto st = WriteWholeFile(file, ToJson(plan));
  if (!st.ok()) return st.WithMessage("writing the run journal ", file.uri(), ": ", st.message());
  std::lock_guard<std::mutex> lock(mutex_);
  wave_ = wave;
  // The waves before are committed: their batches are written for good, and what the run
  // holds of them goes (a record of theirs written later is a p- record, which overrides its
  // batch entry). A run of a million files held every original's identity here.
  batch_of_.clear();
  batches_.clear();
  return arrow::Status::OK();
}

int RunJournal::wave() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return wave_;
}

arrow::Status RunJournal::WriteRecord(const Location& run_dir, const std::string& path,
                                      const PartitionRecord& record) {
  Location file = run_dir.Child(RunLayout::PartitionRecordName(path));
  auto st = WriteWholeFile(file, ToJson(record));
  return st.ok() ? st : st.WithMessage("writing journal record ", file.uri(), ": ", st.message());
}

arrow::Status RunJournal::Record(const std::string& partition_path, const PartitionRecord& record) {
  return RecordMany({{partition_path, record}});
}

void RunJournal::Assign(const std::vector<std::string>& partition_paths) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto batch = std::make_unique<Batch>();
  batch->wave = wave_;
  batch->number = ++batches_made_;
  for (const auto& path : partition_paths) batch_of_.emplace(path, batch.get());
  batches_.push_back(std::move(batch));
}

arrow::Status RunJournal::RecordMany(
    const std::vector<std::pair<std::string, PartitionRecord>>& records) {
  std::map<Batch*, std::vector<const std::pair<std::string, PartitionRecord>*>> by_batch;
  std::vector<const std::pair<std::string, PartitionRecord>*> alone;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& entry : records) {
      auto it = batch_of_.find(entry.first);
      if (it != batch_of_.end()) {
        by_batch[it->second].push_back(&entry);
      } else {
        alone.push_back(&entry);
      }
    }
  }
  arrow::Status status;
  for (const auto* entry : alone) status &= WriteRecord(run_dir_, entry->first, entry->second);
  for (auto& [batch, entries] : by_batch) {
    std::lock_guard<std::mutex> lock(batch->mutex);
    std::map<std::string, PartitionRecord> updated = batch->records;
    for (const auto* entry : entries) updated[entry->first] = entry->second;
    const Location file = run_dir_.Child(RunLayout::BatchRecordName(batch->wave, batch->number));
    auto st = WriteWholeFile(file, BatchToJson(updated));
    if (!st.ok()) {
      status &= st.WithMessage("writing journal record ", file.uri(), ": ", st.message());
      continue;
    }
    batch->records = std::move(updated);
  }
  return status;
}

bool RunJournal::SameRun(const JournalPlan& a, const JournalPlan& b) {
  return a.run_id == b.run_id && a.table == b.table && a.table_location == b.table_location &&
         a.staging_root == b.staging_root && a.archive_root == b.archive_root &&
         a.policy == b.policy && a.repoint == b.repoint &&
         a.delete_grace_minutes == b.delete_grace_minutes && a.scope == b.scope;
}

arrow::Result<std::vector<arrow::fs::FileInfo>> RunJournal::ListRun(const Location& run_dir) {
  arrow::fs::FileSelector selector;
  selector.base_dir = run_dir.path;
  selector.allow_not_found = true;
  return run_dir.fs->GetFileInfo(selector);
}

std::vector<int> RunJournal::Waves(const std::vector<arrow::fs::FileInfo>& objects) {
  std::set<int> waves;
  for (const auto& e : objects) {
    if (e.type() != arrow::fs::FileType::File) continue;
    if (auto wave = RunLayout::PlanWave(e.base_name())) waves.insert(*wave);
  }
  return {waves.begin(), waves.end()};
}

arrow::Result<JournalPlan> RunJournal::ReadWave(const Location& run_dir, int wave,
                                                const JournalPlan* first) {
  const Location file = run_dir.Child(RunLayout::WavePlanName(wave));
  ARROW_ASSIGN_OR_RAISE(auto text, ReadWholeFile(file));
  if (!text) return arrow::Status::IOError("no ", BaseName(file.path), " in ", run_dir.uri());
  auto plan = PlanFromJson(*text);
  if (!plan.ok()) return plan.status().WithMessage(file.uri(), ": ", plan.status().message());
  if (first && !SameRun(*first, *plan)) {
    return arrow::Status::Invalid(file.uri(), ": its run fields differ from those of ",
                                  RunLayout::kPlanName, " (not this run's wave)");
  }
  return plan;
}

arrow::Result<JournalPlan> RunJournal::ReadPlan(const Location& run_dir) {
  ARROW_ASSIGN_OR_RAISE(JournalPlan plan, ReadWave(run_dir, 0));
  ARROW_ASSIGN_OR_RAISE(auto objects, ListRun(run_dir));
  std::set<std::string> paths;
  for (const auto& p : plan.partitions) paths.insert(p.path);
  for (int wave : Waves(objects)) {
    if (wave == 0) continue;
    ARROW_ASSIGN_OR_RAISE(JournalPlan more, ReadWave(run_dir, wave, &plan));
    for (auto& p : more.partitions) {
      if (!paths.insert(p.path).second) {
        return arrow::Status::Invalid(run_dir.Child(RunLayout::WavePlanName(wave)).uri(),
                                      ": partition '", p.path, "' is in an earlier wave too");
      }
      plan.partitions.push_back(std::move(p));
    }
  }
  return plan;
}

arrow::Result<std::optional<PartitionRecord>> RunJournal::ReadRecord(const Location& run_dir,
                                                                     const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(Records records, ReadRecords(run_dir, {path}));
  return records.at(path);
}

arrow::Result<std::optional<PartitionRecord>> RunJournal::ReadSingleRecord(
    const Location& run_dir, const std::string& path) {
  Location file = run_dir.Child(RunLayout::PartitionRecordName(path));
  ARROW_ASSIGN_OR_RAISE(auto text, ReadWholeFile(file));
  if (!text) return std::nullopt;
  auto record = RecordFromJson(*text);
  if (!record.ok()) return record.status().WithMessage(file.uri(), ": ", record.status().message());
  return *record;
}

arrow::Result<RunJournal::Records> RunJournal::ReadRecords(const Location& run_dir,
                                                            const std::vector<std::string>& paths) {
  ARROW_ASSIGN_OR_RAISE(auto objects, ListRun(run_dir));
  return ReadRecords(run_dir, paths, objects, std::nullopt);
}

RunJournal::Records RunJournal::ReadRecords(const Location& run_dir,
                                            const std::vector<std::string>& paths,
                                            const std::vector<arrow::fs::FileInfo>& objects,
                                            std::optional<int> wave) {
  std::map<std::string, std::string> path_of_name;  // p- record name -> partition path
  for (const auto& path : paths) path_of_name[RunLayout::PartitionRecordName(path)] = path;
  Records out;
  for (const auto& path : paths) out.emplace(path, std::optional<PartitionRecord>());
  std::vector<Location> singles;
  arrow::Status batch_error;
  std::map<std::string, PartitionRecord> batched;
  for (const auto& e : objects) {
    if (e.type() != arrow::fs::FileType::File) continue;
    const std::string name = e.base_name();
    if (path_of_name.count(name)) {
      singles.push_back(run_dir.Child(name));
      continue;
    }
    const std::optional<int> of = RunLayout::BatchRecordWave(name);
    if (!of || (wave && *of != *wave)) continue;
    const Location file = run_dir.Child(name);
    auto text = ReadWholeFile(file);
    if (!text.ok() || !*text) {
      if (batch_error.ok()) {
        batch_error = text.ok() ? arrow::Status::IOError(file.uri(), " vanished while read")
                                : text.status().WithMessage(file.uri(), ": ",
                                                            text.status().message());
      }
      continue;
    }
    auto records = BatchFromJson(**text);
    if (!records.ok()) {
      if (batch_error.ok()) {
        batch_error = records.status().WithMessage(file.uri(), ": ", records.status().message());
      }
      continue;
    }
    for (auto& [path, record] : *records) {
      if (out.count(path)) batched[path] = std::move(record);  // others' are not asked for
    }
  }
  for (const auto& path : paths) {
    auto it = batched.find(path);
    if (it != batched.end()) out.at(path) = std::optional<PartitionRecord>(it->second);
    else if (!batch_error.ok()) out.at(path) = batch_error;
  }
  for (const Location& file : singles) {
    // Later than any batch entry of its partition: it overrides one, or an unreadable batch.
    const std::string& path = path_of_name.at(std::string(BaseName(file.path)));
    out.at(path) = ReadSingleRecord(run_dir, path);
  }
  return out;
}

arrow::Result<RunJournal::RunFolders> RunJournal::ListRunFolders(const Location& runs_dir) {
  arrow::fs::FileSelector selector;
  selector.base_dir = runs_dir.path;
  selector.allow_not_found = true;
  selector.recursive = true;
  selector.max_recursion = 1;
  ARROW_ASSIGN_OR_RAISE(auto entries, runs_dir.fs->GetFileInfo(selector));
  const std::string base = runs_dir.path + "/";
  std::set<std::string> folders, planned, journaled;
  for (const auto& e : entries) {
    if (e.path().compare(0, base.size(), base) != 0) continue;
    const std::string rel = e.path().substr(base.size());
    const auto slash = rel.find('/');
    const std::string run = rel.substr(0, slash);
    if (slash == std::string::npos && e.type() != arrow::fs::FileType::Directory) continue;
    if (!RunLayout::IsRunId(run)) continue;  // not a run's: someone else's, left alone
    folders.insert(run);
    // A run exists once its plan does (on S3 there are no folders, only keys).
    if (slash != std::string::npos && e.type() == arrow::fs::FileType::File) {
      const std::string name = rel.substr(slash + 1);
      if (name == RunLayout::kPlanName) planned.insert(run);
      if (RunLayout::IsJournalObjectName(name)) journaled.insert(run);
    }
  }
  RunFolders out;
  for (const auto& run : folders) {
    (planned.count(run) ? out.runs : journaled.count(run) ? out.plan_lost : out.abandoned)
        .push_back(run);
  }
  return out;  // std::set: sorted, and run ids start with their UTC time
}

arrow::Result<bool> RunJournal::HoldsJournal(const Location& run_dir) {
  ARROW_ASSIGN_OR_RAISE(auto objects, ListRun(run_dir));
  for (const auto& e : objects) {
    const std::string name = e.base_name();
    if (e.type() != arrow::fs::FileType::File || !RunLayout::IsJournalObjectName(name)) continue;
    ARROW_ASSIGN_OR_RAISE(auto text, ReadWholeFile(run_dir.Child(name)));
    if (!text) continue;  // gone since listed
    const bool parses = RunLayout::PlanWave(name)          ? PlanFromJson(*text).ok()
                        : RunLayout::IsBatchRecordName(name)
                            ? BatchFromJson(*text).ValueOr({}).size() > 0
                        : name == RunLayout::kCatalogUpdatesName
                            ? CatalogUpdatesFromJson(*text, name).ok()
                            : RecordFromJson(*text).ok();
    if (parses) return true;
  }
  return false;
}

std::vector<std::string> RunJournal::RunFolders::WithJournal() const {
  std::vector<std::string> all = runs;
  all.insert(all.end(), plan_lost.begin(), plan_lost.end());
  std::sort(all.begin(), all.end());  // run ids start with their UTC time
  return all;
}

arrow::Result<std::vector<std::string>> RunJournal::ListRuns(const Location& runs_dir) {
  ARROW_ASSIGN_OR_RAISE(auto folders, ListRunFolders(runs_dir));
  return folders.WithJournal();
}

arrow::Status RunJournal::DeleteRun(FileSystems& file_systems, const Location& run_dir) {
  // The records first, the plan last: a run whose plan is left is found, and finished, again.
  return file_systems.DeleteFolder(run_dir, RunLayout::kPlanName);
}

}  // namespace s3c
