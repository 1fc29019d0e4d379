#pragma once
// PartitionPredicate: the --partition_predicate expression, parsed once, evaluated per partition.
//
// Grammar: the one AWS Glue's GetPartitions `Expression` accepts (a SQL WHERE clause over
// partition keys), so the same text can be pushed down to Glue and evaluated locally.
//
//   expr       := or
//   or         := and ( OR and )*
//   and        := not ( AND not )*
//   not        := NOT not | primary
//   primary    := '(' expr ')' | predicate
//   predicate  := operand cmp operand                 cmp: = <> != < <= > >=
//               | key [NOT] IN '(' literal (',' literal)* ')'
//               | key [NOT] BETWEEN literal AND literal
//               | key [NOT] LIKE string
//               | key IS [NOT] NULL
//   operand    := key | literal        (exactly one side of a comparison is a key)
//   key        := identifier | "quoted" | `quoted`
//   literal    := 'string' ('' escapes a quote) | number (-?digits[.digits][e[+-]digits])
//
// Keywords are case-insensitive; keys are matched case-insensitively (Glue and Hive fold them).
//
// Evaluation follows SQL's three-valued logic. A comparison is kUnknown when the key's value is
// NULL (__HIVE_DEFAULT_PARTITION__) or not known yet (partial evaluation while walking the
// partition tree: only kFalse prunes). Values compare as numbers when the key's type is numeric,
// or when the type is unknown (path tables) and both sides parse as numbers; otherwise as
// byte strings. LIKE: '%' any sequence, '_' one character (UTF-8 code point), case-sensitive.
//
// Immutable after Parse; thread-safe to evaluate concurrently.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/result.h>
#include <arrow/status.h>

namespace s3c {

/// SQL's three truth values.
enum class Truth { kFalse, kTrue, kUnknown };

/// How a partition key's values compare. Path tables know no types: kUnknown.
enum class KeyType { kUnknown, kString, kNumeric };

/// What the predicate sees for one key during evaluation.
struct KeyBinding {
  enum class State { kUnbound, kNull, kValue };
  State state = State::kUnbound;
  std::string_view value;  // meaningful only when state == kValue
  KeyType type = KeyType::kUnknown;

  static KeyBinding Unbound() { return {}; }
  static KeyBinding Null(KeyType type = KeyType::kUnknown) { return {State::kNull, {}, type}; }
  static KeyBinding Value(std::string_view v, KeyType type = KeyType::kUnknown) {
    return {State::kValue, v, type};
  }
};

/// Looks a key up by the name written in the predicate (the callee folds case).
using KeyLookup = std::function<KeyBinding(std::string_view key)>;

class PartitionPredicate {
 public:
  struct Node;  // the parsed tree; defined in the .cc

  /// Parses `text`. A syntax error returns Invalid with a one-line message giving the 1-based
  /// position and what was expected, e.g.
  ///   partition predicate: expected a value after '=' at position 8: year = AND month='05'
  static arrow::Result<PartitionPredicate> Parse(std::string_view text);

  /// The predicate that selects every partition (no --partition_predicate given).
  static PartitionPredicate All();

  /// True iff this is All().
  bool selects_all() const { return root_ == nullptr; }

  /// The keys the predicate names, as written, each once, in order of first appearance.
  std::vector<std::string> ReferencedKeys() const;

  /// OK iff every referenced key is one of `table_keys` (compared case-insensitively). Otherwise
  /// Invalid naming the unknown key and the keys that exist, e.g.
  ///   partition predicate: unknown key 'yaer'; the table's partition keys are: year, month
  arrow::Status Validate(const std::vector<std::string>& table_keys) const;

  /// Evaluates against one partition. All() is always kTrue.
  Truth Evaluate(const KeyLookup& lookup) const;

  /// Canonical text in Glue's syntax, for pushdown: keys as written, keywords upper-case,
  /// strings single-quoted with '' escapes, numbers as written, <> for inequality, parentheses
  /// only where precedence needs them. Parse(ToGlueExpression()) is equivalent to *this.
  /// All() prints as "".
  std::string ToGlueExpression() const;

 private:
  explicit PartitionPredicate(std::shared_ptr<const Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const Node> root_;
};

}  // namespace s3c
