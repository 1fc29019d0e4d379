#include "plan/partition_predicate.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <variant>

#include "util/utf8.h"

namespace s3c {
namespace {

// --- values ------------------------------------------------------------------------------

struct Number {
  bool is_int = false;
  int64_t i = 0;
  long double d = 0;
};

// Full-match parse of -?digits[.digits][e[+-]digits]; nullopt for anything else.
std::optional<Number> ParseNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (digits == 0) return std::nullopt;
  bool is_int = true;
  if (i < s.size() && s[i] == '.') {
    is_int = false;
    ++i;
    size_t frac = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++frac;
    if (frac == 0) return std::nullopt;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    is_int = false;
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp;
    if (exp == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  Number n;
  std::string text(s[0] == '+' ? s.substr(1) : s);
  if (is_int) {
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n.i);
    if (ec == std::errc() && ptr == text.data() + text.size()) {
      n.is_int = true;
      n.d = static_cast<long double>(n.i);
      return n;
    }
  }
  n.d = std::strtold(text.c_str(), nullptr);
  return n;
}

int CompareNumbers(const Number& a, const Number& b) {
  if (a.is_int && b.is_int) return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  return a.d < b.d ? -1 : (a.d > b.d ? 1 : 0);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// UTF-8 code points as byte spans, for LIKE's '_'.
std::vector<std::string_view> CodePoints(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < s.size();) {
    size_t len = 1;
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0xF0) len = 4;
    else if (c >= 0xE0) len = 3;
    else if (c >= 0xC0) len = 2;
    len = std::min(len, s.size() - i);
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

// Wildcard match with single backtracking point: O(n*m) worst case, linear in practice.
bool Like(std::string_view value, std::string_view pattern) {
  auto str = CodePoints(value);
  auto pat = CodePoints(pattern);
  size_t s = 0, p = 0, match = 0;
  std::optional<size_t> star;
  while (s < str.size()) {
    if (p < pat.size() && (pat[p] == "_" || (pat[p] != "%" && pat[p] == str[s]))) {
      ++p, ++s;
    } else if (p < pat.size() && pat[p] == "%") {
      star = p++;
      match = s;
    } else if (star) {
      p = *star + 1;
      s = ++match;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == "%") ++p;
  return p == pat.size();
}

Truth Not(Truth t) {
  return t == Truth::kUnknown ? t : (t == Truth::kTrue ? Truth::kFalse : Truth::kTrue);
}
Truth FromBool(bool b) { return b ? Truth::kTrue : Truth::kFalse; }

// --- lexer -------------------------------------------------------------------------------

enum class Tok { kIdent, kString, kNumber, kLParen, kRParen, kComma, kOp, kKeyword, kEnd };

struct Token {
  Tok kind;
  std::string text;  // identifier (unquoted), string value, number text, op, upper-case keyword
  size_t offset;     // byte offset in the predicate
};

const char* kKeywords[] = {"AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "IS", "NULL"};

bool IsKeyword(std::string_view word) {
  std::string upper(word);
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  return std::any_of(std::begin(kKeywords), std::end(kKeywords),
                     [&](const char* k) { return upper == k; });
}

}  // namespace

// --- the tree ----------------------------------------------------------------------------

struct Literal {
  bool is_number = false;
  std::string text;  // a string's value, or a number as written
};

struct PartitionPredicate::Node {
  enum class Kind { kAnd, kOr, kNot, kCompare, kIn, kBetween, kLike, kIsNull };
  Kind kind;
  std::string op;                      // kCompare: = <> < <= > >=
  bool negated = false;                // NOT IN, NOT BETWEEN, NOT LIKE, IS NOT NULL
  std::string key;                     // as written
  std::vector<Literal> literals;       // kCompare: 1, kIn: n, kBetween: 2, kLike: 1
  std::shared_ptr<const Node> left, right;  // kAnd/kOr: both; kNot: left
};

namespace {

using Node = PartitionPredicate::Node;
using NodePtr = std::shared_ptr<const Node>;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  arrow::Result<NodePtr> Parse() {
    ARROW_RETURN_NOT_OK(Lex());
    ARROW_ASSIGN_OR_RAISE(auto node, ParseOr());
    if (Peek().kind != Tok::kEnd) return Error("unexpected " + Describe(Peek()), Peek().offset);
    return node;
  }

 private:
  // 1-based position in characters (UTF-8 code points), as a user counts them.
  size_t Position(size_t offset) const {
    size_t chars = 0;
    for (size_t i = 0; i < offset && i < text_.size(); ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++chars;
    }
    return chars + 1;
  }

  // The predicate is quoted in the error, up to kQuoted characters: a generated one can be long.
  arrow::Status Error(const std::string& what, size_t offset) const {
    return arrow::Status::Invalid("partition predicate: ", what, " at position ", Position(offset),
                                  ": ", Quoted());
  }

  std::string Quoted() const {
    constexpr size_t kQuoted = 120;
    size_t chars = 0, end = 0;
    for (; end < text_.size(); ++end) {
      if ((static_cast<unsigned char>(text_[end]) & 0xC0) != 0x80 && chars++ == kQuoted) break;
    }
    if (end == text_.size()) return std::string(text_);
    return std::string(text_.substr(0, end)) + "... (" + std::to_string(Position(text_.size()) - 1) +
           " characters)";
  }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Tok::kEnd: return "end of predicate";
      case Tok::kString: return "'" + t.text + "'";
      default: return "'" + t.text + "'";
    }
  }

  arrow::Status Lex() {
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      const size_t start = i;
      if (c == '\'') {
        ARROW_ASSIGN_OR_RAISE(std::string value, LexQuoted(&i, "unterminated string"));
        tokens_.push_back({Tok::kString, value, start});
      } else if (c == '"' || c == '`') {
        ARROW_ASSIGN_OR_RAISE(std::string name, LexQuoted(&i, "unterminated quoted name"));
        if (name.empty()) return Error("empty quoted name", start);
        tokens_.push_back({Tok::kIdent, name, start});
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '-' && i + 1 < text_.size() &&
                  std::isdigit(static_cast<unsigned char>(text_[i + 1])))) {
        ++i;
        while (i < text_.size() &&
               (std::isalnum(static_cast<unsigned char>(text_[i])) || text_[i] == '.' ||
                ((text_[i] == '+' || text_[i] == '-') && (text_[i - 1] == 'e' || text_[i - 1] == 'E')))) {
          ++i;
        }
        std::string number(text_.substr(start, i - start));
        if (!ParseNumber(number)) return Error("malformed number '" + number + "'", start);
        tokens_.push_back({Tok::kNumber, number, start});
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        while (i < text_.size() &&
               (std::isalnum(static_cast<unsigned char>(text_[i])) || text_[i] == '_')) {
          ++i;
        }
        std::string word(text_.substr(start, i - start));
        if (IsKeyword(word)) {
          std::transform(word.begin(), word.end(), word.begin(), ::toupper);
          tokens_.push_back({Tok::kKeyword, word, start});
        } else {
          tokens_.push_back({Tok::kIdent, word, start});
        }
      } else if (c == '(') {
        tokens_.push_back({Tok::kLParen, "(", i++});
      } else if (c == ')') {
        tokens_.push_back({Tok::kRParen, ")", i++});
      } else if (c == ',') {
        tokens_.push_back({Tok::kComma, ",", i++});
      } else if (c == '=') {
        tokens_.push_back({Tok::kOp, "=", i++});
      } else if (c == '<' || c == '>' || c == '!') {
        std::string op(1, c);
        ++i;
        if (i < text_.size() && (text_[i] == '=' || (c == '<' && text_[i] == '>'))) op += text_[i++];
        if (op == "!") return Error("unexpected character '!'", start);
        tokens_.push_back({Tok::kOp, op == "!=" ? "<>" : op, start});
      } else {
        return Error("unexpected character '" + std::string(1, c) + "'", start);
      }
    }
    tokens_.push_back({Tok::kEnd, "", text_.size()});
    return arrow::Status::OK();
  }

