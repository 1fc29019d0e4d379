#include "execute/pages/rle_hybrid_decoder.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace s3c::pages {

static_assert(std::endian::native == std::endian::little, "packed values are read little-endian");

RleHybridDecoder::RleHybridDecoder(const uint8_t* data, int64_t size, int bit_width)
    : data_(data), size_(size), bit_width_(bit_width) {}

arrow::Status RleHybridDecoder::NextRun() {
  // ULEB128, at most 5 bytes for a 32-bit header.
  uint64_t header = 0;
  int shift = 0;
  while (true) {
    if (pos_ >= size_) return arrow::Status::Invalid("RLE/bit-packed data ends inside a run header");
    const uint8_t byte = data_[pos_++];
    header |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if (!(byte & 0x80)) break;
    shift += 7;
    if (shift >= 35) return arrow::Status::Invalid("RLE/bit-packed run header longer than 5 bytes");
  }
  if (header > 0xFFFFFFFFull) return arrow::Status::Invalid("RLE/bit-packed run header over 32 bits");
  const int64_t count = static_cast<int64_t>(header >> 1);
  if (count == 0) return arrow::Status::Invalid("RLE/bit-packed run of length 0");
  if (header & 1) {
    // count groups of 8 values, bit_width bytes per group; a last run cut short keeps what
    // is there.
    const int64_t declared_bytes = count * bit_width_;
    const int64_t available = std::min<int64_t>(declared_bytes, size_ - pos_);
    packed_left_ = bit_width_ == 0 ? count * 8
                                   : std::min<int64_t>(count * 8, available * 8 / bit_width_);
    packed_bit_ = pos_ * 8;
    pos_ += available;
    if (packed_left_ == 0) return arrow::Status::Invalid("RLE/bit-packed data ends inside a run");
  } else {
    const int bytes = (bit_width_ + 7) / 8;
    if (size_ - pos_ < bytes) return arrow::Status::Invalid("RLE/bit-packed data ends inside a run value");
    uint32_t value = 0;
    for (int i = 0; i < bytes; ++i) value |= static_cast<uint32_t>(data_[pos_ + i]) << (8 * i);
    pos_ += bytes;
    if (bit_width_ < 32 && (value >> bit_width_) != 0) {
      return arrow::Status::Invalid("RLE run value ", value, " is wider than ", bit_width_, " bits");
    }
    rle_value_ = static_cast<int32_t>(value);
    rle_left_ = count;
  }
  return arrow::Status::OK();
}

arrow::Result<int64_t> RleHybridDecoder::Decode(int32_t* out, int64_t count) {
  if (bit_width_ < 0 || bit_width_ > 32) {
    return arrow::Status::Invalid("RLE/bit-packed bit width ", bit_width_, " is not in [0, 32]");
  }
  const uint64_t mask = bit_width_ == 32 ? 0xFFFFFFFFull : ((1ull << bit_width_) - 1);
  int64_t done = 0;
  while (done < count) {
    if (rle_left_ == 0 && packed_left_ == 0) {
      if (pos_ >= size_) break;
      ARROW_RETURN_NOT_OK(NextRun());
    }
    if (rle_left_ > 0) {
      const int64_t n = std::min(rle_left_, count - done);
      std::fill(out + done, out + done + n, rle_value_);
      rle_left_ -= n;
      done += n;
      continue;
    }
    const int64_t n = std::min(packed_left_, count - done);
    if (bit_width_ == 0) {
      std::fill(out + done, out + done + n, 0);
    } else {
      // An unaligned 64-bit window holds each value (offset within the byte + width <= 39).
      // While a whole window lies inside the data it is read in one fixed-size load; the last
      // few values read only the bytes there are.
      int64_t i = 0;
      int64_t bit = packed_bit_;
      const int64_t last_full_window_bit = (size_ - 8) * 8;
      for (; i < n && bit <= last_full_window_bit; ++i) {
        uint64_t window;
        std::memcpy(&window, data_ + (bit >> 3), 8);  // little-endian host
        out[done + i] = static_cast<int32_t>((window >> (bit & 7)) & mask);
        bit += bit_width_;
      }
      for (; i < n; ++i) {
        const int64_t byte = bit >> 3;
        uint64_t window = 0;
        const int64_t have = std::min<int64_t>(8, size_ - byte);
        std::memcpy(&window, data_ + byte, static_cast<size_t>(have));
        out[done + i] = static_cast<int32_t>((window >> (bit & 7)) & mask);
        bit += bit_width_;
      }
      packed_bit_ = bit;
    }
    packed_left_ -= n;
    done += n;
  }
  return done;
}

arrow::Result<int64_t> RleHybridDecoder::CountEqual(int32_t value, int64_t count) {
  int32_t buffer[1024];
  int64_t equal = 0;
  for (int64_t left = count; left > 0;) {
    if (rle_left_ > 0) {
      // A run is counted without being expanded (levels are mostly long runs).
      const int64_t n = std::min(rle_left_, left);
      if (rle_value_ == value) equal += n;
      rle_left_ -= n;
      left -= n;
      continue;
    }
    const int64_t want = std::min<int64_t>(left, 1024);
    ARROW_ASSIGN_OR_RAISE(int64_t got, Decode(buffer, want));
    if (got < want) {
      return arrow::Status::Invalid("RLE/bit-packed data holds ", count - left + got,
                                    " values, fewer than the ", count, " expected");
    }
    equal += std::count(buffer, buffer + got, value);
    left -= got;
  }
  return equal;
}

}  // namespace s3c::pages
