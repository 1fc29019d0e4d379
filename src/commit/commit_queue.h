#pragma once
// CommitQueue: partitions handed over as their last group is written, committed in batches by
// a thread of its own (PartitionCommitter::CommitBatch): a batch's journal records are one
// object and its lease confirmations one per step, so small partitions cost a fraction of a
// request each for them.
//
// The batches are fixed before anything runs (Plan: in the order the partitions are
// scheduled, at most `max_partitions` each and, past a batch's first, at most `max_files`
// input files in all, which keeps its journal object a few MiB), so what a run costs does not
// depend on timing and `--dry-run` can say it (RequestEstimate uses the same Plan). A batch is
// committed as soon as its last partition is handed over; Close() commits what is left of the
// others (partitions a runtime limit never started are never handed over) and waits for every
// commit. Add() never blocks on a commit. Close() rethrows the first exception a commit threw
// (a bug; no further batch is committed then). Thread-safe.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace s3c {

class CommitQueue {
 public:
  static constexpr size_t kMaxPartitions = 500;
  static constexpr int64_t kMaxFiles = 20000;

  static constexpr size_t kNone = static_cast<size_t>(-1);
  /// Item i's batch, for items of `files[i]` input files taken in order; kNone for an item
  /// whose `files[i]` is negative (one that is never handed over: nothing to write).
  static std::vector<size_t> Plan(const std::vector<int64_t>& files,
                                  size_t max_partitions = kMaxPartitions,
                                  int64_t max_files = kMaxFiles);

  /// `commit(items)` commits those items (indices into `files`, in order).
  CommitQueue(std::function<void(const std::vector<size_t>&)> commit,
              const std::vector<int64_t>& files, size_t max_partitions = kMaxPartitions,
              int64_t max_files = kMaxFiles);
  ~CommitQueue();
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  void Add(size_t item);
  void Close();

  /// The batches committed so far.
  int64_t batches() const;

 private:
  void Loop();

  std::function<void(const std::vector<size_t>&)> commit_;
  std::vector<size_t> batch_of_;
  std::vector<size_t> batch_size_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::vector<size_t>> arrived_;  // per batch, the items handed over so far
  std::deque<size_t> ready_;                  // batches whose items have all arrived
  bool closing_ = false;
  int64_t batches_ = 0;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace s3c