  // Text between the quote at *i and its match; a doubled quote stands for itself.
  arrow::Result<std::string> LexQuoted(size_t* i, const char* unterminated) {
    const size_t start = *i;
    const char quote = text_[(*i)++];
    std::string out;
    while (true) {
      if (*i >= text_.size()) return Error(unterminated, start);
      if (text_[*i] == quote) {
        if (*i + 1 < text_.size() && text_[*i + 1] == quote) {
          out += quote;
          *i += 2;
          continue;
        }
        ++*i;
        return out;
      }
      out += text_[(*i)++];
    }
  }

  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool AcceptKeyword(const char* keyword) {
    if (Peek().kind == Tok::kKeyword && Peek().text == keyword) {
      ++pos_;
      return true;
    }
    return false;
  }

  arrow::Result<NodePtr> ParseOr() { return ParseChain("OR", Node::Kind::kOr, &Parser::ParseAnd); }
  arrow::Result<NodePtr> ParseAnd() { return ParseChain("AND", Node::Kind::kAnd, &Parser::ParseNot); }

  // operand ( KEYWORD operand )*. AND and OR are associative (in three-valued logic too), so a
  // chain becomes a balanced tree: a generated list of ten thousand ORs stays a few levels deep
  // for every recursive walk (evaluation, printing, destruction).
  arrow::Result<NodePtr> ParseChain(const char* keyword, Node::Kind kind,
                                    arrow::Result<NodePtr> (Parser::*operand)()) {
    std::vector<NodePtr> operands;
    ARROW_ASSIGN_OR_RAISE(auto first, (this->*operand)());
    operands.push_back(std::move(first));
    while (AcceptKeyword(keyword)) {
      ARROW_ASSIGN_OR_RAISE(auto next, (this->*operand)());
      operands.push_back(std::move(next));
    }
    return Balanced(kind, operands, 0, operands.size());
  }

