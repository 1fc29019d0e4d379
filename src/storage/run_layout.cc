#include "storage/run_layout.h"

#include <algorithm>
#include <cctype>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

#include "util/fnv1a.h"

namespace s3c {

std::string RunLayout::NewRunId() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::random_device rd;
  unsigned suffix = rd() & 0xFFFFFFu;
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04d%02d%02dT%02d%02d%02dZ-%06x", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, suffix);
  return buf;
}

RunLayout::RunLayout(std::string run_id, Location table_root, Location output_root,
                     std::optional<Location> archive_root, std::optional<Location> journal_root)
    : run_id_(std::move(run_id)),
      table_root_(std::move(table_root)),
      output_root_(std::move(output_root)),
      archive_root_(std::move(archive_root)),
      journal_root_(std::move(journal_root)) {}

RunLayout RunLayout::ForRun(std::string run_id) const {
  RunLayout other = *this;
  other.run_id_ = std::move(run_id);
  return other;
}

Location RunLayout::ToolFolder() const { return table_root_.Child(kToolFolder); }

Location RunLayout::JournalRoot() const { return journal_root_ ? *journal_root_ : ToolFolder(); }

Location RunLayout::PlanFile() const { return RunDir().Child(kPlanName); }

Location RunLayout::CatalogUpdatesFile() const { return RunDir().Child(kCatalogUpdatesName); }

Location RunLayout::TargetLeaseFile(const std::string& scope) const {
  return output_root_.Child(std::string(kToolFolder) + "/" +
                            (scope.empty() ? "lease.json" : "lease-" + scope + ".json"));
}

Location RunLayout::JournalPointerFile() const {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "journal-%016llx.json",
                static_cast<unsigned long long>(Fnv1a(JournalRoot().uri())));
  return ToolFolder().Child(buf);
}

bool RunLayout::IsJournalPointer(std::string_view name) {
  return name.size() == 8 + 16 + 5 && name.starts_with("journal-") && name.ends_with(".json");
}

