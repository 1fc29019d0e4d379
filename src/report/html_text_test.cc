#include "report/html_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace s3c {
namespace {

TEST(HtmlText, EscapesMarkupAndQuotes) {
  EXPECT_EQ(HtmlText::Escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
  EXPECT_EQ(HtmlText::Escape("year=2023/month=05"), "year=2023/month=05");
  const std::string text = "caf\u00e9 \u65e5\u672c \U0001F600";
  EXPECT_EQ(HtmlText::Escape(text), text);
  EXPECT_EQ(HtmlText::Escape(""), "");
}

TEST(HtmlText, WritesWhatAParserRejectsAsVisibleText) {
  EXPECT_EQ(HtmlText::Escape(std::string("a\x01" "b\x7F" "c\td\ne")), "a\\x01b\\x7Fc\td\ne");
  EXPECT_EQ(HtmlText::Escape(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(HtmlText::Escape("\u0085|\uFDD0|\uFFFE"), "\\u0085|\\uFDD0|\\uFFFE");
  // Bytes that are not UTF-8: the \xNN text (backslashes in names are kept as they are).
  EXPECT_EQ(HtmlText::Escape("p=\xff\\x41"), "p=\\xFF\\x41");
}

TEST(HtmlText, EllipsizeCutsWholeCharacters) {
  EXPECT_EQ(HtmlText::Ellipsize("abcdef", 6), "abcdef");
  EXPECT_EQ(HtmlText::Ellipsize("abcdefg", 6), "abcde\u2026");
  EXPECT_EQ(HtmlText::Ellipsize("\u65e5\u672c\u8a9e\u65e5\u672c\u8a9e", 4),
            "\u65e5\u672c\u8a9e\u2026");
  EXPECT_EQ(HtmlText::Ellipsize("ab", 1), "\u2026");
  EXPECT_EQ(HtmlText::Ellipsize(std::string(5000, 'x'), 48).size(), 47u + 3u);
}

TEST(HtmlText, NumbersAreFiniteDecimals) {
  EXPECT_EQ(HtmlText::Number(0), "0");
  EXPECT_EQ(HtmlText::Number(-0.0), "0");
  EXPECT_EQ(HtmlText::Number(12), "12");
  EXPECT_EQ(HtmlText::Number(1.25), "1.3");
  EXPECT_EQ(HtmlText::Number(-3.04), "-3");
  EXPECT_EQ(HtmlText::Number(std::nan("")), "0");
  EXPECT_EQ(HtmlText::Number(std::numeric_limits<double>::infinity()), "0");
  EXPECT_EQ(HtmlText::Number(1e300), "1000000000000000");
}

}  // namespace
}  // namespace s3c