  static NodePtr Balanced(Node::Kind kind, const std::vector<NodePtr>& operands, size_t begin,
                          size_t end) {
    if (end - begin == 1) return operands[begin];
    const size_t mid = begin + (end - begin) / 2;
    return Binary(kind, Balanced(kind, operands, begin, mid), Balanced(kind, operands, mid, end));
  }

  // Parentheses and NOTs nest by recursion; past kMaxNesting the predicate is refused, so no
  // input can exhaust the stack.
  arrow::Status Enter(size_t offset) {
    if (++depth_ > kMaxNesting) {
      return Error("nested more than " + std::to_string(kMaxNesting) +
                       " levels deep (parentheses and NOTs)",
                   offset);
    }
    return arrow::Status::OK();
  }

  arrow::Result<NodePtr> ParseNot() {
    if (Peek().kind == Tok::kKeyword && Peek().text == "NOT") {
      ARROW_RETURN_NOT_OK(Enter(Peek().offset));
      Next();
      ARROW_ASSIGN_OR_RAISE(auto operand, ParseNot());
      --depth_;
      auto node = std::make_shared<Node>();
      node->kind = Node::Kind::kNot;
      node->left = operand;
      return NodePtr(node);
    }
    return ParsePrimary();
  }

  arrow::Result<NodePtr> ParsePrimary() {
    if (Peek().kind == Tok::kLParen) {
      ARROW_RETURN_NOT_OK(Enter(Peek().offset));
      const size_t open = Next().offset;
      ARROW_ASSIGN_OR_RAISE(auto inner, ParseOr());
      --depth_;
      if (Peek().kind != Tok::kRParen) {
        return Error("expected ')' to close the '(' at position " + std::to_string(Position(open)) +
                         ", found " + Describe(Peek()),
                     Peek().offset);
      }
      Next();
      return inner;
    }
    return ParsePredicate();
  }

  arrow::Result<Literal> ParseLiteral(const std::string& after) {
    const Token& t = Peek();
    if (t.kind == Tok::kString || t.kind == Tok::kNumber) {
      Next();
      return Literal{t.kind == Tok::kNumber, t.text};
    }
    if (t.kind == Tok::kIdent) {
      return Error("a comparison needs one partition key and one value; '" + t.text +
                       "' is a key (quote values with single quotes)",
                   t.offset);
    }
    return Error("expected a value after " + after + ", found " + Describe(t), t.offset);
  }

  arrow::Result<NodePtr> ParsePredicate() {
    const Token first = Peek();
    if (first.kind == Tok::kString || first.kind == Tok::kNumber) return ParseValueFirst(first);
    if (first.kind != Tok::kIdent) {
      return Error("expected a partition key, found " + Describe(first), first.offset);
    }
    Next();
    auto node = std::make_shared<Node>();
    node->key = first.text;
    const Token t = Peek();
    if (t.kind == Tok::kOp) return ParseComparison(node, t);
    if (t.kind == Tok::kKeyword && t.text == "IS") return ParseIsNull(node);
    node->negated = AcceptKeyword("NOT");
    const Token op = Peek();
    if (op.kind == Tok::kKeyword && op.text == "IN") return ParseIn(node);
    if (op.kind == Tok::kKeyword && op.text == "BETWEEN") return ParseBetween(node);
    if (op.kind == Tok::kKeyword && op.text == "LIKE") return ParseLike(node);
    if (node->negated) {
      return Error("expected IN, BETWEEN or LIKE after NOT, found " + Describe(op), op.offset);
    }
    return Error("expected an operator after '" + first.text + "', found " + Describe(op),
                 op.offset);
  }

