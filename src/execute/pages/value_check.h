#pragma once
// CheckValues and CheckDictionary: that a page copied into an output without being rewritten is
// a page readers can read. The page merge copies most pages as they are; a page that is corrupt
// (values cut short, a byte-array length running past the page, a dictionary that claims more
// entries than it holds) would otherwise turn the whole output chunk unreadable, taking the
// rows of every other input with it.
//
// CheckValues reads the values region of a decompressed data page with Arrow's own decoder for
// its encoding (fixed-width PLAIN values only need their bytes to be there), in batches into a
// small scratch buffer (no arrays are built, nothing is encoded): Invalid when it does not hold
// `values` values. Dictionary indices are not checked here: RemapIndices and MaterializePlain
// decode every one.
//
// CheckDictionary: a PLAIN dictionary page's entry count fits its bytes (fixed width: count x
// width; byte arrays: at least their 4-byte lengths), before anything is allocated for it.

#include <cstdint>

#include <arrow/status.h>
#include <parquet/column_page.h>
#include <parquet/schema.h>
#include <parquet/types.h>

namespace s3c::pages {

arrow::Status CheckValues(const parquet::ColumnDescriptor* descr, parquet::Encoding::type encoding,
                          const uint8_t* data, int64_t size, int64_t values);

arrow::Status CheckDictionary(const parquet::ColumnDescriptor* descr,
                              const parquet::DictionaryPage& page);

}  // namespace s3c::pages
