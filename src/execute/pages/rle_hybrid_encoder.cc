#include "execute/pages/rle_hybrid_encoder.h"

#include <bit>
#include <cstring>

namespace s3c::pages {

static_assert(std::endian::native == std::endian::little, "packed values are written little-endian");

namespace {

constexpr int64_t kMinRepeat = 8;

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// values[0, count) bit-packed, count padded up to a multiple of 8 with zeros.
void PutPacked(const int32_t* values, int64_t count, int bit_width, std::string* out) {
  const int64_t groups = (count + 7) / 8;
  PutVarint(static_cast<uint64_t>(groups) << 1 | 1, out);
  const size_t start = out->size();
  out->resize(start + static_cast<size_t>(groups * bit_width), '\0');
  if (bit_width == 0) return;
  auto* bytes = reinterpret_cast<uint8_t*>(out->data() + start);
  // Values gather in a 64-bit accumulator (fewer than 32 bits pending + at most 32 new), written
  // out 32 bits at a time, little-endian; the last bits after the loop.
  uint64_t pending = 0;
  int pending_bits = 0;
  size_t pos = 0;
  for (int64_t i = 0; i < count; ++i) {
    pending |= static_cast<uint64_t>(static_cast<uint32_t>(values[i])) << pending_bits;
    pending_bits += bit_width;
    if (pending_bits >= 32) {
      const auto word = static_cast<uint32_t>(pending);
      std::memcpy(bytes + pos, &word, 4);  // little-endian host
      pos += 4;
      pending >>= 32;
      pending_bits -= 32;
    }
  }
  for (; pending_bits > 0; pending_bits -= 8, pending >>= 8) {
    bytes[pos++] = static_cast<uint8_t>(pending & 0xFF);
  }
}

void PutRepeated(int32_t value, int64_t count, int bit_width, std::string* out) {
  PutVarint(static_cast<uint64_t>(count) << 1, out);
  uint32_t v = static_cast<uint32_t>(value);
  for (int i = 0; i < (bit_width + 7) / 8; ++i) {
    out->push_back(static_cast<char>(v & 0xFF));
    v >>= 8;
  }
}

}  // namespace

int RleHybridEncoder::BitWidth(uint32_t max_value) {
  return max_value == 0 ? 0 : 32 - std::countl_zero(max_value);
}

void RleHybridEncoder::Encode(const int32_t* values, int64_t count, int bit_width,
                              std::string* out) {
  int64_t literal_start = 0;
  int64_t i = 0;
  while (i < count) {
    int64_t run = 1;
    while (i + run < count && values[i + run] == values[i]) ++run;
    if (run >= kMinRepeat) {
      // Literals must end on a multiple of 8: borrow from the run to get there.
      const int64_t pending = i - literal_start;
      const int64_t borrow = (8 - pending % 8) % 8;
      if (run - borrow >= kMinRepeat) {
        if (pending + borrow > 0) {
          PutPacked(values + literal_start, pending + borrow, bit_width, out);
        }
        PutRepeated(values[i], run - borrow, bit_width, out);
        i += run;
        literal_start = i;
        continue;
      }
    }
    i += run;
  }
  if (literal_start < count) PutPacked(values + literal_start, count - literal_start, bit_width, out);
}

}  // namespace s3c::pages
