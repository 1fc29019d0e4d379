#pragma once
// DictionaryMerger: one dictionary for an output column chunk made of the dictionaries of many
// input chunks, and for each input dictionary the map from its indices to the merged ones, so
// that the inputs' dictionary-encoded pages can be remapped (RleHybridDecoder, then
// RleHybridEncoder at the merged bit width) instead of decoded and encoded again.
//
// Values are compared by their bytes (PLAIN encoding): a float's NaN payloads and -0.0 stay
// distinct values, as a dictionary writer keeps them. Merged values keep the order in which
// they first appear. The dictionary pages are decoded and the merged one encoded with Arrow's
// PLAIN codec; nothing here decodes a value itself.
//
// BOOLEAN has no dictionary encoding: Make refuses it. One merger per column chunk being
// written; not thread-safe.

#include <cstdint>
#include <memory>
#include <vector>

#include <arrow/buffer.h>
#include <arrow/result.h>
#include <parquet/column_page.h>
#include <parquet/schema.h>

namespace s3c::pages {

class DictionaryMerger {
 public:
  virtual ~DictionaryMerger() = default;

  /// A merger for the column `descr` describes (which must outlive it).
  static arrow::Result<std::unique_ptr<DictionaryMerger>> Make(const parquet::ColumnDescriptor* descr);

  /// Adds an input chunk's dictionary page (as a PageReader hands it: decompressed) and
  /// returns, for each of its indices, the merged index of its value. Invalid when the page is
  /// not PLAIN-encoded or holds fewer values than it says; the merger is then unchanged.
  virtual arrow::Result<std::vector<int32_t>> Add(const parquet::DictionaryPage& page) = 0;

  /// Distinct values so far.
  virtual int32_t size() const = 0;

  /// Bytes the merged dictionary takes PLAIN-encoded: what its dictionary page will hold,
  /// uncompressed (compared with the dictionary page size limit).
  virtual int64_t plain_bytes() const = 0;

  /// The merged dictionary, PLAIN-encoded: the body of the output's dictionary page.
  virtual std::shared_ptr<arrow::Buffer> EncodePlain() = 0;

  /// Forgets every value (a new column chunk starts).
  virtual void Reset() = 0;
};

}  // namespace s3c::pages
