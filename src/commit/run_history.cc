#include "commit/run_history.h"

#include <algorithm>

#include "commit/run_journal.h"
#include "report/run_summary.h"
#include "storage/file_systems.h"
#include "util/clock.h"

namespace s3c {
namespace {

constexpr std::string_view kPrefix = "last_run";
constexpr std::string_view kSuffix = ".json";

}  // namespace

std::string RunHistory::RecordName(const std::string& scope) {
  return std::string(kPrefix) + (scope.empty() ? "" : "-" + scope) + std::string(kSuffix);
}

bool RunHistory::IsRecordName(std::string_view name) {
  return name.size() >= kPrefix.size() + kSuffix.size() && name.substr(0, kPrefix.size()) == kPrefix &&
         name.substr(name.size() - kSuffix.size()) == kSuffix &&
         (name.size() == kPrefix.size() + kSuffix.size() || name[kPrefix.size()] == '-');
}

nlohmann::json RunHistory::RecordOf(const RunSummary& summary) {
  const nlohmann::json j = summary.ToJson();
  nlohmann::json record = {{"run_id", summary.run_id},
                           {"finished_at", IsoUtc(NowUnix())},
                           {"finished_unix", NowUnix()},
                           {"table", summary.table},
                           {"shard", j["shard"]},
                           {"version", summary.version},
                           {"partitions", j["partitions"]},
                           {"files", j["files"]},
                           {"bytes", j["bytes"]},
                           {"rows", j["rows"]},
                           {"seconds", summary.seconds}};
  if (!summary.sort_by.empty()) record["sort_by"] = summary.sort_by;
  if (!summary.target.empty()) record["target"] = summary.target;
  return record;
}

arrow::Status RunHistory::Record(const Location& tool_folder, const std::string& scope,
                                 const RunSummary& summary) {
  return WriteWholeFile(tool_folder.Child(RecordName(scope)), RecordOf(summary).dump(2) + "\n");
}

arrow::Result<std::vector<nlohmann::json>> RunHistory::Read(const Location& tool_folder,
                                                            std::vector<std::string>* notes) {
  ARROW_ASSIGN_OR_RAISE(auto listed, ListFolder(tool_folder));
  std::vector<nlohmann::json> records;
  for (const auto& entry : listed) {
    if (!entry.IsFile() || !IsRecordName(BaseName(entry.path()))) continue;
    const Location file{tool_folder.fs, entry.path()};
    auto text = ReadWholeFile(file);
    if (!text.ok() || !*text) continue;  // gone since listed
    auto record = nlohmann::json::parse(**text, nullptr, /*allow_exceptions=*/false);
    if (!record.is_object() || !record.contains("run_id") || !record["run_id"].is_string() ||
        !record.contains("finished_unix") || !record["finished_unix"].is_number_integer()) {
      if (notes) notes->push_back(file.uri() + ": not a run record; ignored");
      continue;
    }
    records.push_back(std::move(record));
  }
  std::sort(records.begin(), records.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a["finished_unix"].get<int64_t>() > b["finished_unix"].get<int64_t>();
  });
  return records;
}

}  // namespace s3c
