#include "report/stage_clock.h"

#include <regex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace s3c {
namespace {

using namespace std::chrono_literals;

const StageTime* Find(const std::vector<StageTime>& stages, Stage stage) {
  for (const auto& s : stages) {
    if (s.stage == stage) return &s;
  }
  return nullptr;
}

TEST(StageClock, OnlyEnteredStagesAreReportedInOrder) {
  StageClock clock;
  EXPECT_TRUE(clock.Stages().empty());
  { StageClock::Scope s(&clock, Stage::kWriting); }
  { StageClock::Scope s(&clock, Stage::kListing); }
  auto stages = clock.Stages();
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_EQ(stages[0].stage, Stage::kListing);
  EXPECT_EQ(stages[1].stage, Stage::kWriting);
  EXPECT_EQ(StageName(Stage::kRecovery), "recovery");
  EXPECT_EQ(StageName(Stage::kCatalog), "catalog");
}

TEST(StageClock, BusyTimeStartAndEnd) {
  StageClock clock;
  std::this_thread::sleep_for(20ms);
  { StageClock::Scope s(&clock, Stage::kPlanning); std::this_thread::sleep_for(30ms); }
  const auto stages = clock.Stages();
  const StageTime* planning = Find(stages, Stage::kPlanning);
  ASSERT_NE(planning, nullptr);
  EXPECT_GE(planning->seconds, 0.029);
  EXPECT_GE(planning->start, 0.019);
  EXPECT_GE(planning->end - planning->start, 0.029);
  EXPECT_LE(planning->end, clock.Seconds());
}

TEST(StageClock, AnInnerScopePausesTheOuterOne) {
  StageClock clock;
  {
    StageClock::Scope reading(&clock, Stage::kReading);
    std::this_thread::sleep_for(20ms);
    {
      StageClock::Scope writing(&clock, Stage::kWriting);
      std::this_thread::sleep_for(60ms);
    }
    std::this_thread::sleep_for(20ms);
  }
  const auto stages = clock.Stages();
  const StageTime* reading = Find(stages, Stage::kReading);
  const StageTime* writing = Find(stages, Stage::kWriting);
  ASSERT_TRUE(reading && writing);
  EXPECT_GE(writing->seconds, 0.059);
  EXPECT_GE(reading->seconds, 0.039);
  // The 60 ms of writing are not reading's too: together they are the outer scope's span.
  EXPECT_NEAR(reading->seconds + writing->seconds, reading->end - reading->start, 1e-6);
  EXPECT_GE(reading->end - reading->start, 0.099);
}

TEST(StageClock, BusyTimeSumsOverThreads) {
  StageClock clock;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      StageClock::Scope s(&clock, Stage::kReading);
      std::this_thread::sleep_for(40ms);
    });
  }
  for (auto& t : threads) t.join();
  const auto stages = clock.Stages();
  const StageTime* reading = Find(stages, Stage::kReading);
  ASSERT_NE(reading, nullptr);
  EXPECT_GE(reading->seconds, 4 * 0.039);
  EXPECT_LT(reading->end - reading->start, reading->seconds);  // they overlapped
}

TEST(StageClock, ANullClockTimesNothing) {
  StageClock clock;
  {
    StageClock::Scope outer(&clock, Stage::kCatalog);
    StageClock::Scope untimed(nullptr, Stage::kRemoving);  // does not pause the outer one
    std::this_thread::sleep_for(10ms);
  }
  const auto stages = clock.Stages();
  ASSERT_EQ(stages.size(), 1u);
  EXPECT_GE(stages[0].seconds, 0.009);
}

TEST(StageClock, StartedAtIsUtcIso8601) {
  StageClock clock;
  EXPECT_TRUE(std::regex_match(clock.StartedAt(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
      << clock.StartedAt();
}

}  // namespace
}  // namespace s3c
