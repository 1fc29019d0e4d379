#include "util/parallel_for.h"

#include <atomic>
#include <stdexcept>

#include <gtest/gtest.h>

namespace s3c {
namespace {

TEST(ParallelFor, RunsEveryItem) {
  std::atomic<int> sum{0};
  ParallelFor(100, 4, [&](size_t i) { sum += static_cast<int>(i); });
  EXPECT_EQ(sum, 4950);
}

TEST(ParallelFor, AnExceptionReachesTheCallerInsteadOfEndingTheProcess) {
  for (int threads : {1, 4}) {
    std::atomic<int> started{0};
    try {
      ParallelFor(1000, threads, [&](size_t i) {
        ++started;
        if (i == 3) throw std::runtime_error("item 3");
      });
      FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "item 3");
    }
    // No new item starts after the exception (with more threads, the others may have run
    // every item meanwhile: how many is up to the scheduler).
    if (threads == 1) EXPECT_EQ(started, 4);
  }
}

}  // namespace
}  // namespace s3c
