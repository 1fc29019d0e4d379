#pragma once
// PageLayout: where a data page's levels end and its values begin, and how many values it
// stores (the definition levels at their maximum: nulls and empty lists store none). The page
// merge copies the levels as bytes and touches only the values (a dictionary page's indices).
//
// The page is as parquet::PageReader hands it: decompressed.
//   v1: [repetition levels][definition levels][values], each level stream RLE-encoded with a
//       4-byte little-endian length in front, present only when its maximum level is above 0;
//       the values are counted by decoding the definition levels.
//   v2: [repetition levels][definition levels][values], the level byte lengths in the header,
//       without length prefixes; the header's num_nulls and num_rows are checked against the
//       levels (a header that lies would shift values between rows).
// Records: the repetition levels' zeros (every value, for a column that is not repeated).
// The deprecated BIT_PACKED level encoding (MSB first, no length) is NotImplemented: such a
// page goes through the row path. Anything inconsistent is Invalid, naming what.

#include <cstdint>

#include <arrow/result.h>
#include <parquet/column_page.h>

namespace s3c::pages {

struct PageLayout {
  int64_t levels_bytes = 0;  // body[0, levels_bytes): the levels
  int64_t values = 0;        // values stored in body[levels_bytes, size)
  int64_t records = 0;       // rows that start in the page (repetition level 0)

  /// Pages of more values than this are not merged (NotImplemented: the group goes through the
  /// row path, which reads in batches): a page's index and value buffers are sized by it, and a
  /// run-length-encoded page can claim any count in a few bytes. Writers cut pages far earlier
  /// (Arrow and parquet-java at 20,000 rows).
  static constexpr int64_t kMaxValues = int64_t{1} << 24;

  static arrow::Result<PageLayout> Of(const parquet::DataPage& page, int16_t max_definition_level,
                                      int16_t max_repetition_level);
};

}  // namespace s3c::pages
