#include "commit/request_estimate.h"

#include <algorithm>

#include "commit/commit_queue.h"
#include "commit/partition_publisher.h"

namespace s3c {
namespace {

constexpr int64_t kPartBytes = 10LL << 20;         // Arrow's S3 multipart part size
constexpr int64_t kWholeFileRead = 32LL << 20;     // ExecuteOptions::whole_file_read_limit
constexpr int64_t kPerRequest = 1000;              // keys per LIST page and per DeleteObjects

int64_t Batches(int64_t n) { return (n + kPerRequest - 1) / kPerRequest; }

// The PUTs of one output of `bytes`: one, or a multipart upload (create, parts, complete).
int64_t OutputPuts(int64_t bytes) {
  return bytes < kPartBytes ? 1 : 2 + (bytes + kPartBytes - 1) / kPartBytes;
}

// The folders above the table whose tool folders the exclusion lists: on S3 the bucket's root
// and every prefix down to the table's parent.
int64_t FoldersAbove(const Location& table) {
  if (!table.is_s3()) return 0;
  return static_cast<int64_t>(std::count(table.path.begin(), table.path.end(), '/'));
}

}  // namespace

RequestEstimate::RequestEstimate(const RunLayout& layout, const CommitSettings& settings,
                                 CatalogStep catalog_step)
    : layout_(layout), settings_(settings), s3_(layout.table_root().is_s3()),
      catalog_step_(catalog_step) {
  RequestCounts& r = counts_;
  // The lease: created, probed (S3), read and deleted at release; the exclusion's listings;
  // recovery's listing of the runs folder.
  r.put += 1 + (s3_ ? 2 : 0);
  r.get += 1;
  r.del += 1;
  r.list += 2 + FoldersAbove(layout.table_root()) + 1;
  const Location& target = layout.output_root();
  if (!target.SameFolder(layout.table_root())) {
    // The target's own lease, probed again if it is in another bucket.
    const auto bucket = [](const Location& l) { return l.path.substr(0, l.path.find('/')); };
    r.put += 1 + (s3_ && bucket(target) != bucket(layout.table_root()) ? 2 : 0);
    r.get += 1;
    r.del += 1;
  }
}

void RequestEstimate::AddWave(const std::vector<const PartitionPlan*>& plans) {
  RequestCounts& r = counts_;
  // The partitions that write, in the order they are scheduled, make the wave's commit
  // batches; a wave with one writes its plan.
  std::vector<const PartitionPlan*> writing;
  std::vector<int64_t> files;
  for (const PartitionPlan* p : plans) {
    if (p->action != PartitionAction::kCompact && p->action != PartitionAction::kCopy) continue;
    writing.push_back(p);
    files.push_back(p->InputFiles());
  }
  if (writing.empty()) return;
  plans_ += 1;
  if (catalog_step_.runs) {
    r.put += 1;  // catalog.json
    if (!catalog_step_.deferred) {
      r.get += 1;  // the lease, before the catalog is touched
      r.del += 1;  // catalog.json, once sent
    }
  }
  const std::vector<size_t> batch_of = CommitQueue::Plan(files);
  struct Batch {
    bool removes_now = false, awaits_catalog = false;
    int64_t firsts[2] = {0, 0}, rests[2] = {0, 0};  // per policy: in place, elsewhere
  };
  std::vector<Batch> batches(batch_of.back() + 1);
  bool repointed_any = false;
  int64_t after_catalog_firsts = 0, after_catalog_rests = 0;
  for (size_t w = 0; w < writing.size(); ++w) {
    const PartitionPlan& p = *writing[w];
    Batch& batch = batches[batch_of[w]];
    const bool to_target = PartitionPublisher::WritesElsewhere(p);
    const OriginalsPolicy& policy = to_target ? settings_.elsewhere : settings_.in_place;
    const bool repointed = to_target && settings_.defer_originals;
    const int64_t inputs = p.InputFiles();
    // Reading: a small input whole, in one GET; a large one by its footer and row groups.
    for (const auto& group : p.groups) {
      for (size_t i : group.inputs) {
        const InputFile& f = p.files[i];
        r.get += f.info.size() <= kWholeFileRead ? 1 : 1 + std::max(1, f.row_groups);
      }
    }
    // Writing: each output staged (PUT), then read back (its footer).
    const int64_t outputs = std::max<int64_t>(p.estimated_output_files, p.groups.empty() ? 0 : 1);
    int64_t output_bytes = 0;
    for (const auto& g : p.groups) output_bytes += g.estimated_output_bytes;
    if (outputs > 0) r.put += outputs * OutputPuts(output_bytes / outputs);
    r.get += outputs;
    staged_ += outputs;
    // Committing: the originals listed before publishing and again before removing them; a
    // COPY per output (and per kept file, to a target).
    const int64_t kept = to_target ? static_cast<int64_t>(p.kept.size()) : 0;
    const int64_t listed = Batches(static_cast<int64_t>(p.files.size() + p.other_files.size()) + 1);
    r.list += 2 * listed;
    r.copy += outputs + kept;
    const int64_t originals = inputs + kept;
    const bool removal = policy.action != OriginalsAction::kKeep && originals > 0;
    if (removal && policy.action == OriginalsAction::kArchive) r.copy += originals;
    removes_ |= removal;
    if (repointed) {
      // Its old location listed just before and just after the catalog moves it (files that
      // arrive meanwhile are carried: Newcomers); after the catalog step, all of the wave's
      // together (below).
      r.list += 2 * listed;
      batch.awaits_catalog = true;
      repointed_any = true;
      if (removal) {
        after_catalog_firsts += 1;
        after_catalog_rests += originals - 1;
      }
    } else {
      batch.removes_now = true;
      if (removal) {
        const int which = to_target ? 1 : 0;
        batch.firsts[which] += 1;
        batch.rests[which] += originals - 1;
      }
    }
  }
  for (const Batch& batch : batches) {
    // A batch's steps: the lease confirmed and the records written once each for all its
    // partitions (publishing; published, for those awaiting the catalog; removing and done);
    // every partition's first original in one request, then the rest together. Those awaiting
    // the catalog: after it, their records (repointed, removing, done) once each a batch.
    record_objects_ += 1;
    r.get += 1 + (batch.removes_now ? 1 : 0);
    r.put += 1 + (batch.awaits_catalog ? 4 : 0) + (batch.removes_now ? 2 : 0);
    for (int which = 0; which < 2; ++which) {
      if (batch.firsts[which] == 0) continue;
      r.del += Batches(batch.firsts[which]) + Batches(batch.rests[which]);
    }
  }
  if (repointed_any) {
    // After the catalog step, the wave's repointed partitions together: the lease confirmed
    // once, every first original in one request, then the rest.
    r.get += 1;
    if (after_catalog_firsts > 0) {
      r.del += Batches(after_catalog_firsts) + Batches(after_catalog_rests);
    }
  }
}

RequestCounts RequestEstimate::Total(const RequestCounts& planning) const {
  RequestCounts r = counts_;
  r += planning;
  if (plans_ > 0) {
    r.put += plans_;                    // plan.json, plan-<k>.json
    if (s3_ && removes_) r.del += 1;    // the conditional-delete probe, once per bucket
    r.list += Batches(staged_ + 1);     // the staging sweep
    r.del += Batches(staged_);
    // The run folder: records and later waves' plans, then plan.json.
    r.list += Batches(record_objects_ + plans_ + 1);
    r.del += Batches(record_objects_ + plans_ - 1) + 1;
  }
  return r;
}

}  // namespace s3c
