#include "execute/pages/index_remap.h"

#include "execute/pages/rle_hybrid_decoder.h"
#include "execute/pages/rle_hybrid_encoder.h"

namespace s3c::pages {

arrow::Result<std::string> RemapIndices(const parquet::DataPage& page, const PageLayout& layout,
                                        const std::vector<int32_t>& remap, int merged_bit_width) {
  std::string out(reinterpret_cast<const char*>(page.data()),
                  static_cast<size_t>(layout.levels_bytes));
  out.push_back(static_cast<char>(merged_bit_width));
  if (layout.values == 0) return out;
  const uint8_t* values = page.data() + layout.levels_bytes;
  const int64_t size = page.size() - layout.levels_bytes;
  if (size < 1) return arrow::Status::Invalid("a dictionary data page with no bit width byte");
  const int bit_width = values[0];
  if (bit_width > 32) {
    return arrow::Status::Invalid("a dictionary data page with indices of ", bit_width, " bits");
  }
  std::vector<int32_t> indices(static_cast<size_t>(layout.values));
  RleHybridDecoder decoder(values + 1, size - 1, bit_width);
  ARROW_ASSIGN_OR_RAISE(int64_t got, decoder.Decode(indices.data(), layout.values));
  if (got != layout.values) {
    return arrow::Status::Invalid("a dictionary data page with ", got, " indices for ",
                                  layout.values, " values");
  }
  const auto limit = static_cast<uint32_t>(remap.size());
  for (auto& index : indices) {
    if (static_cast<uint32_t>(index) >= limit) {
      return arrow::Status::Invalid("a dictionary data page with index ", index,
                                    " in a dictionary of ", remap.size(), " values");
    }
    index = remap[static_cast<size_t>(index)];
  }
  RleHybridEncoder::Encode(indices.data(), layout.values, merged_bit_width, &out);
  return out;
}

}  // namespace s3c::pages
