#pragma once
// FNV-1a, 64 bits: a hash stable across runs, machines and builds (journal record names, the
// version tag of a local conditional object). Not for anything adversarial.

#include <cstdint>
#include <string_view>

namespace s3c {

inline uint64_t Fnv1a(std::string_view text) {
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace s3c
