#include "commit/commit_queue.h"

#include <future>
#include <stdexcept>

#include <gtest/gtest.h>

namespace s3c {
namespace {

TEST(CommitQueue, BatchesAreFixedInOrderByPartitionsAndFiles) {
  EXPECT_EQ(CommitQueue::Plan({4, 4, 4, 4, 4, 4, 4}, 3, 1000),
            (std::vector<size_t>{0, 0, 0, 1, 1, 1, 2}));
  // 40, then 500 would pass 100: a new batch; 500 alone (a batch always takes its first).
  EXPECT_EQ(CommitQueue::Plan({40, 500, 40, 40, 30}, 100, 100),
            (std::vector<size_t>{0, 1, 2, 2, 3}));
  EXPECT_TRUE(CommitQueue::Plan({}).empty());
  // Items with nothing to write are in no batch, and do not hold one up.
  EXPECT_EQ(CommitQueue::Plan({4, -1, 4, 4}, 2, 1000),
            (std::vector<size_t>{0, CommitQueue::kNone, 0, 1}));
  EXPECT_EQ(CommitQueue::Plan(std::vector<int64_t>(1200, 4)).back(), 2u);  // 500 a batch
}

TEST(CommitQueue, ABatchCommitsWhenItsLastPartitionArrivesAndCloseCommitsTheRest) {
  std::vector<std::vector<size_t>> batches;
  std::mutex mutex;
  std::promise<void> first_done;
  CommitQueue queue(
      [&](const std::vector<size_t>& batch) {
        std::lock_guard<std::mutex> lock(mutex);
        batches.push_back(batch);
        if (batches.size() == 1) first_done.set_value();
      },
      std::vector<int64_t>(7, 4), 3, 1000);
  queue.Add(1);
  queue.Add(4);
  queue.Add(2);
  queue.Add(0);  // the first batch, {0, 1, 2}, is complete
  first_done.get_future().wait();
  {
    std::lock_guard<std::mutex> lock(mutex);
    ASSERT_EQ(batches.size(), 1u);
    EXPECT_EQ(batches[0], (std::vector<size_t>{0, 1, 2}));
  }
  queue.Add(5);  // {3, 4, 5} still lacks 3; 6 never comes (a runtime limit, say)
  queue.Close();
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1], (std::vector<size_t>{4, 5}));
  EXPECT_EQ(queue.batches(), 2);
}

TEST(CommitQueue, AnExceptionInACommitReachesClose) {
  CommitQueue queue([](const std::vector<size_t>&) { throw std::runtime_error("a bug"); },
                    {1}, 10, 10);
  queue.Add(0);
  EXPECT_THROW(queue.Close(), std::runtime_error);
}

TEST(CommitQueue, CloseWithNothingAddedCommitsNothing) {
  int commits = 0;
  CommitQueue queue([&](const std::vector<size_t>&) { ++commits; }, {1, 2}, 10, 10);
  queue.Close();
  queue.Close();  // idempotent
  EXPECT_EQ(commits, 0);
}

}  // namespace
}  // namespace s3c
