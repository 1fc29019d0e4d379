#include "inspect/table_health.h"

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <tuple>

#include "catalog/partition.h"
#include "storage/run_layout.h"
#include "util/clock.h"
#include "util/human.h"
#include "util/utf8.h"

namespace s3c {
namespace {

struct Totals {
  int64_t partitions = 0, files = 0, bytes = 0, small_files = 0, small_bytes = 0, other_files = 0,
          to_compact = 0, failing = 0, files_after = 0, bytes_after = 0, rows = 0;
  SizeHistogram before, after;
};

Totals Sum(const std::vector<PartitionHealth>& partitions) {
  Totals t;
  for (const auto& p : partitions) {
    ++t.partitions;
    t.files += p.files;
    t.bytes += p.bytes;
    t.small_files += p.small_files;
    t.small_bytes += p.small_bytes;
    t.other_files += p.other_files;
    t.to_compact += p.action == "compact";
    t.failing += p.action == "fail";
    t.files_after += p.files_after;
    t.bytes_after += p.bytes_after;
    if (p.footers) t.rows += p.footers->rows;
    t.before.Add(p.before);
    t.after.Add(p.after);
  }
  return t;
}

std::string Percent(double share) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(share > 0 && share < 0.1 ? 1 : 0) << share * 100 << "%";
  return out.str();
}

nlohmann::json ScanJson(int64_t files_now, int64_t files_after) {
  return {{"now", ScanRequests(files_now)}, {"after", ScanRequests(files_after)}};
}

// A column of text, padded to `width` on the left (numbers) or right (names).
std::string Pad(const std::string& text, size_t width, bool right_align) {
  if (text.size() >= width) return text;
  const std::string fill(width - text.size(), ' ');
  return right_align ? fill + text : text + fill;
}

}  // namespace

int64_t ScanRequests(int64_t files) {
  if (files <= 0) return 0;
  return (files + 999) / 1000 + 2 * files;
}

nlohmann::json TableHealth::LastRun() const {
  const PartitionHealth* newest = nullptr;
  for (const auto& p : partitions) {
    if (p.last_run.empty()) continue;
    if (!newest || std::tie(p.last_run_mtime_ns, p.last_run) >
                       std::tie(newest->last_run_mtime_ns, newest->last_run)) {
      newest = &p;
    }
  }
  if (!newest) return nullptr;
  int64_t with = 0, files = 0, mtime_ns = 0;
  for (const auto& p : partitions) {
    if (p.last_run != newest->last_run) continue;
    ++with;
    files += p.last_run_files;
    mtime_ns = std::max(mtime_ns, p.last_run_mtime_ns);
  }
  nlohmann::json out = {{"run_id", newest->last_run},
                        {"started_at", IsoUtc(RunLayout::RunStartUnix(newest->last_run))},
                        {"partitions", with}, {"files", files}};
  out["written_at"] = mtime_ns > 0 ? nlohmann::json(IsoUtc(mtime_ns / 1000000000)) : nlohmann::json(nullptr);
  return out;
}

void TableHealth::SortWorstFirst() {
  std::stable_sort(partitions.begin(), partitions.end(),
                   [](const PartitionHealth& a, const PartitionHealth& b) {
                     if (a.small_files != b.small_files) return a.small_files > b.small_files;
                     if (a.small_bytes != b.small_bytes) return a.small_bytes > b.small_bytes;
                     return a.partition < b.partition;
                   });
}

