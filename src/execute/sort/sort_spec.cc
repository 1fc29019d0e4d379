#include "execute/sort/sort_spec.h"

#include <arrow/status.h>
#include <arrow/type.h>

#include "execute/sort/resolved_sort.h"
#include "plan/column_name.h"

namespace s3c {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool EndsBare(char c) { return IsSpace(c) || c == ',' || c == '.' || c == '"'; }

bool IsPlain(std::string_view part) {
  if (part.empty()) return false;
  for (char c : part) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!plain) return false;
  }
  return true;
}

std::string Quote(std::string_view part) {
  if (IsPlain(part)) return std::string(part);
  std::string out = "\"";
  for (char c : part) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

bool SameKeyword(std::string_view word, std::string_view keyword) { return SameColumnName(word, keyword); }

bool SamePath(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameColumnName(a[i], b[i])) return false;
  }
  return true;
}

// A cursor over the spec's text; every error quotes the text from where it went wrong.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  arrow::Result<SortSpec> Parse() {
    SkipSpace();
    if (AtEnd()) return arrow::Status::Invalid("--sort_by: the sort spec is empty");
    SortSpec spec;
    while (true) {
      ARROW_ASSIGN_OR_RAISE(SortColumn column, ParseColumn());
      for (const SortColumn& earlier : spec.columns) {
        if (SamePath(earlier.path, column.path)) {
          return arrow::Status::Invalid("--sort_by: column ", column.NameToString(),
                                        " appears twice in '", text_, "'");
        }
      }
      spec.columns.push_back(std::move(column));
      SkipSpace();
      if (AtEnd()) return spec;
      if (text_[pos_] != ',') return Garbage(spec.columns.back());
      ++pos_;
      SkipSpace();
    }
  }

 private:
  arrow::Result<SortColumn> ParseColumn() {
    SortColumn column;
    while (true) {
      ARROW_ASSIGN_OR_RAISE(std::string part, ParsePart());
      column.path.push_back(std::move(part));
      if (AtEnd() || text_[pos_] != '.') break;
      ++pos_;
    }
    if (!AtEnd() && !IsSpace(text_[pos_]) && text_[pos_] != ',') return Garbage(column);
    std::string_view word = PeekWord();
    if (SameKeyword(word, "ASC") || SameKeyword(word, "DESC")) {
      column.descending = SameKeyword(word, "DESC");
      TakeWord();
      word = PeekWord();
    }
    column.nulls_first = SortColumn::DefaultNullsFirst(column.descending);
    if (SameKeyword(word, "NULLS")) {
      TakeWord();
      std::string_view placement = PeekWord();
      if (!SameKeyword(placement, "FIRST") && !SameKeyword(placement, "LAST")) {
        return arrow::Status::Invalid("--sort_by: expected FIRST or LAST after NULLS of column ",
                                      column.NameToString(), ", got '", Rest(), "'");
      }
      column.nulls_first = SameKeyword(placement, "FIRST");
      TakeWord();
    } else if (IsKnownKeyword(word)) {
      return Garbage(column);
    } else if (!word.empty()) {
      return arrow::Status::Invalid("--sort_by: unknown keyword '", word, "' after column ",
                                    column.NameToString(),
                                    " (expected ASC, DESC, NULLS FIRST or NULLS LAST)");
    }
    return column;
  }

  static bool IsKnownKeyword(std::string_view word) {
    return SameKeyword(word, "ASC") || SameKeyword(word, "DESC") || SameKeyword(word, "NULLS") ||
           SameKeyword(word, "FIRST") || SameKeyword(word, "LAST");
  }

  arrow::Result<std::string> ParsePart() {
    const size_t start = pos_;
    std::string part;
    if (!AtEnd() && text_[pos_] == '"') {
      ++pos_;
      while (true) {
        if (AtEnd()) {
          return arrow::Status::Invalid("--sort_by: unterminated quote in '", text_.substr(start), "'");
        }
        if (text_[pos_] == '"') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
            part += '"';
            pos_ += 2;
            continue;
          }
          ++pos_;
          break;
        }
        part += text_[pos_++];
      }
    } else {
      while (!AtEnd() && !EndsBare(text_[pos_])) part += text_[pos_++];
    }
    if (part.empty()) {
      return arrow::Status::Invalid("--sort_by: empty column name at '", text_.substr(start),
                                    "' in '", text_, "'");
    }
    return part;
  }

  // The next whitespace-separated word (up to a comma), without taking it.
  std::string_view PeekWord() {
    SkipSpace();
    size_t end = pos_;
    while (end < text_.size() && !IsSpace(text_[end]) && text_[end] != ',') ++end;
    return text_.substr(pos_, end - pos_);
  }
  void TakeWord() { pos_ += PeekWord().size(); }

  arrow::Status Garbage(const SortColumn& column) const {
    return arrow::Status::Invalid("--sort_by: unexpected '", Rest(), "' after column ",
                                  column.NameToString());
  }

  std::string_view Rest() const { return text_.substr(pos_); }
  bool AtEnd() const { return pos_ >= text_.size(); }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(text_[pos_])) ++pos_;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// Whether Arrow can order values of `type` (after the normalization resolved_sort.h describes).