  // literal op key: flip to key op' literal.
  arrow::Result<NodePtr> ParseValueFirst(const Token& first) {
    Next();
    const Token op = Peek();
    if (op.kind != Tok::kOp) {
      return Error("expected a comparison operator after " + Describe(first) + ", found " +
                       Describe(op),
                   op.offset);
    }
    Next();
    const Token key = Peek();
    if (key.kind != Tok::kIdent) {
      if (key.kind == Tok::kString || key.kind == Tok::kNumber) {
        return Error("a comparison needs one partition key and one value", first.offset);
      }
      return Error("expected a partition key after '" + op.text + "', found " + Describe(key),
                   key.offset);
    }
    Next();
    auto node = std::make_shared<Node>();
    node->kind = Node::Kind::kCompare;
    node->op = Flipped(op.text);
    node->key = key.text;
    node->literals = {Literal{first.kind == Tok::kNumber, first.text}};
    return NodePtr(node);
  }

  // The operator that compares the same way with its operands swapped.
  static std::string Flipped(const std::string& op) {
    static const std::pair<const char*, const char*> kFlip[] = {
        {"=", "="}, {"<>", "<>"}, {"<", ">"}, {"<=", ">="}, {">", "<"}, {">=", "<="}};
    std::string flipped = op;
    for (const auto& [from, to] : kFlip) {
      if (op == from) flipped = to;
    }
    return flipped;
  }

  // key op literal, with the operator token `op` not yet consumed.
  arrow::Result<NodePtr> ParseComparison(std::shared_ptr<Node> node, const Token& op) {
    Next();
    node->kind = Node::Kind::kCompare;
    node->op = op.text;
    ARROW_ASSIGN_OR_RAISE(auto literal, ParseLiteral("'" + op.text + "'"));
    node->literals = {literal};
    return NodePtr(node);
  }

  arrow::Result<NodePtr> ParseIsNull(std::shared_ptr<Node> node) {
    Next();
    node->kind = Node::Kind::kIsNull;
    node->negated = AcceptKeyword("NOT");
    if (!AcceptKeyword("NULL")) {
      return Error("expected NULL after IS" + std::string(node->negated ? " NOT" : "") +
                       ", found " + Describe(Peek()),
                   Peek().offset);
    }
    return NodePtr(node);
  }

  arrow::Result<NodePtr> ParseIn(std::shared_ptr<Node> node) {
    Next();
    node->kind = Node::Kind::kIn;
    if (Peek().kind != Tok::kLParen) {
      return Error("expected '(' after IN, found " + Describe(Peek()), Peek().offset);
    }
    Next();
    if (Peek().kind == Tok::kRParen) return Error("IN needs at least one value", Peek().offset);
    ARROW_RETURN_NOT_OK(ParseInList(*node));
    return NodePtr(node);
  }

  // literal (',' literal)* ')', after the '(' and at least one value.
  arrow::Status ParseInList(Node& node) {
    while (true) {
      ARROW_ASSIGN_OR_RAISE(auto literal, ParseLiteral(node.literals.empty() ? "'('" : "','"));
      node.literals.push_back(literal);
      if (Peek().kind == Tok::kComma) {
        Next();
        continue;
      }
      if (Peek().kind == Tok::kRParen) {
        Next();
        return arrow::Status::OK();
      }
      return Error("expected ',' or ')' in the IN list, found " + Describe(Peek()),
                   Peek().offset);
    }
  }

  arrow::Result<NodePtr> ParseBetween(std::shared_ptr<Node> node) {
    Next();
    node->kind = Node::Kind::kBetween;
    ARROW_ASSIGN_OR_RAISE(auto low, ParseLiteral("BETWEEN"));
    if (!AcceptKeyword("AND")) {
      return Error("expected AND in BETWEEN ... AND ..., found " + Describe(Peek()),
                   Peek().offset);
    }
    ARROW_ASSIGN_OR_RAISE(auto high, ParseLiteral("AND"));
    node->literals = {low, high};
    return NodePtr(node);
  }

