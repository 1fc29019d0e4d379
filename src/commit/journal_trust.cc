#include "commit/journal_trust.h"

#include <algorithm>

namespace s3c {
namespace {

// `file` lies directly in `folder`.
bool DirectlyIn(const Location& folder, const Location& file) {
  return folder.Contains(file) && !folder.SameFolder(file) &&
         folder.SameFolder(Location{file.fs, file.path.substr(0, file.path.rfind('/'))});
}

}  // namespace

arrow::Result<Location> JournalTrust::Resolve(const std::string& uri) const {
  auto resolved = file_systems_.Resolve(uri);
  if (!resolved.ok()) {
    return arrow::Status::Invalid("names '", uri, "', which does not resolve (",
                                  resolved.status().message(), "); left alone");
  }
  return resolved;
}

arrow::Status JournalTrust::CheckRun(const std::string& run_id, const JournalPlan& plan) const {
  if (!RunLayout::IsRunId(run_id) || plan.run_id != run_id) {
    return arrow::Status::Invalid("its plan names run '", plan.run_id,
                                  "', not its own folder's; not followed");
  }
  auto planned = file_systems_.Resolve(plan.table_location);
  if (!planned.ok() || !planned->SameFolder(layout_.table_root())) {
    return arrow::Status::Invalid("its journal is about the table at ", plan.table_location,
                                  ", not this one at ", layout_.table_root().uri(),
                                  " (a copy of a table with its journal?); not followed");
  }
  return arrow::Status::OK();
}

arrow::Status JournalTrust::CheckLocation(const JournalPartition& partition,
                                          const Location& location) const {
  if (layout_.table_root().Contains(location)) return arrow::Status::OK();
  if (layout_.output_root().Contains(location)) return arrow::Status::OK();  // our target
  if (catalog_locations_) {
    ARROW_ASSIGN_OR_RAISE(const auto* known, catalog_locations_());
    for (const auto& [path, uri] : *known) {
      auto where = file_systems_.Resolve(uri);
      if (where.ok() && where->SameFolder(location)) return arrow::Status::OK();
    }
  }
  // Where the catalog said a partition was earlier in this run (before a deferred commit moved
  // it): the fence holds only what this run's arguments and the catalog named.
  if (file_systems_.CheckMayDelete(location.Child("_")).ok()) return arrow::Status::OK();
  return arrow::Status::Invalid("its location ", location.uri(),
                                " is neither in the table, nor in this run's target, nor where "
                                "the catalog has a partition; left alone");
}

namespace {

// "year=2023/month=05": key=value segments only, none empty, "." or "..": a partition path is
// joined to the table, target, staging and archive folders as text. "" is the one partition
// of an unpartitioned table: its folder is the table's (and the same checks of every location
// and input hold for it as for any other).
bool PartitionPathIsPlain(const std::string& path) {
  if (path.empty()) return true;
  for (size_t start = 0; start <= path.size();) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    const std::string_view segment(path.data() + start, slash - start);
    if (segment.empty() || segment == "." || segment == ".." ||
        segment.find('=') == std::string_view::npos || segment.front() == '=') {
      return false;
    }
    start = slash + 1;
  }
  return true;
}

}  // namespace

