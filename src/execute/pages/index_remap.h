#pragma once
// RemapIndices: a dictionary-encoded data page's values (one byte of bit width, then the
// indices, RLE / bit-packed) rewritten for a merged dictionary: each index i becomes remap[i],
// encoded at the merged dictionary's bit width. The levels before them are copied as bytes.
// An index outside the input's dictionary, or fewer indices than the page's values, is
// Invalid: the page is corrupt, and the group goes through the row path (which reports it).

#include <cstdint>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <parquet/column_page.h>

#include "execute/pages/page_layout.h"

namespace s3c::pages {

/// The new body of `page` (decompressed, as PageReader hands it), whose layout is `layout`:
/// its levels, then the remapped indices at `merged_bit_width`.
arrow::Result<std::string> RemapIndices(const parquet::DataPage& page, const PageLayout& layout,
                                        const std::vector<int32_t>& remap, int merged_bit_width);

}  // namespace s3c::pages
