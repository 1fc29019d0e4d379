#pragma once
// RleHybridEncoder: writes Parquet's RLE / bit-packed hybrid encoding (the format is in
// rle_hybrid_decoder.h) for dictionary indices remapped to a merged dictionary, and for level
// streams. A value repeated at least 8 times in a row becomes an RLE run; the rest are
// bit-packed in groups of 8. Bit-packed runs hold a multiple of 8 values, so before an RLE run
// the literals are filled up to a multiple of 8 from the run; only the stream's last group is
// padded (with zeros; readers stop at the page's value count).
//
// Output is what Arrow's own encoder accepts back (checked in the tests against Arrow's
// DictDecoder, and Arrow's DictEncoder output against RleHybridDecoder).

#include <cstdint>
#include <string>

namespace s3c::pages {

class RleHybridEncoder {
 public:
  /// The smallest bit width that holds every value in [0, max_value].
  static int BitWidth(uint32_t max_value);

  /// Appends the encoding of values[0, count) to `out`. Every value must fit in `bit_width`
  /// bits (in [0, 32]); the caller guarantees it (indices below the dictionary's size).
  static void Encode(const int32_t* values, int64_t count, int bit_width, std::string* out);
};

}  // namespace s3c::pages
