#include "plan/shard.h"

#include <cstdio>

#include "util/fnv1a.h"

namespace s3c {
namespace {

bool ParseInt(const std::string& text, int* out) {
  if (text.empty() || text.size() > 6) return false;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

}  // namespace

arrow::Result<Shard> Shard::Parse(const std::string& text) {
  const auto slash = text.find('/');
  Shard shard;
  if (slash == std::string::npos || !ParseInt(text.substr(0, slash), &shard.index) ||
      !ParseInt(text.substr(slash + 1), &shard.count) || shard.count < 1 ||
      shard.count > 100000 || shard.index >= shard.count) {
    return arrow::Status::Invalid("--shard: '", text,
                                  "' is not K/N with 0 <= K < N (e.g. 0/4 ... 3/4)");
  }
  return shard;
}

bool Shard::Owns(const std::string& partition_path) const {
  // FNV-1a's low bits vary little between similar paths (dt=...-01, dt=...-02): MurmurHash3's
  // finalizer spreads every bit before the modulo.
  uint64_t h = Fnv1a(partition_path);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h % static_cast<uint64_t>(count) == static_cast<uint64_t>(index);
}

std::string Shard::ToString() const {
  return std::to_string(index) + "/" + std::to_string(count);
}

std::string Shard::Scope() const {
  return "shard-" + std::to_string(index) + "-of-" + std::to_string(count);
}

std::optional<Shard> Shard::FromScope(const std::string& scope) {
  const std::string prefix = "shard-";
  const auto of = scope.find("-of-");
  if (scope.rfind(prefix, 0) != 0 || of == std::string::npos) return std::nullopt;
  Shard shard;
  if (!ParseInt(scope.substr(prefix.size(), of - prefix.size()), &shard.index) ||
      !ParseInt(scope.substr(of + 4), &shard.count) || shard.count < 1 ||
      shard.index >= shard.count) {
    return std::nullopt;
  }
  return shard;
}

}  // namespace s3c
