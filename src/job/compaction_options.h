#pragma once
// CompactionOptions: everything a run can be told, as a plain struct. The CLI fills it from
// flags (python/glue_job.py passes the Glue job's arguments on as flags). Each field states its default.

#include <cstdint>
#include <optional>

#include <string>

#include <arrow/util/type_fwd.h>

#include "commit/originals_policy.h"
#include "plan/compaction_plan.h"
#include "plan/partition_predicate.h"
#include "plan/run_budget.h"
#include "execute/sort/sort_spec.h"
#include "plan/shard.h"
#include "plan/waves.h"

namespace s3c {

enum class RunMode { kRun, kDryRun };

enum class VerifyMode {
  kRows,     // default: every output opens, row counts agree with the inputs
  kContent,  // also an order-independent digest of every row (RowDigest), read back
};

struct CompactionOptions {
  /// --partition_predicate, parsed. Default: every partition.
  PartitionPredicate predicate = PartitionPredicate::All();
  /// --target_s3_path: write partitions under <target>/<partition path>/. Empty: in place.
  std::string target_path;
  OriginalFiles original_files = OriginalFiles::kKeep;
  /// --archive_path: where kept originals of an in-place run go. Empty:
  /// <table>/_s3_compaction/archive.
  std::string archive_path;
  /// --target_file_size_mb. Default 128 MiB.
  int64_t target_file_bytes = 128LL << 20;
  /// Files of at least this fraction of the target are left alone. Default 0.75.
  double small_file_ratio = 0.75;
  /// A partition with fewer small files is left alone. Default 2.
  int min_input_files = 2;
  /// --compression; nullopt keeps the inputs' codec (default).
  std::optional<arrow::Compression::type> codec;
  int compression_level = 0;
  /// --row_group_size_mb; 0 picks target/4 within [64 KiB, 128 MiB].
  int64_t row_group_bytes = 0;
  /// --parallelism: groups written at once. 0: the machine's cores.
  int parallelism = 0;
  /// --wave_files: a run plans, journals and commits at most this many input files at a time
  /// (Waves). With a limit (--max_*) the run is one wave: partitions are chosen from them all.
  int64_t wave_files = Waves::kDefaultFiles;
  /// With a catalog and a target: repoint the catalog's partitions to their new locations
  /// (default). false makes the run an export that leaves the catalog alone.
  bool update_catalog = true;
  /// --update_catalog deferred: publish everything but change nothing in the catalog; the
  /// updates are kept in the journal for `s3-compaction commit` (one catalog commit after many
  /// shards: the Glue job's driver). Originals that must wait for a repoint wait for it.
  bool defer_catalog = false;
  RunMode mode = RunMode::kRun;
  /// --verify: rows (every output opens, row counts agree) or content (also an
  /// order-independent digest of every row, inputs against outputs read back).
  VerifyMode verify = VerifyMode::kRows;
  /// --merge: auto (pages where they apply and make good output), pages, rows.
  MergeMode merge = MergeMode::kAuto;
  /// --journal_path: where the run journal and the lease live. Empty: <table>/_s3_compaction.
  std::string journal_path;
  /// --force_unlock: take the table's lease even if another run holds it (a dead run's).
  bool force_unlock = false;
  /// --accept_unconditional_store: run even on a store that ignores conditional writes (the
  /// lease then cannot keep two runs apart; the scheduler must).
  bool accept_unconditional_store = false;
  /// --shard K/N: only the selected partitions this shard owns (see Shard).
  std::optional<Shard> shard;
  /// --delete_grace_minutes: with --delete_original_files=true, keep the originals out of
  /// readers' way for this long (archived in place; left behind at a target) so queries already
  /// reading them can finish, and delete them in a later run. 0: delete at once.
  int64_t delete_grace_minutes = 0;
  /// --max_runtime_minutes, --max_partitions, --max_input_gb: a run that fits a window takes
  /// partitions by benefit and leaves the rest for the next run (RunBudget). Default: none.
  RunLimits limits;
  /// --sort_by: each compacted partition's rows sorted as a whole (ExternalSorter). nullopt:
  /// rows keep their input order (default).
  std::optional<SortSpec> sort;
  /// --sort_memory_mb: memory for sorting, shared by the partitions sorted at once; beyond it
  /// sorted runs spill to --spill_path. Default 1 GiB.
  int64_t sort_memory_bytes = int64_t{1} << 30;
  /// --spill_path: the local folder sorted runs spill to. Empty: the system temp folder.
  std::string spill_path;
  /// --report: where the run's HTML page goes (written by the command line after the run);
  /// checked here, before anything, to be outside the table's data, its tool folder, the
  /// journal and the target.
  std::string report_path;
  /// Draw a progress bar (the CLI sets it when on a terminal).
  bool progress = false;
};

}  // namespace s3c
