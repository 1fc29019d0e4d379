// Fuzz target: Parquet's RLE / bit-packed hybrid data as a page holds it (levels, dictionary
// indices), read by RleHybridDecoder. The first byte picks the bit width (0 to 32) and the second
// how many values to ask for; whatever decodes must encode (RleHybridEncoder) and decode back
// to the same values.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "execute/pages/rle_hybrid_decoder.h"
#include "execute/pages/rle_hybrid_encoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int bit_width = data[0] % 33;
  const int64_t count = static_cast<int64_t>(data[1]) * 37;
  s3c::pages::RleHybridDecoder decoder(data + 2, static_cast<int64_t>(size - 2), bit_width);
  std::vector<int32_t> values(static_cast<size_t>(count));
  auto decoded = decoder.Decode(values.data(), count);
  if (!decoded.ok()) return 0;
  values.resize(static_cast<size_t>(*decoded));
  std::string encoded;
  s3c::pages::RleHybridEncoder::Encode(values.data(), *decoded, bit_width, &encoded);
  s3c::pages::RleHybridDecoder again(reinterpret_cast<const uint8_t*>(encoded.data()),
                                     static_cast<int64_t>(encoded.size()), bit_width);
  std::vector<int32_t> round(values.size());
  auto n = again.Decode(round.data(), *decoded);
  if (!n.ok() || *n != *decoded || round != values) std::abort();
  return 0;
}
