#include "report/run_summary.h"

#include <cstdio>
#include <map>
#include <ostream>
#include <sstream>

#include "catalog/partition.h"
#include "util/human.h"
#include "util/utf8.h"

namespace s3c {

std::string StatusName(PartitionStatus status) {
  switch (status) {
    case PartitionStatus::kCompacted: return "compacted";
    case PartitionStatus::kCopied: return "copied";
    case PartitionStatus::kPlanned: return "planned";
    case PartitionStatus::kSkipped: return "skipped";
    case PartitionStatus::kFailed: return "failed";
    case PartitionStatus::kDeferred: return "deferred";
  }
  return "?";
}

int64_t RunSummary::Count(PartitionStatus status) const {
  int64_t n = 0;
  for (const auto& p : partitions) n += p.status == status ? 1 : 0;
  return n;
}

namespace {

struct Totals {
  int64_t files_before = 0, files_after = 0, bytes_before = 0, bytes_after = 0;
  int64_t input_files = 0, input_bytes = 0, output_files = 0, rows = 0;
  // Left for a later run by a limit: partitions, and the files and bytes they would rewrite.
  int64_t remaining_partitions = 0, remaining_files = 0, remaining_bytes = 0;
  int64_t sorted_rows = 0, spill_runs = 0, spilled_bytes = 0;
  SizeHistogram histogram_before, histogram_after;  // every partition's, deferred ones too
};

Totals Sum(const std::vector<PartitionOutcome>& partitions) {
  Totals t;
  for (const auto& p : partitions) {
    t.files_before += p.files_before;
    t.files_after += p.files_after;
    t.bytes_before += p.bytes_before;
    t.bytes_after += p.bytes_after;
    t.histogram_before.Add(p.histogram_before);
    t.histogram_after.Add(p.histogram_after);
    if (p.status == PartitionStatus::kDeferred) {
      ++t.remaining_partitions;
      t.remaining_files += p.input_files;
      t.remaining_bytes += p.input_bytes;
      continue;
    }
    t.sorted_rows += p.sorted_rows;
    t.spill_runs += p.spill_runs;
    t.spilled_bytes += p.spilled_bytes;
    t.input_files += p.input_files;
    t.input_bytes += p.input_bytes;
    t.output_files += p.output_files;
    t.rows += p.rows;
  }
  return t;
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

constexpr size_t kMaxListed = 40;

}  // namespace

std::string RunSummary::ToText() const {
  std::ostringstream out;
  const Totals t = Sum(partitions);
  out << "s3-compaction " << version << (dry_run ? ": dry run on " : ": ") << OneLine(table);
  if (!target.empty()) out << " -> " << OneLine(target);
  out << " (run " << run_id;
  if (!shard.empty()) out << ", shard " << shard;
  out << ")\n";

  if (dry_run) {
    out << "  nothing was written; the plan:\n";
    size_t listed = 0;
    for (const auto& p : partitions) {
      if (p.status != PartitionStatus::kPlanned) continue;
      if (listed++ == kMaxListed) {
        out << "    ... and " << Count(PartitionStatus::kPlanned) - kMaxListed << " more\n";
        break;
      }
      out << "    " << Pad(OneLine(PartitionName(p.partition)), 28) << " " << human::Count(p.input_files) << " files ("
          << human::Bytes(p.input_bytes) << ", " << human::Count(p.rows) << " rows) -> ~"
          << human::Count(p.output_files) << " file(s)"
          << (p.method.empty() ? "" : " by " + p.method)
          << (p.method_reason.empty() ? "" : " (" + OneLine(p.method_reason) + ")") << "\n";
    }
  }
  out << "  partitions  " << human::Count(static_cast<int64_t>(partitions.size()))
      << " considered: ";
  if (dry_run) {
    out << Count(PartitionStatus::kPlanned) << " to compact";
  } else {
    out << Count(PartitionStatus::kCompacted) << " compacted";
    if (int64_t copied = Count(PartitionStatus::kCopied)) out << ", " << copied << " copied";
  }
  out << ", " << Count(PartitionStatus::kSkipped) << " skipped, "
      << Count(PartitionStatus::kFailed) << " failed";
  if (int64_t deferred = Count(PartitionStatus::kDeferred)) out << ", " << deferred << " deferred";
  out << "\n";
  out << "  files       " << human::Change(t.files_before, t.files_after, false)
      << (dry_run ? " (estimated)" : "") << "\n";
  out << "  bytes       " << human::Change(t.bytes_before, t.bytes_after, true)
      << (dry_run ? " (estimated)" : "") << "\n";
  out << "  rows        " << human::Count(t.rows)
      << (dry_run ? " to rewrite (estimated)" : " rewritten, counts verified") << "\n";
  {
    // How the partitions were (or would be) written: pages, rows, or both; the first reason
    // for rows where pages were allowed.
    std::map<std::string, int64_t> by_method;
    std::string reason;
    for (const auto& p : partitions) {
      if (p.status != PartitionStatus::kCompacted && p.status != PartitionStatus::kPlanned) continue;
      if (p.method.empty() || p.method == "copy") continue;
      by_method[p.method]++;
      if (reason.empty() && !p.method_reason.empty()) reason = PartitionName(p.partition) + ": " + p.method_reason;
    }
    if (!by_method.empty()) {
      out << "  merged      ";
      bool first = true;
      for (const auto& [method, n] : by_method) {
        out << (first ? "" : ", ") << human::Count(n) << " partition(s) by " << method;
        first = false;
      }
      if (!reason.empty()) out << " (rows: " << OneLine(reason) << ")";
      out << "\n";
    }
  }
  if (!sort_by.empty()) {
    out << "  sorted      ";
    if (dry_run) {
      out << "each partition by " << OneLine(sort_by) << "\n";
    } else {
      out << human::Count(t.sorted_rows) << " rows by " << OneLine(sort_by);
      if (t.spill_runs > 0) {
        out << " (spilled " << human::Bytes(t.spilled_bytes) << " in " << human::Count(t.spill_runs)
            << " run(s))";
      } else {
        out << " (in memory)";
      }
      out << "\n";
    }
  }
  if (!dry_run && t.input_files > 0) {
    out << "  originals   ";
    if (originals == "archived") {
      out << "archived under " << archive << " (readers skip it)\n";
    } else if (originals == "deleted") {
      out << "deleted\n";
    } else {
      out << "kept where they were\n";
    }
  }
  if (dry_run) {
    out << "  requests    a run would make about " << human::Count(requests.list) << " LIST, "
        << human::Count(requests.head) << " HEAD, " << human::Count(requests.get) << " GET, "
        << human::Count(requests.put) << " PUT, " << human::Count(requests.copy) << " COPY, "
        << human::Count(requests.del) << " DELETE\n";
  }
  if (t.remaining_partitions > 0 || !limits.empty()) {
    out << "  remaining   " << human::Count(t.remaining_partitions) << " partition(s), "
        << human::Count(t.remaining_files) << " files, " << human::Bytes(t.remaining_bytes)
        << (t.remaining_partitions > 0 ? " left for the next run" : "");
    std::string joined;
    for (const auto& limit : limits) joined += (joined.empty() ? "" : ", ") + limit;
    if (!joined.empty()) out << " (limits: " << joined << ")";
    out << "\n";
  }
  out << "  time        " << human::Duration(seconds);
  if (!dry_run && seconds > 0 && t.input_bytes > 0) {
    out << " (" << human::Bytes(static_cast<int64_t>(t.input_bytes / seconds)) << "/s)";
  }
  out << "\n";
  if (!stages.empty()) {
    out << "  stages      ";
    for (size_t i = 0; i < stages.size(); ++i) {
      out << (i ? ", " : "") << StageName(stages[i].stage) << " "
          << human::Duration(stages[i].seconds);
    }
    out << " (busy, summed over threads)\n";
  }
  if (!dry_run) {
    out << "  requests    " << human::Count(requests.list) << " LIST, " << human::Count(requests.head)
        << " HEAD, " << human::Count(requests.get) << " GET, " << human::Count(requests.put)
        << " PUT, " << human::Count(requests.copy) << " COPY, " << human::Count(requests.del)
        << " DELETE\n";
  }

  auto list = [&](PartitionStatus status, const char* title) {
    if (Count(status) == 0) return;
    out << title << ":\n";
    size_t listed = 0;
    for (const auto& p : partitions) {
      if (p.status != status) continue;
      if (listed++ == kMaxListed) {
        out << "  ... and " << Count(status) - kMaxListed << " more (see --json)\n";
        break;
      }
      out << "  " << OneLine(PartitionName(p.partition)) << ": " << OneLine(p.reason) << "\n";
    }
  };
  list(PartitionStatus::kFailed, "failed (left as they were)");
  if (Count(PartitionStatus::kSkipped) <= 10) list(PartitionStatus::kSkipped, "skipped");
  if (Count(PartitionStatus::kDeferred) <= 10) {
    list(PartitionStatus::kDeferred, "deferred (left as they are, for the next run)");
  }
  if (!recovered.empty()) {
    out << "recovered from earlier runs:\n";
    for (const auto& line : recovered) out << "  " << OneLine(line) << "\n";
  }
  if (!notes.empty()) {
    out << "noticed:\n";
    for (const auto& note : notes) out << "  " << OneLine(note) << "\n";
  }
  // Names are bytes: each is written with what is not UTF-8 and control characters as \xNN
  // (OneLine), and the rest is checked again, so every line is text and one line.
  return EscapeInvalidUtf8(out.str());
}

namespace {

nlohmann::json DetailJson(const PartitionOutcome& p) {
  nlohmann::json d = {{"partition", p.partition},
                      {"status", StatusName(p.status)},
                      {"files_before", p.files_before},
                      {"files_after", p.files_after},
                      {"bytes_before", p.bytes_before},
                      {"bytes_after", p.bytes_after},
                      {"input_files", p.input_files},
                      {"input_bytes", p.input_bytes},
                      {"output_files", p.output_files},
                      {"rows", p.rows},
                      {"other_files", p.other_files},
                      {"output_sizes", p.output_sizes},
                      {"histogram_before", p.histogram_before.ToJson()},
                      {"histogram_after", p.histogram_after.ToJson()}};
  if (!p.reason.empty()) d["reason"] = p.reason;
  if (!p.method.empty()) d["method"] = p.method;
  if (!p.method_reason.empty()) d["method_reason"] = p.method_reason;
  if (p.sorted_rows > 0) {
    d["sort"] = {{"rows", p.sorted_rows}, {"spill_runs", p.spill_runs},
                 {"spilled_bytes", p.spilled_bytes}};
  }
  return d;
}

// Stands for "details" in the document WriteJson dumps: a string no summary holds (a control
// character, which every name in a summary has escaped).
constexpr const char* kDetailsMark = "\x01" "details" "\x01";

}  // namespace

nlohmann::json RunSummary::ToJson() const {
  nlohmann::json j = ToJsonWithoutDetails();
  nlohmann::json details = nlohmann::json::array();
  for (const auto& p : partitions) details.push_back(DetailJson(p));
  j["details"] = std::move(details);
  return j;
}

void RunSummary::WriteJson(std::ostream& out, int indent) const {
  nlohmann::json head = Utf8Safe(ToJsonWithoutDetails());
  head["details"] = kDetailsMark;
  const std::string text = head.dump(indent);
  // The mark as dumped: its control characters escaped.
  const std::string mark = nlohmann::json(kDetailsMark).dump();
  const size_t at = text.find(mark);
  out << text.substr(0, at);
  if (partitions.empty()) {
    out << "[]";
  } else {
    // Each entry at depth 2, as the whole document's dump would place it.
    const std::string pad(static_cast<size_t>(indent) * 2, ' ');
    out << "[";
    for (size_t i = 0; i < partitions.size(); ++i) {
      std::string entry = Utf8Safe(DetailJson(partitions[i])).dump(indent);
      std::string shifted;
      shifted.reserve(entry.size() + 64);
      for (char c : entry) {
        shifted += c;
        if (c == '\n') shifted += pad;
      }
      out << (i == 0 ? "\n" : ",\n") << pad << shifted;
    }
    out << "\n" << std::string(static_cast<size_t>(indent), ' ') << "]";
  }
  out << text.substr(at + mark.size());
}

nlohmann::json RunSummary::ToJsonWithoutDetails() const {
  const Totals t = Sum(partitions);
  nlohmann::json stage_times = nlohmann::json::array();
  for (const auto& s : stages) {
    stage_times.push_back({{"name", StageName(s.stage)},
                           {"seconds", s.seconds},
                           {"start", s.start},
                           {"end", s.end}});
  }
  nlohmann::json j = {
      {"kind", "run"},
      {"version", version},
      {"run_id", run_id},
      {"table", table},
      {"target", target.empty() ? nlohmann::json(nullptr) : nlohmann::json(target)},
      {"shard", shard.empty() ? nlohmann::json(nullptr) : nlohmann::json(shard)},
      {"dry_run", dry_run},
      {"originals", originals},
      {"target_file_bytes", target_file_bytes},
      {"partitions",
       {{"considered", partitions.size()},
        {"compacted", Count(PartitionStatus::kCompacted)},
        {"copied", Count(PartitionStatus::kCopied)},
        {"planned", Count(PartitionStatus::kPlanned)},
        {"skipped", Count(PartitionStatus::kSkipped)},
        {"failed", Count(PartitionStatus::kFailed)},
        {"deferred", Count(PartitionStatus::kDeferred)}}},
      {"remaining", {{"partitions", t.remaining_partitions},
                     {"files", t.remaining_files},
                     {"bytes", t.remaining_bytes}}},
      {"limits", limits},
      {"sort", sort_by.empty() ? nlohmann::json(nullptr)
                               : nlohmann::json{{"by", sort_by},
                                                {"rows", t.sorted_rows},
                                                {"spill_runs", t.spill_runs},
                                                {"spilled_bytes", t.spilled_bytes}}},
      {"files", {{"before", t.files_before}, {"after", t.files_after},
                 {"rewritten", t.input_files}, {"written", t.output_files}}},
      {"bytes", {{"before", t.bytes_before}, {"after", t.bytes_after},
                 {"rewritten", t.input_bytes}}},
      {"rows", {{"rewritten", t.rows}}},
      {"seconds", seconds},
      {"stages", stage_times},
      {"histogram", {{"buckets", SizeHistogram::Buckets()},
                     {"before", t.histogram_before.ToJson()},
                     {"after", t.histogram_after.ToJson()}}},
      {"notes", notes},
      {"recovered", recovered}};
  if (!archive.empty()) j["archive"] = archive;
  if (!started_at.empty()) j["started_at"] = started_at;
  j["requests"] = {{"list", requests.list}, {"head", requests.head}, {"get", requests.get},
                   {"put", requests.put},   {"copy", requests.copy}, {"delete", requests.del}};
  if (dry_run) {
    j["requests_estimated"] = true;
  } else {
    const double per_second = seconds > 0 ? 1.0 / seconds : 0.0;
    j["throughput"] = {{"bytes_per_second", static_cast<double>(t.input_bytes) * per_second},
                       {"rows_per_second", static_cast<double>(t.rows) * per_second}};
  }
  return j;
}

}  // namespace s3c
