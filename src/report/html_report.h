#pragma once
// HtmlReport: a run's summary or an inspection (the JSON documents `--json` prints: RunSummary's
// and `s3-compaction inspect`'s) as one self-contained HTML5 page: inline CSS and
// SVG charts, no script, nothing fetched from elsewhere (it opens from S3, a CI artifact or an
// email attachment), printable, and every number also as text.
//
// Every string of the document is escaped; a field that is missing or of another type is left
// out (older and partial documents render), never an error. The same document always gives
// the same page. Long lists are capped (the partitions table at kMaxTableRows rows, worst
// first, saying how many were left out), so a table of 10,000 partitions makes a page of a
// few hundred KiB. Pure; thread-safe.

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace s3c {

class HtmlReport {
 public:
  enum class Kind { kRun, kInspection };

  static constexpr size_t kMaxTableRows = 500;  // partitions listed in the table
  static constexpr size_t kMaxListed = 200;     // failures, drift, notes ... listed
  static constexpr size_t kTopPartitions = 20;  // rows of the partitions chart

  /// What `doc` is: its "kind" ("run" or "inspection"); a document without "kind" but with a
  /// "run_id" is a run (summaries before issue 16). nullopt for anything else.
  static std::optional<Kind> KindOf(const nlohmann::json& doc);

  /// The page. A document of neither kind gives a short page saying so.
  static std::string Render(const nlohmann::json& doc);
};

}  // namespace s3c
