#include "plan/partition_predicate.h"

#include <map>
#include <optional>

#include <gtest/gtest.h>

#include "util/test_util.h"

namespace s3c {
namespace {

// A partition: key -> value (nullopt = NULL); keys not in the map are unbound.
using Values = std::map<std::string, std::optional<std::string>>;

Truth Eval(const std::string& text, const Values& values, KeyType type = KeyType::kUnknown) {
  auto parsed = PartitionPredicate::Parse(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
  if (!parsed.ok()) return Truth::kUnknown;
  return parsed->Evaluate([&](std::string_view key) {
    std::string lower(key);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto it = values.find(lower);
    if (it == values.end()) return KeyBinding::Unbound();
    if (!it->second) return KeyBinding::Null(type);
    return KeyBinding::Value(*it->second, type);
  });
}

constexpr Truth T = Truth::kTrue, F = Truth::kFalse, U = Truth::kUnknown;

std::string Error(const std::string& text) {
  auto parsed = PartitionPredicate::Parse(text);
  EXPECT_FALSE(parsed.ok()) << text << " parsed";
  return parsed.ok() ? "" : parsed.status().message();
}

TEST(PartitionPredicate, Comparisons) {
  Values v = {{"year", "2023"}};
  EXPECT_EQ(Eval("year = '2023'", v), T);
  EXPECT_EQ(Eval("year = '2024'", v), F);
  EXPECT_EQ(Eval("year <> '2024'", v), T);
  EXPECT_EQ(Eval("year != '2023'", v), F);
  EXPECT_EQ(Eval("year < 2024", v), T);
  EXPECT_EQ(Eval("year <= 2023", v), T);
  EXPECT_EQ(Eval("year > 2023", v), F);
  EXPECT_EQ(Eval("year >= 2023", v), T);
  EXPECT_EQ(Eval("year=2023", v), T);  // no spaces, as the original job passes it
}

TEST(PartitionPredicate, LiteralOnTheLeftIsFlipped) {
  Values v = {{"year", "2023"}};
  EXPECT_EQ(Eval("'2023' = year", v), T);
  EXPECT_EQ(Eval("2024 > year", v), T);
  EXPECT_EQ(Eval("2023 < year", v), F);
  ASSERT_OK_AND_ASSIGN(auto p, PartitionPredicate::Parse("2024 > year"));
  EXPECT_EQ(p.ToGlueExpression(), "year < 2024");
}

TEST(PartitionPredicate, InBetweenLike) {
  Values v = {{"month", "05"}, {"city", "Zürich"}};
  EXPECT_EQ(Eval("month IN ('04', '05')", v), T);
  EXPECT_EQ(Eval("month IN ('04', '06')", v), F);
  EXPECT_EQ(Eval("month NOT IN ('04', '06')", v), T);
  EXPECT_EQ(Eval("month IN (5)", v), T);  // numeric
  EXPECT_EQ(Eval("month BETWEEN 3 AND 6", v), T);
  EXPECT_EQ(Eval("month BETWEEN '06' AND '09'", v), F);
  EXPECT_EQ(Eval("month NOT BETWEEN 6 AND 9", v), T);
  EXPECT_EQ(Eval("city LIKE 'Z%'", v), T);
  EXPECT_EQ(Eval("city LIKE 'Z_rich'", v), T);  // '_' is one character, ü included
  EXPECT_EQ(Eval("city LIKE 'Z__rich'", v), F);
  EXPECT_EQ(Eval("city LIKE '%ich'", v), T);
  EXPECT_EQ(Eval("city LIKE 'z%'", v), F);  // case-sensitive
  EXPECT_EQ(Eval("city NOT LIKE '%a%'", v), T);
  EXPECT_EQ(Eval("city LIKE '%'", v), T);
  EXPECT_EQ(Eval("city LIKE ''", Values{{"city", ""}}), T);
}

TEST(PartitionPredicate, LikeIsNotExponential) {
  std::string value(10000, 'a');
  Values v = {{"k", value}};
  EXPECT_EQ(Eval("k LIKE '%a%a%a%a%a%a%a%a%b'", v), F);
  EXPECT_EQ(Eval("k LIKE '%a%a%a%a%a%a%a%a%a'", v), T);
}

TEST(PartitionPredicate, Precedence) {
  Values v = {{"a", "1"}, {"b", "0"}, {"c", "0"}};
  // AND binds tighter than OR: a OR (b AND c).
  EXPECT_EQ(Eval("a = 1 OR b = 1 AND c = 1", v), T);
  EXPECT_EQ(Eval("(a = 1 OR b = 1) AND c = 1", v), F);
  // NOT binds tighter than AND.
  EXPECT_EQ(Eval("NOT a = 1 AND b = 0", v), F);
  EXPECT_EQ(Eval("NOT (a = 1 AND b = 1)", v), T);
  EXPECT_EQ(Eval("NOT NOT a = 1", v), T);
}

TEST(PartitionPredicate, KeywordsAreCaseInsensitive) {
  Values v = {{"year", "2023"}, {"month", "05"}};
  EXPECT_EQ(Eval("year = 2023 and month in ('05') Or nOt year is null", v), T);
  EXPECT_EQ(Eval("month between 1 and 5 AND month like '0%'", v), T);
  EXPECT_EQ(Eval("YEAR = 2023", v), T);  // keys too
}

TEST(PartitionPredicate, QuotesInStringsAndKeys) {
  Values v = {{"name", "O'Brien"}};
  EXPECT_EQ(Eval("name = 'O''Brien'", v), T);
  EXPECT_EQ(Eval("\"name\" = 'O''Brien'", v), T);
  EXPECT_EQ(Eval("`name` = 'O''Brien'", v), T);
}

TEST(PartitionPredicate, NumericAndStringComparison) {
  // Unknown types (path tables): numbers when both sides are numbers.
  EXPECT_EQ(Eval("month = 5", {{"month", "05"}}), T);
  EXPECT_EQ(Eval("month = '5'", {{"month", "05"}}), T);
  EXPECT_EQ(Eval("month < '10'", {{"month", "9"}}), T);
  EXPECT_EQ(Eval("v = 1.5e0", {{"v", "1.50"}}), T);
  EXPECT_EQ(Eval("k = 10", {{"k", "abc"}}), F);  // not a number: compared as text
  EXPECT_EQ(Eval("k < 'b'", {{"k", "abc"}}), T);
  // Integers beyond double precision compare exactly.
  EXPECT_EQ(Eval("k = 9007199254740992", {{"k", "9007199254740993"}}), F);
  EXPECT_EQ(Eval("k > 9007199254740992", {{"k", "9007199254740993"}}), T);
  // String keys compare as text, as Glue does for string columns.
  EXPECT_EQ(Eval("month = 5", {{"month", "05"}}, KeyType::kString), F);
  EXPECT_EQ(Eval("month < '10'", {{"month", "9"}}, KeyType::kString), F);
  // Numeric keys: a value that is not a number is unknown.
  EXPECT_EQ(Eval("k = 5", {{"k", "05"}}, KeyType::kNumeric), T);
  EXPECT_EQ(Eval("k = 5", {{"k", "x"}}, KeyType::kNumeric), U);
}

TEST(PartitionPredicate, NullsFollowThreeValuedLogic) {
  Values v = {{"city", std::nullopt}, {"year", "2023"}};
  EXPECT_EQ(Eval("city IS NULL", v), T);
  EXPECT_EQ(Eval("city IS NOT NULL", v), F);
  EXPECT_EQ(Eval("city = 'x'", v), U);
  EXPECT_EQ(Eval("city <> 'x'", v), U);
  EXPECT_EQ(Eval("NOT city = 'x'", v), U);
  EXPECT_EQ(Eval("city IN ('x')", v), U);
  EXPECT_EQ(Eval("city LIKE '%'", v), U);
  EXPECT_EQ(Eval("city = 'x' AND year = 2024", v), F);
  EXPECT_EQ(Eval("city = 'x' OR year = 2023", v), T);
  EXPECT_EQ(Eval("year IN ('2024', '2023')", v), T);
}

TEST(PartitionPredicate, PartialEvaluationPrunes) {
  const std::string p = "year = '2023' AND month = '05'";
  EXPECT_EQ(Eval(p, {{"year", "2024"}}), F);  // month unbound: pruned anyway
  EXPECT_EQ(Eval(p, {{"year", "2023"}}), U);  // must look deeper
  EXPECT_EQ(Eval(p, {{"year", "2023"}, {"month", "05"}}), T);
  EXPECT_EQ(Eval("year = '2023' OR month = '05'", {{"year", "2023"}}), T);
  EXPECT_EQ(Eval("month IS NULL", {{"year", "2023"}}), U);
  EXPECT_EQ(PartitionPredicate::All().Evaluate([](std::string_view) { return KeyBinding(); }), T);
}

TEST(PartitionPredicate, SyntaxErrorsGiveThePosition) {
  EXPECT_EQ(Error("year = AND month='05'"),
            "partition predicate: expected a value after '=', found 'AND' at position 8: "
            "year = AND month='05'");
  EXPECT_NE(Error("(year = 1").find("expected ')' to close the '(' at position 1"),
            std::string::npos);
  EXPECT_NE(Error("year = 1)").find("unexpected ')' at position 9"), std::string::npos);
  EXPECT_NE(Error("year = 'abc").find("unterminated string at position 8"), std::string::npos);
  EXPECT_NE(Error("year == 1").find("at position 7"), std::string::npos);
  EXPECT_NE(Error("year IN ()").find("IN needs at least one value at position 10"),
            std::string::npos);
  EXPECT_NE(Error("year BETWEEN 1").find("expected AND in BETWEEN"), std::string::npos);
  EXPECT_NE(Error("year = month").find("one partition key and one value"), std::string::npos);
  EXPECT_NE(Error("'a' = 'b'").find("one partition key and one value"), std::string::npos);
  EXPECT_NE(Error("year=1 month=2").find("unexpected 'month' at position 8"),
            std::string::npos);
  EXPECT_NE(Error("year ! 1").find("unexpected character '!' at position 6"),
            std::string::npos);
  EXPECT_NE(Error("year LIKE 5").find("quoted pattern after LIKE"), std::string::npos);
  EXPECT_NE(Error("year IS 5").find("expected NULL after IS"), std::string::npos);
  EXPECT_NE(Error("year NOT = 1").find("expected IN, BETWEEN or LIKE after NOT"),
            std::string::npos);
  EXPECT_NE(Error("year").find("expected an operator after 'year', found end of predicate"),
            std::string::npos);
  EXPECT_EQ(Error("   "), "partition predicate is empty");
  // Positions count characters, not bytes.
  EXPECT_NE(Error("city = 'Zürich' AND").find("at position 20"), std::string::npos);
}

TEST(PartitionPredicate, NestingIsLimitedAndLongInputIsQuotedShort) {
  const std::string parens = std::string(10000, '(') + "p=1" + std::string(10000, ')');
  const std::string message = Error(parens);
  EXPECT_NE(message.find("nested more than 100 levels deep (parentheses and NOTs) at position 101"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("... (20003 characters)"), std::string::npos) << message;
  EXPECT_LT(message.size(), 300u);
  std::string nots;
  for (int i = 0; i < 30000; ++i) nots += "NOT ";
  EXPECT_NE(Error(nots + "p=1").find("nested more than 100 levels deep"), std::string::npos);
  // At the limit it still parses.
  EXPECT_EQ(Eval(std::string(100, '(') + "p=1" + std::string(100, ')'), {{"p", "1"}}), T);
  EXPECT_EQ(Eval(std::string(99, '(') + "NOT p=2" + std::string(99, ')'), {{"p", "1"}}), T);
}

TEST(PartitionPredicate, LongChainsStayShallow) {
  // A generated list of 100,000 alternatives: evaluated, printed and destroyed without deep
  // recursion (the chain is built as a balanced tree).
  std::string ors;
  for (int i = 0; i < 100000; ++i) ors += (i ? " OR p='" : "p='") + std::to_string(i) + "'";
  EXPECT_EQ(Eval(ors, {{"p", "99999"}}), T);
  EXPECT_EQ(Eval(ors, {{"p", "100000"}}), F);
  ASSERT_OK_AND_ASSIGN(auto p, PartitionPredicate::Parse("a=1 AND b=2 AND c=3 AND d=4 AND e=5"));
  EXPECT_EQ(p.ToGlueExpression(), "a = 1 AND b = 2 AND c = 3 AND d = 4 AND e = 5");
  std::string ands;
  for (int i = 0; i < 100000; ++i) ands += (i ? " AND p<>'" : "p<>'") + std::to_string(i) + "'";
  ASSERT_OK_AND_ASSIGN(auto q, PartitionPredicate::Parse(ands));
  EXPECT_EQ(q.ToGlueExpression().size(), ands.size() + 2 * 100000);  // "p <> 'i'"
}

TEST(PartitionPredicate, ValidateNamesTheKeysThatExist) {
  ASSERT_OK_AND_ASSIGN(auto p, PartitionPredicate::Parse("yaer = 1 AND month = 2"));
  auto st = p.Validate({"year", "month"});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            "partition predicate: unknown key 'yaer'; the table's partition keys are: year, month");
  ASSERT_OK_AND_ASSIGN(auto ok, PartitionPredicate::Parse("YEAR = 1"));
  EXPECT_OK(ok.Validate({"year"}));
  EXPECT_OK(PartitionPredicate::All().Validate({}));
}

TEST(PartitionPredicate, ReferencedKeysInOrderOnce) {
  ASSERT_OK_AND_ASSIGN(auto p, PartitionPredicate::Parse(
                                   "month = 1 AND (year = 2 OR Month = 3) AND day IS NULL"));
  EXPECT_EQ(p.ReferencedKeys(), (std::vector<std::string>{"month", "year", "day"}));
  EXPECT_TRUE(PartitionPredicate::All().ReferencedKeys().empty());
  EXPECT_TRUE(PartitionPredicate::All().selects_all());
  EXPECT_FALSE(p.selects_all());
}

TEST(PartitionPredicate, PrintsCanonicalGlueSyntax) {
  std::vector<std::pair<std::string, std::string>> cases = {
      {"year=2023", "year = 2023"},
      {"year='2023' and month in ('05','06')", "year = '2023' AND month IN ('05', '06')"},
      {"a=1 or b=2 and c=3", "a = 1 OR b = 2 AND c = 3"},
      {"(a=1 or b=2) and c=3", "(a = 1 OR b = 2) AND c = 3"},
      {"not (a=1 and b=2)", "NOT (a = 1 AND b = 2)"},
      {"not a=1", "NOT a = 1"},
      {"a != 'x'", "a <> 'x'"},
      {"name = 'O''Brien'", "name = 'O''Brien'"},
      {"x between 1 and 2", "x BETWEEN 1 AND 2"},
      {"x not between '1' and '2'", "x NOT BETWEEN '1' AND '2'"},
      {"x not like '20%'", "x NOT LIKE '20%'"},
      {"x is not null", "x IS NOT NULL"},
      {"`in` = 1", "\"in\" = 1"},
      {"\"my key\" = 1", "\"my key\" = 1"},
      {"x = -1.5e3", "x = -1.5e3"},
  };
  for (const auto& [input, expected] : cases) {
    ASSERT_OK_AND_ASSIGN(auto p, PartitionPredicate::Parse(input));
    EXPECT_EQ(p.ToGlueExpression(), expected) << input;
    ASSERT_OK_AND_ASSIGN(auto again, PartitionPredicate::Parse(p.ToGlueExpression()));
    EXPECT_EQ(again.ToGlueExpression(), expected) << "round trip of " << input;
  }
  EXPECT_EQ(PartitionPredicate::All().ToGlueExpression(), "");
}

}  // namespace
}  // namespace s3c
