#include "commit/run_transaction.h"

#include <nlohmann/json.hpp>

#include "storage/local_files.h"
#include "util/error_kind.h"
#include "util/logging.h"

namespace s3c {

RunTransaction::RunTransaction(const RunLayout& layout, std::string scope,
                               FileSystems& file_systems, std::unique_ptr<TableLease> lease)
    : layout_(layout),
      file_systems_(file_systems),
      scope_(scope),
      exclusion_(layout, std::move(scope), file_systems),
      lease_(std::move(lease)) {}

namespace {

// The tool's folders must be folders of the table (or target, or journal root), not links to
// elsewhere: the lease, the journal and the staged files would be written, and deleted, there.
arrow::Status CheckNoLinks(const RunLayout& layout) {
  std::vector<Location> folders;
  for (const Location& tool : {layout.ToolFolder(), layout.output_root().Child(RunLayout::kToolFolder)}) {
    folders.push_back(tool);
    for (const char* sub : {"runs", "staging", "archive"}) folders.push_back(tool.Child(sub));
  }
  folders.push_back(layout.RunsDir());
  for (const Location& folder : folders) {
    if (folder.is_s3()) continue;
    auto stat = LstatLocal(folder.path);
    if (stat.ok() && *stat && (*stat)->kind == LocalKind::kSymlink) {
      return arrow::Status::Invalid(folder.uri(), " is a symbolic link; the tool's folders must "
                                    "be real folders where they are (remove the link)");
    }
  }
  return arrow::Status::OK();
}

}  // namespace

arrow::Result<std::unique_ptr<RunTransaction>> RunTransaction::Open(const RunLayout& layout,
                                                                    const std::string& scope,
                                                                    const LeasePolicy& policy,
                                                                    FileSystems& file_systems) {
  if (auto links = CheckNoLinks(layout); !links.ok()) return WithKind(links, ErrorKind::kInput);
  auto acquired =
      TableLease::Acquire(ConditionalObject(layout.LeaseFile(scope), file_systems.aws(), file_systems.requests()),
                          layout.run_id(), TableLease::kDefaultTtl, policy);
  if (!acquired.ok()) return WithKind(acquired.status(), ErrorKind::kInput);
  std::unique_ptr<RunTransaction> txn(
      new RunTransaction(layout, scope, file_systems, std::move(acquired).ValueOrDie()));
  txn->accept_unconditional_store_ = policy.accept_unconditional_store;
  if (!(layout.output_root().Contains(layout.table_root()) &&
        layout.table_root().Contains(layout.output_root()))) {
    auto target = TableLease::Acquire(
        ConditionalObject(layout.TargetLeaseFile(scope), file_systems.aws(),
                          file_systems.requests()), layout.run_id(),
        TableLease::kDefaultTtl, policy);
    if (!target.ok()) {
      return WithKind(target.status().WithMessage("the target ", layout.output_root().uri(),
                                                  ": ", target.status().message()),
                      ErrorKind::kInput);
    }
    txn->target_lease_ = std::move(target).ValueOrDie();
  }
  // Both sides of a conflict check after taking their own lease: at least one stops.
  auto clear = txn->exclusion_.CheckAround();
  if (!clear.ok()) return WithKind(clear, ErrorKind::kInput);  // ~RunTransaction releases
  return txn;
}

arrow::Status RunTransaction::Begin(const JournalPlan& plan) {
  if (journal_) return journal_->BeginWave(plan);
  if (layout_.JournalElsewhere()) {
    // Written before the journal itself: a run given another --journal_path must be able to
    // find every journal this table has.
    const Location pointer = layout_.JournalPointerFile();
    const std::string text = nlohmann::json({{"journal_root", layout_.JournalRoot().uri()},
                                             {"table", layout_.table_root().uri()}})
                                 .dump();
    auto st = WriteWholeFile(pointer, text);
    if (!st.ok()) {
      return st.WithMessage("writing the journal pointer ", pointer.uri(), ": ", st.message());
    }
  }
  ARROW_ASSIGN_OR_RAISE(journal_, RunJournal::Begin(file_systems_, layout_, plan));
  return arrow::Status::OK();
}

arrow::Status RunTransaction::HoldPartitions(const std::vector<Location>& locations) {
  for (const Location& location : locations) {
    if (layout_.table_root().Contains(location) || layout_.output_root().Contains(location)) {
      continue;
    }
    const Location file = location.Child(std::string(RunLayout::kToolFolder))
                              .Child(BaseName(layout_.LeaseFile(scope_).path));
    auto held = TableLease::Acquire(ConditionalObject(file, file_systems_.aws(), file_systems_.requests()), layout_.run_id(),
                                    TableLease::kDefaultTtl,
                                    LeasePolicy{.accept_unconditional_store =
                                                    accept_unconditional_store_});
    if (!held.ok()) {
      return WithKind(held.status().WithMessage("the partition folder ", location.uri(), ": ",
                                                held.status().message()),
                      ErrorKind::kInput);
    }
    outside_leases_.push_back(std::move(held).ValueOrDie());
  }
  // Both sides check after taking their own: of two overlapping runs at least one sees the other.
  auto clear = exclusion_.CheckPartitionFolders(locations);
  return clear.ok() ? clear : WithKind(clear, ErrorKind::kInput);
}

void RunTransaction::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!lease_->held()) {  // as the last confirmation or renewal found it
    // Another run holds the table: the journal and the staging are its to finish now.
    log::Warn("the table's lease is no longer this run's: its journal and staging are left to "
              "the run that holds it");
    outside_leases_.clear();
    target_lease_.reset();
    lease_.reset();
    return;
  }
  if (journal_) {
    auto swept = file_systems_.DeleteFolder(layout_.StagingRoot());
    if (!swept.ok()) {
      log::Warn("could not clear the staging folder ", layout_.StagingRoot().uri(),
                " (the next run will): ", swept.message());
      keep_journal_ = true;
    }
    if (!keep_journal_) {
      auto st = RunJournal::DeleteRun(file_systems_, journal_->run_dir());
      if (!st.ok()) log::Warn("removing the finished run's journal: ", st.message());
    }
    if (layout_.JournalElsewhere()) {
      auto runs = RunJournal::ListRuns(layout_.RunsDir());
      if (runs.ok() && runs->empty()) file_systems_.DeleteFiles({layout_.JournalPointerFile()});
    }
  }
  for (auto& held : outside_leases_) {
    const Location folder = held->folder();
    held.reset();
    FileSystems::RemoveEmptyFolders(folder, RunLayout::kToolFolder);
  }
  outside_leases_.clear();
  target_lease_.reset();
  lease_.reset();  // releases the lease (TableLease's destructor)
  // On local disk, the tool's own folders the run left empty (S3 has no folders). A
  // --journal_path the user named stays; only folders named _s3_compaction and below go.
  FileSystems::RemoveEmptyFolders(layout_.StagingRoot(), RunLayout::kToolFolder);
  FileSystems::RemoveEmptyFolders(layout_.RunsDir(), RunLayout::kToolFolder);
  FileSystems::RemoveEmptyFolders(layout_.ToolFolder(), RunLayout::kToolFolder);
}

RunTransaction::~RunTransaction() { Finish(); }

}  // namespace s3c
