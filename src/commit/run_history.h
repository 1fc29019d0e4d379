#pragma once
// RunHistory: the last completed run of a table, for `s3-compaction inspect` ("when was it last
// compacted, and what did that do?"). The journal of a finished run is deleted, so a run that
// finished writes one small record at the table's tool folder, beside the lease:
//
//   <table root>/_s3_compaction/last_run.json              a run over the whole selection
//   <table root>/_s3_compaction/last_run-shard-K-of-N.json  a shard's run
//
// Informational only: nothing decides anything from it (recovery goes by journals), so a record
// that is stale, copied or forged misleads a reader of `inspect` at most. Writing it is the
// run's last step, after its lease is released; a failure is a warning, never the run's.

#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <nlohmann/json.hpp>

#include "storage/location.h"

namespace s3c {

struct RunSummary;

class RunHistory {
 public:
  /// The record's name for `scope` ("" or "shard-K-of-N").
  static std::string RecordName(const std::string& scope);
  /// True for names RecordName gives.
  static bool IsRecordName(std::string_view file_name);

  /// The record of a finished run: run id, finished_at, shard, partitions by status, files,
  /// bytes and rows before/after, seconds.
  static nlohmann::json RecordOf(const RunSummary& summary);

  /// Writes `summary`'s record into `tool_folder` (RecordName(scope)). Returns the error (the
  /// caller warns); nothing else depends on it.
  static arrow::Status Record(const Location& tool_folder, const std::string& scope,
                              const RunSummary& summary);

  /// Every record in `tool_folder`, most recently finished first. Unreadable records are
  /// skipped with a note in `notes`.
  static arrow::Result<std::vector<nlohmann::json>> Read(const Location& tool_folder,
                                                         std::vector<std::string>* notes);
};

}  // namespace s3c
