#include "util/utf8.h"

#include <gtest/gtest.h>

namespace s3c {
namespace {

TEST(Utf8, FindsTheFirstIllFormedByte) {
  EXPECT_EQ(FirstInvalidUtf8(""), std::nullopt);
  EXPECT_EQ(FirstInvalidUtf8("p=Zürich/日本/🦆"), std::nullopt);
  EXPECT_EQ(FirstInvalidUtf8("bad\xff.parquet"), 3u);
  EXPECT_EQ(FirstInvalidUtf8("a\xc3"), 1u);               // truncated
  EXPECT_EQ(FirstInvalidUtf8("\xc0\xaf"), 0u);            // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("\xe0\x80\xaf"), 0u);        // overlong
  EXPECT_EQ(FirstInvalidUtf8("x\xed\xa0\x80"), 1u);       // surrogate U+D800
  EXPECT_EQ(FirstInvalidUtf8("\xf4\x90\x80\x80"), 0u);    // above U+10FFFF
  EXPECT_EQ(FirstInvalidUtf8("\xf0\x9f\xa6\x86!\x80"), 5u);  // stray continuation
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));           // U+10FFFF itself
  EXPECT_FALSE(IsValidUtf8(std::string_view("\xfe\xff", 2)));
}

TEST(Utf8, EscapesOnlyIllFormedBytes) {
  EXPECT_EQ(EscapeInvalidUtf8("p=\xff\xfe"), "p=\\xFF\\xFE");
  EXPECT_EQ(EscapeInvalidUtf8("Zürich\\n"), "Zürich\\n");
  EXPECT_EQ(EscapeInvalidUtf8("a\xc3"), "a\\xC3");
  EXPECT_EQ(EscapeInvalidUtf8("\xed\xa0\x80z"), "\\xED\\xA0\\x80z");
  // Every byte string escapes to valid UTF-8.
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; b += 7) {
      const std::string s{static_cast<char>(a), static_cast<char>(b), '\xbf'};
      EXPECT_TRUE(IsValidUtf8(EscapeInvalidUtf8(s))) << a << " " << b;
    }
  }
}

TEST(Utf8, OneLineAlsoEscapesControlCharacters) {
  EXPECT_EQ(OneLine("p=g\nh"), "p=g\\x0Ah");
  EXPECT_EQ(OneLine("\x1b[31mE\x07\x7f"), "\\x1B[31mE\\x07\\x7F");
  // Characters that break or reorder a line on a terminal: NEL, U+2028, U+202E (RLO).
  EXPECT_EQ(OneLine("a\xc2\x85" "b\xe2\x80\xa8" "c\xe2\x80\xae" "d"),
            "a\\xC2\\x85b\\xE2\\x80\\xA8c\\xE2\\x80\\xAEd");
  // Other non-ASCII text stays as it is.
  EXPECT_EQ(OneLine("\xc3\xa9t\xc3\xa9 \xe6\x97\xa5"), "\xc3\xa9t\xc3\xa9 \xe6\x97\xa5");
  EXPECT_EQ(EscapeInvalidUtf8("\xe2\x80\xae"), "\xe2\x80\xae");
  EXPECT_EQ(OneLine("Zürich \xff"), "Zürich \\xFF");
  EXPECT_EQ(EscapeInvalidUtf8("a\nb"), "a\nb");  // JSON escapes those itself
}

TEST(Utf8, MakesJsonDumpable) {
  nlohmann::json j = {{"ok", "fine"},
                      {"bad\xff", {{"path", "t/p=\xfe/x.parquet"}, {"n", 3}}},
                      {"list", {"a", "\xc3"}}};
  EXPECT_THROW(j.dump(), nlohmann::json::type_error);
  const std::string text = Utf8Safe(j).dump();
  EXPECT_EQ(text,
            R"({"bad\\xFF":{"n":3,"path":"t/p=\\xFE/x.parquet"},"list":["a","\\xC3"],"ok":"fine"})");
}

}  // namespace
}  // namespace s3c
