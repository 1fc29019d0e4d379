#pragma once
// RleHybridDecoder: reads Parquet's RLE / bit-packed hybrid encoding, the encoding of
// definition and repetition levels and of dictionary indices, without Arrow (which keeps its
// codec internal). The page-level merge (execute/pages/) reads levels to count a page's values
// and indices to remap them to a merged dictionary.
//
//   encoded-data := run*
//   run          := varint(count << 1) value         RLE: `count` copies of `value`, stored
//                                                     in ceil(bit_width / 8) little-endian bytes
//                 | varint(groups << 1 | 1) packed   bit-packed: groups * 8 values of bit_width
//                                                     bits each, least significant bit first
//
// The input is untrusted: a malformed stream (a varint longer than 5 bytes, a zero-length run,
// an RLE value wider than bit_width, an RLE value cut short) is an Invalid status; a
// bit-packed run cut short at the end of the data yields the values that are there (writers
// pad the last run's declared count, and readers accept that). Never reads past `size`.

#include <cstdint>

#include <arrow/result.h>

namespace s3c::pages {

class RleHybridDecoder {
 public:
  /// `bit_width` in [0, 32]; the data is not copied and must outlive the decoder.
  RleHybridDecoder(const uint8_t* data, int64_t size, int bit_width);

  /// Decodes up to `count` values into `out`: the number decoded, fewer than `count` only when
  /// the data ends.
  arrow::Result<int64_t> Decode(int32_t* out, int64_t count);

  /// Decodes `count` values and counts those equal to `value` (definition levels at their
  /// maximum are the non-null values). Invalid if the data ends first.
  arrow::Result<int64_t> CountEqual(int32_t value, int64_t count);

 private:
  arrow::Status NextRun();

  const uint8_t* data_;
  int64_t size_;
  int64_t pos_ = 0;  // byte offset of the next run header
  int bit_width_;
  // The run being read.
  int64_t rle_left_ = 0;
  int32_t rle_value_ = 0;
  int64_t packed_left_ = 0;   // values left in the bit-packed run
  int64_t packed_bit_ = 0;    // bit offset of the next packed value, from data_
};

}  // namespace s3c::pages
