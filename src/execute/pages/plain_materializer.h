#pragma once
// MaterializePlain: a dictionary-encoded data page rewritten as PLAIN, its values looked up in
// its own dictionary (no hashing), its levels copied as bytes: what a writer's dictionary
// fallback looks like. The page merge uses it for a column whose merged dictionary would pass
// the dictionary page limit (near-unique columns: ids, timestamps), so that the output chunk
// has no dictionary at all. Arrow's PLAIN codec decodes the dictionary and encodes the values.

#include <string>

#include <arrow/result.h>
#include <parquet/column_page.h>
#include <parquet/schema.h>

#include "execute/pages/page_layout.h"

namespace s3c::pages {

/// The new body of `page` (decompressed), whose dictionary is `dictionary`: its levels, then
/// its values PLAIN-encoded. Invalid for an index outside the dictionary or too few indices.
arrow::Result<std::string> MaterializePlain(const parquet::ColumnDescriptor* descr,
                                            const parquet::DictionaryPage& dictionary,
                                            const parquet::DataPage& page,
                                            const PageLayout& layout);

}  // namespace s3c::pages
