#include "execute/pages/page_layout.h"

#include <cstring>

#include "execute/pages/rle_hybrid_decoder.h"
#include "execute/pages/rle_hybrid_encoder.h"

namespace s3c::pages {

namespace {

// One v1 level stream at `offset`: its total bytes (length prefix included).
arrow::Result<int64_t> LevelStreamBytes(const parquet::DataPageV1& page, parquet::Encoding::type encoding,
                                        int64_t offset, const char* what) {
  if (encoding == parquet::Encoding::BIT_PACKED) {
    return arrow::Status::NotImplemented("a data page with BIT_PACKED ", what, " levels");
  }
  if (encoding != parquet::Encoding::RLE) {
    return arrow::Status::Invalid("a data page with ", what, " levels encoded as ",
                                  parquet::EncodingToString(encoding));
  }
  if (page.size() - offset < 4) {
    return arrow::Status::Invalid("a data page that ends inside its ", what, " levels' length");
  }
  uint32_t length = 0;
  std::memcpy(&length, page.data() + offset, 4);  // little-endian
  if (static_cast<int64_t>(length) > page.size() - offset - 4) {
    return arrow::Status::Invalid("a data page whose ", what, " levels (", length,
                                  " bytes) run past its end");
  }
  return 4 + static_cast<int64_t>(length);
}

}  // namespace

arrow::Result<PageLayout> PageLayout::Of(const parquet::DataPage& page, int16_t max_def,
                                         int16_t max_rep) {
  PageLayout layout;
  if (page.num_values() < 0) return arrow::Status::Invalid("a data page of ", page.num_values(), " values");
  if (page.num_values() > kMaxValues) {
    return arrow::Status::NotImplemented("a data page of ", page.num_values(), " values");
  }
  if (page.type() == parquet::PageType::DATA_PAGE_V2) {
    const auto& v2 = static_cast<const parquet::DataPageV2&>(page);
    const int64_t levels = int64_t{v2.repetition_levels_byte_length()} +
                           int64_t{v2.definition_levels_byte_length()};
    if (v2.repetition_levels_byte_length() < 0 || v2.definition_levels_byte_length() < 0 ||
        levels > page.size()) {
      return arrow::Status::Invalid("a data page v2 whose level lengths (",
                                    v2.repetition_levels_byte_length(), " and ",
                                    v2.definition_levels_byte_length(), ") do not fit its ",
                                    page.size(), " bytes");
    }
    if (v2.num_nulls() < 0 || v2.num_nulls() > v2.num_values()) {
      return arrow::Status::Invalid("a data page v2 with ", v2.num_nulls(), " nulls in ",
                                    v2.num_values(), " values");
    }
    layout.levels_bytes = levels;
    layout.values = int64_t{v2.num_values()} - v2.num_nulls();
    layout.records = v2.num_values();
    const int32_t rep_bytes = v2.repetition_levels_byte_length();
    if (max_rep > 0) {
      RleHybridDecoder rep(page.data(), rep_bytes,
                           RleHybridEncoder::BitWidth(static_cast<uint32_t>(max_rep)));
      auto records = rep.CountEqual(0, v2.num_values());
      if (!records.ok()) {
        return records.status().WithMessage("repetition levels of a data page v2: ",
                                            records.status().message());
      }
      if (*records != v2.num_rows()) {
        return arrow::Status::Invalid("a data page v2 whose repetition levels start ", *records,
                                      " rows where its header says ", v2.num_rows());
      }
      layout.records = *records;
    }
    if (max_def > 0) {
      RleHybridDecoder def(page.data() + rep_bytes, v2.definition_levels_byte_length(),
                           RleHybridEncoder::BitWidth(static_cast<uint32_t>(max_def)));
      auto present = def.CountEqual(max_def, v2.num_values());
      if (!present.ok()) {
        return present.status().WithMessage("definition levels of a data page v2: ",
                                            present.status().message());
      }
      if (*present != layout.values) {
        return arrow::Status::Invalid("a data page v2 whose definition levels hold ", *present,
                                      " values where its header says ", layout.values,
                                      " (num_nulls ", v2.num_nulls(), ")");
      }
    } else if (v2.num_nulls() != 0) {
      return arrow::Status::Invalid("a data page v2 of a required column with ", v2.num_nulls(),
                                    " nulls");
    }
    return layout;
  }
  if (page.type() != parquet::PageType::DATA_PAGE) {
    return arrow::Status::Invalid("not a data page");
  }
  const auto& v1 = static_cast<const parquet::DataPageV1&>(page);
  int64_t offset = 0;
  layout.records = v1.num_values();
  if (max_rep > 0) {
    ARROW_ASSIGN_OR_RAISE(int64_t bytes, LevelStreamBytes(v1, v1.repetition_level_encoding(),
                                                          offset, "repetition"));
    RleHybridDecoder rep(page.data() + offset + 4, bytes - 4,
                         RleHybridEncoder::BitWidth(static_cast<uint32_t>(max_rep)));
    auto records = rep.CountEqual(0, v1.num_values());
    if (!records.ok()) {
      return records.status().WithMessage("repetition levels of a data page: ",
                                          records.status().message());
    }
    layout.records = *records;
    offset += bytes;
  }
  layout.values = v1.num_values();
  if (max_def > 0) {
    ARROW_ASSIGN_OR_RAISE(int64_t bytes, LevelStreamBytes(v1, v1.definition_level_encoding(),
                                                          offset, "definition"));
    RleHybridDecoder levels(page.data() + offset + 4, bytes - 4,
                            RleHybridEncoder::BitWidth(static_cast<uint32_t>(max_def)));
    auto counted = levels.CountEqual(max_def, v1.num_values());
    if (!counted.ok()) {
      return counted.status().WithMessage("definition levels of a data page: ",
                                          counted.status().message());
    }
    layout.values = *counted;
    offset += bytes;
  }
  layout.levels_bytes = offset;
  return layout;
}

}  // namespace s3c::pages