nlohmann::json TableHealth::ToJson() const {
  const Totals t = Sum(partitions);
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& p : partitions) {
    nlohmann::json j = {{"partition", p.partition},
                        {"files", p.files},
                        {"bytes", p.bytes},
                        {"small_files", p.small_files},
                        {"small_bytes", p.small_bytes},
                        {"small_share", p.SmallShare()},
                        {"other_files", p.other_files},
                        {"action", p.action},
                        {"reason", p.reason},
                        {"files_after", p.files_after},
                        {"bytes_after", p.bytes_after},
                        {"scan_requests", ScanJson(p.files, p.files_after)},
                        {"histogram_before", p.before.ToJson()},
                        {"histogram_after", p.after.ToJson()}};
    j["last_run"] = p.last_run.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.last_run);
    if (p.footers) {
      const FooterStats& f = *p.footers;
      j["footers"] = {{"rows", f.rows},
                      {"row_groups", f.row_groups},
                      {"row_group_bytes", {{"min", f.row_group_bytes_min},
                                           {"median", f.row_group_bytes_median},
                                           {"max", f.row_group_bytes_max}}},
                      {"codecs", f.codecs},
                      {"schemas", f.schemas},
                      {"drift", f.drift}};
    }
    parts.push_back(std::move(j));
  }
  nlohmann::json journals_json = nlohmann::json::array();
  for (const auto& r : journals) {
    journals_json.push_back({{"run_id", r.run_id}, {"state", r.state},
                             {"partitions", r.partitions}, {"detail", r.detail}});
  }
  nlohmann::json leases_json = nlohmann::json::array();
  for (const auto& l : leases) {
    nlohmann::json j = {{"name", l.name}, {"run_id", l.run_id}, {"holder", l.holder},
                        {"expires_at", l.expires_at}, {"live", l.live}};
    if (!l.problem.empty()) j["problem"] = l.problem;
    leases_json.push_back(std::move(j));
  }
  nlohmann::json totals = {{"partitions", t.partitions},
                           {"files", t.files},
                           {"bytes", t.bytes},
                           {"small_files", t.small_files},
                           {"small_bytes", t.small_bytes},
                           {"other_files", t.other_files},
                           {"to_compact", t.to_compact},
                           {"failing", t.failing},
                           {"files_after", t.files_after},
                           {"bytes_after", t.bytes_after},
                           {"scan_requests", ScanJson(t.files, t.files_after)}};
  if (footers) totals["rows"] = t.rows;
  return {{"kind", "inspection"},
          {"version", version},
          {"table", table},
          {"location", location},
          {"generated_at", generated_at},
          {"footers", footers},
          {"target_file_bytes", target_file_bytes},
          {"small_file_bytes", small_file_bytes},
          {"min_input_files", min_input_files},
          {"histogram", {{"buckets", SizeHistogram::Buckets()},
                         {"before", t.before.ToJson()},
                         {"after", t.after.ToJson()}}},
          {"totals", totals},
          {"partitions", parts},
          {"journals", journals_json},
          {"leases", leases_json},
          {"last_run", LastRun()},
          {"notes", notes}};
}

