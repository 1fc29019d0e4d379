#pragma once
// SortSpec: the parsed text of --sort_by, "col [ASC|DESC] [NULLS FIRST|NULLS LAST], ...".
//
// Grammar (keywords ignore case; whitespace separates words and is otherwise free):
//   spec   := column ("," column)*
//   column := name [ASC | DESC] [NULLS FIRST | NULLS LAST]
//   name   := part ("." part)*              no whitespace inside a name
//   part   := bare | '"' (any char, "" for a quote) '"'
//   bare   := one or more chars other than whitespace , . "
// A dotted name `a.b.c` means field c of struct field b of top-level column a. A part that holds
// a space, comma, dot or quote is written quoted: `"my col"."x.y"`, `"say ""hi"""`.
//
// Null placement defaults as in Spark, Hive and DuckDB: NULLS FIRST for ASC, NULLS LAST for DESC
// (nulls count as the smallest value). Floating-point NaNs go with the nulls (Arrow's rule): after
// them when nulls come first, before them when nulls come last.
//
// Names are matched against a schema later (Resolve, in resolved_sort.h), ignoring ASCII case;
// two columns of one spec that name the same path under that rule are a duplicate.
//
// Plain values: thread-compatible.

#include <string>
#include <string_view>
#include <vector>

#include <arrow/result.h>
#include <arrow/type_fwd.h>

namespace s3c {

class ResolvedSort;

struct SortColumn {
  /// The field names from the top-level column down; never empty, no part empty.
  std::vector<std::string> path;
  bool descending = false;
  /// Whether nulls (and NaNs) come before every value.
  bool nulls_first = true;

  /// The default null placement for a direction: first for ASC, last for DESC.
  static bool DefaultNullsFirst(bool descending) { return !descending; }
  /// The path as the parser reads it: parts joined by '.', quoted when they must be.
  std::string NameToString() const;
  bool operator==(const SortColumn&) const = default;
};

struct SortSpec {
  std::vector<SortColumn> columns;

  /// Parses `text`. Returns Invalid, one line naming the offending text, for: an empty spec, an
  /// empty name (`a,,b`, `a.`, `""`), an unterminated quote, an unknown keyword (`a UP`,
  /// `a NULLS MIDDLE`), text after a column's keywords (`a DESC x`, `"a"b`) and a column named
  /// twice (ignoring ASCII case).
  static arrow::Result<SortSpec> Parse(std::string_view text);

  /// Canonical text: every column with its direction and null placement spelled out, parts
  /// quoted unless they are plain [A-Za-z0-9_]. Parse(x.ToString()) == x.
  std::string ToString() const;

  /// Finds every column in `schema` (names ignoring ASCII case, through struct fields).
  /// Returns Invalid naming the column for a missing or ambiguous name, a path through a field
  /// that is not a struct, and a key whose type cannot be ordered (with the type): allowed are
  /// boolean, integers, float16/32/64, decimals, date, time, timestamp, duration, string and
  /// binary (plain, large, view, fixed size), and dictionaries of those.
  arrow::Result<ResolvedSort> Resolve(const arrow::Schema& schema) const;

  bool operator==(const SortSpec&) const = default;
};

}  // namespace s3c
