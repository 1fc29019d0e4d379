#include "catalog/hive_path.h"

#include <gtest/gtest.h>

#include "util/test_util.h"

namespace s3c::hive {
namespace {

TEST(HivePath, EscapesExactlyHivesCharacters) {
  const std::string escaped = "\"#%'*/:=?\\{[]^";
  for (char c : escaped) {
    char expected[4];
    std::snprintf(expected, sizeof(expected), "%%%02X", static_cast<unsigned char>(c));
    EXPECT_EQ(Escape(std::string(1, c)), expected) << "character " << c;
  }
  for (int c = 1; c < 0x20; ++c) {
    EXPECT_EQ(Escape(std::string(1, static_cast<char>(c))).size(), 3u) << "control " << c;
  }
  EXPECT_EQ(Escape("\x7f"), "%7F");
  // Everything else is kept, UTF-8 included.
  EXPECT_EQ(Escape("abc XYZ 019 -_.,;!@$&()+~`|<>"), "abc XYZ 019 -_.,;!@$&()+~`|<>");
  EXPECT_EQ(Escape("Zürich 日本 🦆"), "Zürich 日本 🦆");
  EXPECT_EQ(Escape("a/b=c"), "a%2Fb%3Dc");
  EXPECT_EQ(Escape("==="), "%3D%3D%3D");
}

TEST(HivePath, RoundTrips) {
  for (std::string value : {"a/b", "x=y", "50%", "with space", "#hash", "'quoted'", "\"dq\"",
                            "Zürich", "日本", "🦆", "===", "", "%41", "a:b?c*d", "\\back"}) {
    ASSERT_OK_AND_ASSIGN(std::string back, Unescape(Escape(value)));
    EXPECT_EQ(back, value);
    ASSERT_OK_AND_ASSIGN(auto kv, ParseSegment(MakeSegment("k", value)));
    ASSERT_TRUE(kv.has_value());
    EXPECT_EQ(*kv, (KeyValue{"k", value}));
  }
}

TEST(HivePath, DefaultPartitionIsNull) {
  EXPECT_EQ(MakeSegment("city", std::nullopt), "city=__HIVE_DEFAULT_PARTITION__");
  ASSERT_OK_AND_ASSIGN(auto kv, ParseSegment("city=__HIVE_DEFAULT_PARTITION__"));
  ASSERT_TRUE(kv.has_value());
  EXPECT_EQ(kv->key, "city");
  EXPECT_FALSE(kv->value.has_value());
  // An empty value is an empty string, not NULL.
  ASSERT_OK_AND_ASSIGN(auto empty, ParseSegment("city="));
  ASSERT_TRUE(empty->value.has_value());
  EXPECT_EQ(*empty->value, "");
}

TEST(HivePath, UnescapeAcceptsLowerCaseHex) {
  ASSERT_OK_AND_ASSIGN(std::string value, Unescape("a%2fb%3d"));
  EXPECT_EQ(value, "a/b=");
}

TEST(HivePath, BrokenEscapesAreErrorsWithTheOffset) {
  for (auto [text, offset] : std::vector<std::pair<std::string, int>>{
           {"%", 0}, {"%4", 0}, {"%G1", 0}, {"a%zz", 1}, {"ab%", 2}}) {
    auto result = Unescape(text);
    ASSERT_FALSE(result.ok()) << text;
    EXPECT_TRUE(result.status().IsInvalid());
    EXPECT_NE(result.status().message().find("offset " + std::to_string(offset)),
              std::string::npos)
        << result.status().message();
    EXPECT_NE(result.status().message().find("'" + text + "'"), std::string::npos);
  }
  EXPECT_FALSE(ParseSegment("k=%G1").ok());
  EXPECT_FALSE(ParseSegment("k%Z=v").ok());
}

TEST(HivePath, ParseSegment) {
  ASSERT_OK_AND_ASSIGN(auto year, ParseSegment("year=2023"));
  EXPECT_EQ(*year, (KeyValue{"year", "2023"}));
  // The first literal '=' separates; an escaped one is part of the key or value.
  ASSERT_OK_AND_ASSIGN(auto escaped, ParseSegment("a%3Db=c=d"));
  EXPECT_EQ(*escaped, (KeyValue{"a=b", "c=d"}));
  ASSERT_OK_AND_ASSIGN(auto plain, ParseSegment("noequals"));
  EXPECT_FALSE(plain.has_value());
  ASSERT_OK_AND_ASSIGN(auto no_key, ParseSegment("=v"));
  EXPECT_FALSE(no_key.has_value());
}

TEST(HivePath, PartitionPaths) {
  std::vector<std::string> keys = {"year", "city", "day"};
  std::vector<std::optional<std::string>> values = {"2023", "a/b", std::nullopt};
  const std::string path = MakePartitionPath(keys, values);
  EXPECT_EQ(path, "year=2023/city=a%2Fb/day=__HIVE_DEFAULT_PARTITION__");
  ASSERT_OK_AND_ASSIGN(auto parsed, ParsePartitionPath(path + "/"));
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed[1], (KeyValue{"city", "a/b"}));
  EXPECT_FALSE(parsed[2].value.has_value());

  auto bad = ParsePartitionPath("year=2023/backup/day=1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'backup'"), std::string::npos);
}

}  // namespace
}  // namespace s3c::hive