std::string TableHealth::ToText(size_t max_partitions) const {
  const Totals t = Sum(partitions);
  std::ostringstream out;
  out << "table " << OneLine(table);
  if (location != table) out << " (" << OneLine(location) << ")";
  out << "\n";
  out << "  " << human::Count(t.partitions) << " partition(s), " << human::Count(t.files)
      << " Parquet file(s), " << human::Bytes(t.bytes);
  if (footers) out << ", " << human::Count(t.rows) << " rows";
  out << "\n";
  out << "  small files (under " << human::Bytes(small_file_bytes) << "): "
      << human::Count(t.small_files) << " ("
      << Percent(t.files > 0 ? double(t.small_files) / double(t.files) : 0.0) << " of files, "
      << human::Bytes(t.small_bytes) << ")\n";
  if (t.to_compact > 0) {
    out << "  a run would compact " << human::Count(t.to_compact) << " partition(s): files "
        << human::Change(t.files, t.files_after, false) << ", a full scan "
        << human::Change(ScanRequests(t.files), ScanRequests(t.files_after), false)
        << " requests\n";
  } else {
    out << "  a run would compact nothing";
    if (t.failing == 0) out << ": the table is in good shape";
    out << "\n";
  }
  if (t.failing > 0) out << "  " << t.failing << " partition(s) a run would fail (see below)\n";
  if (t.other_files > 0) out << "  " << t.other_files << " file(s) not Parquet, left alone\n";
  if (!footers) out << "  (from the listing alone; --footers also reads every file's footer)\n";

  out << "\nlast run: ";
  const nlohmann::json last = LastRun();
  if (last.is_null()) {
    out << "no file here was written by s3-compaction\n";
  } else {
    out << last["run_id"].get<std::string>() << ", started " << last["started_at"].get<std::string>()
        << ": its " << human::Count(last["files"].get<int64_t>()) << " file(s) in "
        << human::Count(last["partitions"].get<int64_t>()) << " partition(s)\n";
  }
  out << "pending: ";
  if (journals.empty()) {
    out << "nothing half done\n";
  } else {
    out << journals.size() << " run(s)\n";
    for (const auto& j : journals) {
      out << "  " << OneLine(j.run_id) << ": " << OneLine(j.state) << ", " << j.partitions << " partition(s); "
          << OneLine(j.detail) << "\n";
    }
  }
  out << "leases: ";
  if (leases.empty()) {
    out << "none\n";
  } else {
    out << "\n";
    for (const auto& l : leases) {
      out << "  " << OneLine(l.name) << ": ";
      if (!l.problem.empty()) {
        out << "unreadable (" << OneLine(l.problem) << ")\n";
        continue;
      }
      out << (l.live ? "held by " : "left by ") << "run " << OneLine(l.run_id) << " (" << OneLine(l.holder)
          << "), " << (l.live ? "until " : "expired ") << l.expires_at << "\n";
    }
  }

  out << "\nfile sizes        before     after\n";
  for (size_t b = 0; b < SizeHistogram::kBuckets; ++b) {
    if (t.before.Count(b) == 0 && t.after.Count(b) == 0) continue;
    out << "  " << Pad(SizeHistogram::Label(b), 14, false) << Pad(human::Count(t.before.Count(b)), 8, true)
        << Pad(human::Count(t.after.Count(b)), 10, true) << "\n";
  }

  if (!partitions.empty()) {
    out << "\npartitions, most small files first:\n";
    size_t width = 9;
    const size_t shown = std::min(partitions.size(), max_partitions);
    for (size_t i = 0; i < shown; ++i) {
      width = std::max(width, std::min<size_t>(OneLine(PartitionName(partitions[i].partition)).size(), 48));
    }
    out << "  " << Pad("partition", width, false) << "    files    small      bytes  after  action\n";
    for (size_t i = 0; i < shown; ++i) {
      const auto& p = partitions[i];
      out << "  " << Pad(OneLine(PartitionName(p.partition)), width, false)
          << Pad(human::Count(p.files), 9, true) << Pad(human::Count(p.small_files), 9, true)
          << Pad(human::Bytes(p.bytes), 11, true) << Pad(human::Count(p.files_after), 7, true)
          << "  " << p.action;
      if (!p.reason.empty()) out << ": " << OneLine(p.reason);
      out << "\n";
      if (p.footers) {
        const FooterStats& f = *p.footers;
        out << "  " << std::string(width, ' ') << "  " << human::Count(f.rows) << " rows, "
            << human::Count(f.row_groups) << " row group(s) (" << human::Bytes(f.row_group_bytes_min)
            << " to " << human::Bytes(f.row_group_bytes_max) << "), ";
        bool first = true;
        for (const auto& [codec, n] : f.codecs) {
          out << (first ? "" : ", ") << codec << " " << n;
          first = false;
        }
        if (f.schemas > 1) out << ", " << f.schemas << " schemas";
        out << "\n";
        for (const auto& d : f.drift) out << "  " << std::string(width, ' ') << "  drift: " << OneLine(d) << "\n";
      }
    }
    if (partitions.size() > shown) {
      out << "  ... and " << partitions.size() - shown << " more (--json lists them all)\n";
    }
  }
  for (const auto& note : notes) out << "note: " << OneLine(note) << "\n";
  return EscapeInvalidUtf8(out.str());
}

}  // namespace s3c
