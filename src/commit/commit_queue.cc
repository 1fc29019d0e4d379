#include "commit/commit_queue.h"

#include <algorithm>

namespace s3c {

std::vector<size_t> CommitQueue::Plan(const std::vector<int64_t>& files, size_t max_partitions,
                                      int64_t max_files) {
  std::vector<size_t> batch_of(files.size(), kNone);
  size_t batch = 0, in_batch = 0;
  int64_t batch_files = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i] < 0) continue;  // never handed over
    if (in_batch > 0 &&
        (in_batch >= std::max<size_t>(1, max_partitions) || batch_files + files[i] > max_files)) {
      ++batch;
      in_batch = 0;
      batch_files = 0;
    }
    batch_of[i] = batch;
    ++in_batch;
    batch_files += files[i];
  }
  return batch_of;
}

CommitQueue::CommitQueue(std::function<void(const std::vector<size_t>&)> commit,
                         const std::vector<int64_t>& files, size_t max_partitions,
                         int64_t max_files)
    : commit_(std::move(commit)), batch_of_(Plan(files, max_partitions, max_files)) {
  size_t batches = 0;
  for (size_t b : batch_of_) {
    if (b != kNone) batches = std::max(batches, b + 1);
  }
  batch_size_.assign(batches, 0);
  for (size_t b : batch_of_) {
    if (b != kNone) ++batch_size_[b];
  }
  arrived_.resize(batches);
  thread_ = std::thread([this] { Loop(); });
}

CommitQueue::~CommitQueue() {
  try {
    Close();
  } catch (...) {
    // Close() was not called on an error path: the error that got us here is the one to tell.
  }
}

void CommitQueue::Add(size_t item) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    size_t b = batch_of_.at(item);
    if (b == kNone) {  // planned as never handed over, yet here: a batch of its own
      b = arrived_.size();
      arrived_.emplace_back();
      batch_size_.push_back(1);
    }
    arrived_[b].push_back(item);
    if (arrived_[b].size() == batch_size_[b]) ready_.push_back(b);
  }
  changed_.notify_all();
}

void CommitQueue::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!closing_) {
      closing_ = true;
      // What is left of the batches whose every partition did not arrive, in order.
      for (size_t b = 0; b < arrived_.size(); ++b) {
        if (!arrived_[b].empty() && arrived_[b].size() < batch_size_[b]) ready_.push_back(b);
      }
    }
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::exception_ptr error;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::swap(error, error_);
  }
  if (error) std::rethrow_exception(error);
}

int64_t CommitQueue::batches() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return batches_;
}

void CommitQueue::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return closing_ || !ready_.empty(); });
    if (ready_.empty()) return;  // closing, and nothing left
    const size_t b = ready_.front();
    ready_.pop_front();
    if (error_) continue;  // a commit threw: no further batch is committed (the run is ending)
    std::vector<size_t> batch = arrived_[b];
    std::sort(batch.begin(), batch.end());
    ++batches_;
    lock.unlock();
    try {
      commit_(batch);
    } catch (...) {
      lock.lock();
      if (!error_) error_ = std::current_exception();
      continue;
    }
    lock.lock();
  }
}

}  // namespace s3c