  arrow::Result<NodePtr> ParseLike(std::shared_ptr<Node> node) {
    Next();
    node->kind = Node::Kind::kLike;
    if (Peek().kind != Tok::kString) {
      return Error("expected a quoted pattern after LIKE, found " + Describe(Peek()),
                   Peek().offset);
    }
    node->literals = {Literal{false, Next().text}};
    return NodePtr(node);
  }

  static NodePtr Binary(Node::Kind kind, NodePtr left, NodePtr right) {
    auto node = std::make_shared<Node>();
    node->kind = kind;
    node->left = std::move(left);
    node->right = std::move(right);
    return node;
  }

  static constexpr size_t kMaxNesting = 100;

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  size_t depth_ = 0;
};

// <0, 0, >0, or nullopt when the comparison is unknown (a numeric key with a non-number).
std::optional<int> CompareValue(const KeyBinding& b, const Literal& literal) {
  const bool numeric_type = b.type == KeyType::kNumeric;
  if (b.type != KeyType::kString) {
    auto value = ParseNumber(b.value);
    auto other = ParseNumber(literal.text);
    if (value && other) return CompareNumbers(*value, *other);
    if (numeric_type) return std::nullopt;
  }
  int c = b.value.compare(literal.text);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

Truth Compare(const KeyBinding& b, const std::string& op, const Literal& literal) {
  if (b.state != KeyBinding::State::kValue) return Truth::kUnknown;
  auto c = CompareValue(b, literal);
  if (!c) return Truth::kUnknown;
  if (op == "=") return FromBool(*c == 0);
  if (op == "<>") return FromBool(*c != 0);
  if (op == "<") return FromBool(*c < 0);
  if (op == "<=") return FromBool(*c <= 0);
  if (op == ">") return FromBool(*c > 0);
  return FromBool(*c >= 0);
}

Truth Eval(const Node& node, const KeyLookup& lookup) {
  switch (node.kind) {
    case Node::Kind::kAnd: {
      Truth l = Eval(*node.left, lookup);
      if (l == Truth::kFalse) return l;
      Truth r = Eval(*node.right, lookup);
      if (r == Truth::kFalse) return r;
      return l == Truth::kTrue && r == Truth::kTrue ? Truth::kTrue : Truth::kUnknown;
    }
    case Node::Kind::kOr: {
      Truth l = Eval(*node.left, lookup);
      if (l == Truth::kTrue) return l;
      Truth r = Eval(*node.right, lookup);
      if (r == Truth::kTrue) return r;
      return l == Truth::kFalse && r == Truth::kFalse ? Truth::kFalse : Truth::kUnknown;
    }
    case Node::Kind::kNot:
      return Not(Eval(*node.left, lookup));
    default:
      break;
  }
  const KeyBinding b = lookup(node.key);
  Truth result = Truth::kUnknown;
  switch (node.kind) {
    case Node::Kind::kCompare:
      return Compare(b, node.op, node.literals[0]);
    case Node::Kind::kIsNull:
      if (b.state == KeyBinding::State::kUnbound) return Truth::kUnknown;
      result = FromBool(b.state == KeyBinding::State::kNull);
      break;
    case Node::Kind::kIn: {
      bool unknown = false;
      result = Truth::kFalse;
      for (const auto& literal : node.literals) {
        Truth t = Compare(b, "=", literal);
        if (t == Truth::kTrue) {
          result = Truth::kTrue;
          break;
        }
        unknown |= t == Truth::kUnknown;
      }
      if (result != Truth::kTrue && unknown) result = Truth::kUnknown;
      break;
    }
    case Node::Kind::kBetween: {
      Truth low = Compare(b, ">=", node.literals[0]);
      Truth high = Compare(b, "<=", node.literals[1]);
      if (low == Truth::kFalse || high == Truth::kFalse) result = Truth::kFalse;
      else if (low == Truth::kTrue && high == Truth::kTrue) result = Truth::kTrue;
      else result = Truth::kUnknown;
      break;
    }
    case Node::Kind::kLike:
      if (b.state != KeyBinding::State::kValue) return Truth::kUnknown;
      result = FromBool(Like(b.value, node.literals[0].text));
      break;
    default:
      break;
  }
  return node.negated ? Not(result) : result;
}

std::string QuoteString(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string PrintKey(const std::string& key) {
  bool plain = !key.empty() && (std::isalpha(static_cast<unsigned char>(key[0])) || key[0] == '_') &&
               std::all_of(key.begin(), key.end(), [](unsigned char c) {
                 return std::isalnum(c) || c == '_';
               }) &&
               !IsKeyword(key);
  if (plain) return key;
  std::string out = "\"";
  for (char c : key) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string PrintLiteral(const Literal& l) { return l.is_number ? l.text : QuoteString(l.text); }

// Binding strength: OR 1, AND 2, NOT 3, predicates 4.
int Strength(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kOr: return 1;
    case Node::Kind::kAnd: return 2;
    case Node::Kind::kNot: return 3;
    default: return 4;
  }
}

std::string Print(const Node& n) {
  auto child = [](const Node& c, int min_strength) {
    std::string s = Print(c);
    return Strength(c) < min_strength ? "(" + s + ")" : s;
  };
  switch (n.kind) {
    case Node::Kind::kOr: return child(*n.left, 1) + " OR " + child(*n.right, 1);
    case Node::Kind::kAnd: return child(*n.left, 2) + " AND " + child(*n.right, 2);
    case Node::Kind::kNot: return "NOT " + child(*n.left, 3);
    case Node::Kind::kCompare:
      return PrintKey(n.key) + " " + n.op + " " + PrintLiteral(n.literals[0]);
    case Node::Kind::kIsNull:
      return PrintKey(n.key) + (n.negated ? " IS NOT NULL" : " IS NULL");
    case Node::Kind::kIn: {
      std::string s = PrintKey(n.key) + (n.negated ? " NOT IN (" : " IN (");
      for (size_t i = 0; i < n.literals.size(); ++i) {
        if (i > 0) s += ", ";
        s += PrintLiteral(n.literals[i]);
      }
      return s + ")";
    }
    case Node::Kind::kBetween:
      return PrintKey(n.key) + (n.negated ? " NOT BETWEEN " : " BETWEEN ") +
             PrintLiteral(n.literals[0]) + " AND " + PrintLiteral(n.literals[1]);
    case Node::Kind::kLike:
      return PrintKey(n.key) + (n.negated ? " NOT LIKE " : " LIKE ") + PrintLiteral(n.literals[0]);
  }
  return "";
}

void CollectKeys(const Node& n, std::vector<std::string>* keys) {
  if (n.left) CollectKeys(*n.left, keys);
  if (n.right) CollectKeys(*n.right, keys);
  if (n.key.empty()) return;
  const std::string lower = Lower(n.key);
  if (std::none_of(keys->begin(), keys->end(),
                   [&](const std::string& k) { return Lower(k) == lower; })) {
    keys->push_back(n.key);
  }
}

}  // namespace

arrow::Result<PartitionPredicate> PartitionPredicate::Parse(std::string_view text) {
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); })) {
    return arrow::Status::Invalid("partition predicate is empty");
  }
  if (auto bad = FirstInvalidUtf8(text)) {
    // Partition values in a catalog are UTF-8 strings; a predicate that is not text is a
    // mistake (an encoding mixed up on the way), not something to match bytes against.
    return arrow::Status::Invalid("partition predicate is not valid UTF-8 (byte ", *bad + 1,
                                  "): ", EscapeInvalidUtf8(text.substr(0, 200)));
  }
  ARROW_ASSIGN_OR_RAISE(auto root, Parser(text).Parse());
  return PartitionPredicate(std::move(root));
}

PartitionPredicate PartitionPredicate::All() { return PartitionPredicate(nullptr); }

std::vector<std::string> PartitionPredicate::ReferencedKeys() const {
  std::vector<std::string> keys;
  if (root_) CollectKeys(*root_, &keys);
  return keys;
}

arrow::Status PartitionPredicate::Validate(const std::vector<std::string>& table_keys) const {
  for (const auto& key : ReferencedKeys()) {
    const std::string lower = Lower(key);
    if (std::any_of(table_keys.begin(), table_keys.end(),
                    [&](const std::string& k) { return Lower(k) == lower; })) {
      continue;
    }
    std::string known;
    for (const auto& k : table_keys) known += (known.empty() ? "" : ", ") + k;
    return arrow::Status::Invalid("partition predicate: unknown key '", key,
                                  "'; the table's partition keys are: ", known);
  }
  return arrow::Status::OK();
}

Truth PartitionPredicate::Evaluate(const KeyLookup& lookup) const {
  return root_ ? Eval(*root_, lookup) : Truth::kTrue;
}

std::string PartitionPredicate::ToGlueExpression() const { return root_ ? Print(*root_) : ""; }

}  // namespace s3c