bool Orderable(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::BOOL:
    case arrow::Type::UINT8:
    case arrow::Type::INT8:
    case arrow::Type::UINT16:
    case arrow::Type::INT16:
    case arrow::Type::UINT32:
    case arrow::Type::INT32:
    case arrow::Type::UINT64:
    case arrow::Type::INT64:
    case arrow::Type::HALF_FLOAT:
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE:
    case arrow::Type::DECIMAL32:
    case arrow::Type::DECIMAL64:
    case arrow::Type::DECIMAL128:
    case arrow::Type::DECIMAL256:
    case arrow::Type::DATE32:
    case arrow::Type::DATE64:
    case arrow::Type::TIME32:
    case arrow::Type::TIME64:
    case arrow::Type::TIMESTAMP:
    case arrow::Type::DURATION:
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW:
    case arrow::Type::BINARY:
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::BINARY_VIEW:
    case arrow::Type::FIXED_SIZE_BINARY:
      return true;
    case arrow::Type::DICTIONARY:
      return Orderable(*static_cast<const arrow::DictionaryType&>(type).value_type());
    default:
      return false;
  }
}

}  // namespace

std::string SortColumn::NameToString() const {
  std::string out;
  for (const std::string& part : path) {
    if (!out.empty()) out += '.';
    out += Quote(part);
  }
  return out;
}

arrow::Result<SortSpec> SortSpec::Parse(std::string_view text) { return Parser(text).Parse(); }

std::string SortSpec::ToString() const {
  std::string out;
  for (const SortColumn& column : columns) {
    if (!out.empty()) out += ", ";
    out += column.NameToString();
    out += column.descending ? " DESC" : " ASC";
    out += column.nulls_first ? " NULLS FIRST" : " NULLS LAST";
  }
  return out;
}

arrow::Result<ResolvedSort> SortSpec::Resolve(const arrow::Schema& schema) const {
  std::vector<ResolvedSortKey> keys;
  for (const SortColumn& column : columns) {
    ResolvedSortKey key;
    key.descending = column.descending;
    key.nulls_first = column.nulls_first;
    const arrow::FieldVector* fields = &schema.fields();
    std::vector<int> indices;
    for (size_t depth = 0; depth < column.path.size(); ++depth) {
      if (fields == nullptr) {
        return arrow::Status::Invalid("--sort_by: column ", column.NameToString(), ": ",
                                      key.DisplayName(), " is ", key.type->ToString(),
                                      ", not a struct");
      }
      std::vector<int> found = FieldIndicesIgnoringCase(*fields, column.path[depth]);
      if (found.empty()) {
        return arrow::Status::Invalid("--sort_by: column ", column.NameToString(),
                                      " is not in the schema",
                                      depth == 0 ? "" : " (no field " + column.path[depth] +
                                                            " in " + key.DisplayName() + ")");
      }
      if (found.size() > 1) {
        return arrow::Status::Invalid("--sort_by: column ", column.NameToString(),
                                      " is ambiguous: the schema has ", found.size(),
                                      " fields of that name ignoring case");
      }
      const auto& field = (*fields)[found[0]];
      indices.push_back(found[0]);
      key.names.push_back(field->name());
      key.type = field->type();
      fields = field->type()->id() == arrow::Type::STRUCT ? &field->type()->fields() : nullptr;
    }
    if (!Orderable(*key.type)) {
      return arrow::Status::Invalid("--sort_by: column ", column.NameToString(), " has type ",
                                    key.type->ToString(), ", which cannot be sorted by");
    }
    key.path = arrow::FieldPath(std::move(indices));
    keys.push_back(std::move(key));
  }
  return ResolvedSort(std::move(keys));
}

}  // namespace s3c