bool RunLayout::IsRunId(std::string_view name) {
  // "20261124T221500Z-3f9a1c"
  if (name.size() != 23 || name[8] != 'T' || name[15] != 'Z' || name[16] != '-') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (i == 8 || i == 15 || i == 16) continue;
    const char c = name[i];
    const bool digit = c >= '0' && c <= '9';
    if (i < 15 ? !digit : !(digit || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Location RunLayout::RunsDir() const { return JournalRoot().Child("runs"); }

Location RunLayout::RunDir() const { return RunsDir().Child(run_id_); }

Location RunLayout::LeaseFile(const std::string& scope) const {
  return ToolFolder().Child(scope.empty() ? "lease.json" : "lease-" + scope + ".json");
}

std::optional<std::string> RunLayout::LeaseScope(std::string_view file_name) {
  if (file_name == "lease.json") return std::string();
  constexpr std::string_view prefix = "lease-", suffix = ".json";
  if (file_name.size() <= prefix.size() + suffix.size() || !file_name.starts_with(prefix) ||
      !file_name.ends_with(suffix)) {
    return std::nullopt;
  }
  return std::string(file_name.substr(prefix.size(),
                                      file_name.size() - prefix.size() - suffix.size()));
}

namespace {

// The number of digits-only `text` (1 to 9 digits), or nullopt.
std::optional<int> Digits(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  int n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

std::string RunLayout::BatchRecordName(int wave, int number) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "b-%06d-%06d.json", wave, number);
  return buf;
}

std::optional<int> RunLayout::BatchRecordWave(std::string_view name) {
  if (name.size() < 8 || !name.starts_with("b-") || !name.ends_with(".json")) return std::nullopt;
  const std::string_view middle = name.substr(2, name.size() - 7);
  const size_t dash = middle.find('-');
  if (dash == std::string_view::npos) {
    if (!Digits(middle) || middle.size() < 6) return std::nullopt;
    return 0;  // b-<n>.json: an earlier version's, of its only wave
  }
  const std::string_view wave = middle.substr(0, dash), number = middle.substr(dash + 1);
  const auto w = Digits(wave), n = Digits(number);
  if (!w || !n || name != BatchRecordName(*w, *n)) return std::nullopt;  // its own spelling only
  return w;
}

std::string RunLayout::WavePlanName(int wave) {
  if (wave == 0) return std::string(kPlanName);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "plan-%06d.json", wave);
  return buf;
}

std::optional<int> RunLayout::PlanWave(std::string_view name) {
  if (name == kPlanName) return 0;
  if (!name.starts_with("plan-") || !name.ends_with(".json")) return std::nullopt;
  const std::string_view digits = name.substr(5, name.size() - 10);
  if (digits.size() < 6) return std::nullopt;
  auto wave = Digits(digits);
  // Only the spelling WavePlanName gives: another one ("plan-0000001.json") is not read as a
  // wave, so that what is listed as a wave is what ReadWave opens.
  if (!wave || *wave == 0 || name != WavePlanName(*wave)) return std::nullopt;
  return wave;
}

bool RunLayout::IsJournalObjectName(std::string_view name) {
  if (PlanWave(name) || IsBatchRecordName(name) || name == kCatalogUpdatesName) return true;
  // p-<16 hex digits>.json
  if (name.size() != 23 || !name.starts_with("p-") || !name.ends_with(".json")) return false;
  return std::all_of(name.begin() + 2, name.begin() + 18,
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

std::string RunLayout::PartitionRecordName(std::string_view partition_path) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "p-%016llx.json",
                static_cast<unsigned long long>(Fnv1a(partition_path)));
  return buf;
}

Location RunLayout::StagingRoot() const {
  return output_root_.Child(std::string(kToolFolder) + "/staging/" + run_id_);
}

Location RunLayout::StagingDir(std::string_view partition_path) const {
  return StagingRoot().Child(partition_path);
}

Location RunLayout::ArchiveRoot() const {
  if (archive_root_) return archive_root_->Child(run_id_);
  return table_root_.Child(std::string(kToolFolder) + "/archive/" + run_id_);
}

Location RunLayout::ArchiveDir(std::string_view partition_path) const {
  return ArchiveRoot().Child(partition_path);
}

std::string RunLayout::OutputFileName(int group, int sequence, std::string_view codec) const {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "part-%05d-", group);
  std::string name = buf;
  name += run_id_;
  std::snprintf(buf, sizeof(buf), "-c%03d", sequence);
  name += buf;
  if (!codec.empty() && codec != "uncompressed") {
    name += '.';
    name += codec;
  }
  name += ".parquet";
  return name;
}

bool RunLayout::IsOutputOf(std::string_view name, std::string_view run_id) {
  // part-<5 digits>-<run>-c<3 digits>[.<codec>].parquet
  const std::string middle = "-" + std::string(run_id) + "-c";
  if (!name.starts_with("part-") || !name.ends_with(".parquet") || name.size() < 11) return false;
  const auto at = name.find(middle);
  if (at == std::string_view::npos || at < 10) return false;
  for (size_t i = 5; i < at; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
  }
  const size_t seq = at + middle.size();
  if (seq + 3 >= name.size()) return false;
  for (size_t i = seq; i < seq + 3; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
  }
  return name[seq + 3] == '.';
}

std::optional<std::string> RunLayout::OutputRun(std::string_view name) {
  // part-<5 digits>-<run id: 23 characters>-c...
  if (name.size() < 5 + 6 + 23 + 2 || !name.starts_with("part-")) return std::nullopt;
  const std::string run(name.substr(11, 23));
  if (!IsRunId(run) || !IsOutputOf(name, run)) return std::nullopt;
  return run;
}

int64_t RunLayout::RunStartUnix(std::string_view run_id) {
  if (!IsRunId(run_id)) return 0;
  std::tm tm{};
  auto number = [&](size_t at, size_t n) { return std::stoi(std::string(run_id.substr(at, n))); };
  tm.tm_year = number(0, 4) - 1900;
  tm.tm_mon = number(4, 2) - 1;
  tm.tm_mday = number(6, 2);
  tm.tm_hour = number(9, 2);
  tm.tm_min = number(11, 2);
  tm.tm_sec = number(13, 2);
  return static_cast<int64_t>(timegm(&tm));
}

bool RunLayout::IsHidden(std::string_view name) {
  return !name.empty() && (name.front() == '_' || name.front() == '.');
}

}  // namespace s3c
