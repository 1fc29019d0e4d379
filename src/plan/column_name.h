#pragma once
// Column names are matched as Hive, Athena and Spark match them: ignoring case. Glue stores
// column names in lower case, a Spark writer keeps "userId", another writer "userid": all one
// column. Case is folded for ASCII letters only (the names these engines write); other
// characters must match exactly.
//
// Contract: SameColumnName is an equivalence; FieldIndicesIgnoringCase returns every field of
// `fields` whose name is the same as `name` under it, in order (more than one means the file
// holds columns no reader can tell apart).

#include <string_view>
#include <vector>

#include <arrow/type.h>

namespace s3c {

inline bool SameColumnName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

inline std::vector<int> FieldIndicesIgnoringCase(const arrow::FieldVector& fields,
                                                 std::string_view name) {
  std::vector<int> out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (SameColumnName(fields[i]->name(), name)) out.push_back(static_cast<int>(i));
  }
  return out;
}

}  // namespace s3c
