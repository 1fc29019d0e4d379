#include "plan/shard.h"

#include <set>

#include <gtest/gtest.h>

#include "util/test_util.h"

namespace s3c {
namespace {

TEST(Shard, ParsesKOfN) {
  ASSERT_OK_AND_ASSIGN(Shard shard, Shard::Parse("2/5"));
  EXPECT_EQ(shard.index, 2);
  EXPECT_EQ(shard.count, 5);
  EXPECT_EQ(shard.ToString(), "2/5");
  EXPECT_EQ(shard.Scope(), "shard-2-of-5");
  auto back = Shard::FromScope("shard-2-of-5");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->index, 2);
  EXPECT_EQ(back->count, 5);
}

TEST(Shard, RefusesWhatIsNotKOfN) {
  for (const char* bad : {"", "1", "5/5", "6/5", "-1/5", "1/0", "a/b", "1/2/3", "1 /2", "0/1000001"}) {
    EXPECT_FALSE(Shard::Parse(bad).ok()) << bad;
  }
  EXPECT_FALSE(Shard::FromScope("lease").has_value());
  EXPECT_FALSE(Shard::FromScope("shard-3-of-3").has_value());
}

TEST(Shard, EveryPartitionHasExactlyOneOwnerAndTheSplitIsEven) {
  constexpr int kShards = 4;
  int owned[kShards] = {0, 0, 0, 0};
  for (int day = 0; day < 400; ++day) {
    const std::string path = "dt=2023-" + std::to_string(day / 31 + 1) + "-" +
                             std::to_string(day % 31 + 1) + "/hour=" + std::to_string(day % 24);
    int owners = 0;
    for (int k = 0; k < kShards; ++k) {
      if (Shard{k, kShards}.Owns(path)) {
        ++owners;
        ++owned[k];
      }
    }
    EXPECT_EQ(owners, 1) << path;
  }
  for (int k = 0; k < kShards; ++k) EXPECT_NEAR(owned[k], 100, 30) << k;
}

TEST(Shard, OneShardOwnsEverything) {
  EXPECT_TRUE((Shard{0, 1}).Owns("year=2023/month=05"));
}

}  // namespace
}  // namespace s3c