arrow::Result<TrustedPartition> JournalTrust::CheckPartition(
    const JournalPlan& plan, const JournalPartition& partition) const {
  if (!PartitionPathIsPlain(partition.path)) {
    return arrow::Status::Invalid("its partition path '", partition.path,
                                  "' is not a plain key=value path; left alone");
  }
  TrustedPartition trusted;
  trusted.partition = &partition;
  ARROW_ASSIGN_OR_RAISE(trusted.location, Resolve(partition.location));
  ARROW_ASSIGN_OR_RAISE(trusted.output_dir, Resolve(partition.output_dir));
  ARROW_RETURN_NOT_OK(CheckLocation(partition, trusted.location));
  trusted.in_place = trusted.location.SameFolder(trusted.output_dir);
  const RunLayout run = layout_.ForRun(plan.run_id);
  if (!trusted.in_place) {
    const Location expected = layout_.output_root().Child(partition.path);
    if (layout_.output_root().SameFolder(layout_.table_root()) ||
        !expected.SameFolder(trusted.output_dir)) {
      return arrow::Status::Invalid("it was written to ", partition.output_dir,
                                    ", outside this run's target; left alone (run again with "
                                    "the --target_s3_path that run had)");
    }
  }
  // The run staged under its output root: the table, or its target (which must be ours).
  const Location in_table =
      RunLayout(plan.run_id, layout_.table_root(), layout_.table_root(), std::nullopt).StagingRoot();
  auto staged_at = file_systems_.Resolve(plan.staging_root);
  trusted.staging = (staged_at.ok() && staged_at->SameFolder(run.StagingRoot()) ? run.StagingRoot()
                                                                                 : in_table)
                        .Child(partition.path);
  trusted.archive = run.ArchiveDir(partition.path);
  trusted.policy =
      OriginalsPolicy::FromJournal(plan.policy, plan.delete_grace_minutes, !trusted.in_place);
  if (trusted.policy.action == OriginalsAction::kArchive) {
    auto archived = file_systems_.Resolve(plan.archive_root);
    if (!archived.ok() || !archived->SameFolder(run.ArchiveRoot())) {
      return arrow::Status::Invalid("it archived originals to ", plan.archive_root,
                                    ", not this run's archive ", run.ArchiveRoot().uri(),
                                    "; left alone (run again with the --archive_path that run "
                                    "had)");
    }
  }
  for (const auto& input : partition.inputs) {
    ARROW_ASSIGN_OR_RAISE(Location where, Resolve(input.uri));
    if (!DirectlyIn(trusted.location, where)) {
      return arrow::Status::Invalid("its input ", input.uri, " is not in its location ",
                                    trusted.location.uri(), "; left alone");
    }
    if (RunLayout::IsOutputOf(BaseName(where.path), plan.run_id)) {
      return arrow::Status::Invalid("its input ", input.uri, " is named as an output of that "
                                    "very run; left alone");
    }
    trusted.inputs.emplace_back(std::move(where), input);
  }
  return trusted;
}

arrow::Status JournalTrust::CheckRecord(const JournalPlan& plan,
                                        const TrustedPartition& partition,
                                        const PartitionRecord& record) const {
  auto outside = [](const std::string& what, const std::string& uri) {
    return arrow::Status::Invalid("its record names ", what, " ", uri,
                                  " outside the places this run allows; left alone");
  };
  for (const auto& o : record.outputs) {
    ARROW_ASSIGN_OR_RAISE(Location final, Resolve(o.final));
    if (!DirectlyIn(partition.output_dir, final)) return outside("the output", o.final);
    if (!o.staged.empty()) {
      ARROW_ASSIGN_OR_RAISE(Location staged, Resolve(o.staged));
      if (!partition.staging.Contains(staged)) return outside("the staged output", o.staged);
    }
    if (!o.source.empty()) {
      // A copy of a file left as it is (or written by another writer meanwhile) to a target.
      ARROW_ASSIGN_OR_RAISE(Location source, Resolve(o.source));
      if (!DirectlyIn(partition.location, source) || partition.in_place ||
          BaseName(source.path) != BaseName(final.path)) {
        return outside("the copied file", o.source);
      }
    } else if (!RunLayout::IsOutputOf(BaseName(final.path), plan.run_id)) {
      // Only files the run itself wrote carry its id: a record naming any other file as its
      // output (another run's, or the table's own data) is not to be believed.
      return arrow::Status::Invalid("its record names ", o.final, " as an output of run ",
                                    plan.run_id, ", which is not a name that run gives; left "
                                    "alone");
    }
  }
  for (const auto& f : record.checked) {
    ARROW_ASSIGN_OR_RAISE(Location where, Resolve(f.uri));
    if (!DirectlyIn(partition.location, where)) return outside("the original", f.uri);
  }
  // Deleted after a grace period: archived copies (in place), or, for a partition that moved to
  // a target, originals it planned and left behind at the old location.
  for (const auto& uri : record.pending_delete) {
    ARROW_ASSIGN_OR_RAISE(Location where, Resolve(uri));
    const bool planned_input =
        !partition.in_place &&
        std::any_of(partition.inputs.begin(), partition.inputs.end(),
                    [&](const auto& input) { return input.first.SameFolder(where); });
    if (!partition.archive.Contains(where) && !planned_input) {
      return outside("the file to delete later", uri);
    }
  }
  return arrow::Status::OK();
}

}  // namespace s3c
