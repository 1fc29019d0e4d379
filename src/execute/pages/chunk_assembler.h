#pragma once
// ChunkAssembler: one output column chunk made of the pages of input column chunks, without
// decoding a value. Dictionaries are merged (DictionaryMerger) into one dictionary page at the
// chunk's start; dictionary-encoded data pages get their indices remapped to it (RemapIndices);
// every other page (PLAIN, DELTA_*, BYTE_STREAM_SPLIT, RLE booleans, a writer's dictionary
// fallback) is copied. Levels are copied as bytes, so nested columns and nulls go through as
// they are. Pages are recompressed with the output's codec (PageReader hands them
// decompressed), except where the input's codec is the output's and the source can hand pages
// over compressed: then the pages that need no change are copied byte for byte. Page statistics go with their pages; the chunk's statistics are the inputs'
// merged (absent when any input lacks them).
//
// A merged dictionary that would pass `dictionary_page_limit` (near-unique columns) is not
// written: the chunk has no dictionary, and every dictionary page becomes PLAIN, its values
// looked up in its own dictionary (MaterializePlain), as a writer's fallback looks.
// After the first PLAIN page of a chunk with a dictionary (an input's own fallback, or an input
// without a dictionary) every later page is PLAIN too: a chunk never goes back to dictionary
// indices, which is the only shape writers make (Spark's reader misreads the other).
// A repeated column whose inputs mix dictionary and PLAIN chunks goes all PLAIN the same way
// (Arrow cannot read a nested dictionary column whose encoding switches inside a chunk).
// What it does not take (NotImplemented, and the group goes through the row path): BIT_PACKED
// levels.
//
// Used by PageMerger (GroupMethod::kPages).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/status.h>
#include <parquet/column_page.h>
#include <parquet/column_reader.h>
#include <parquet/column_writer.h>
#include <parquet/metadata.h>
#include <parquet/statistics.h>

#include "execute/pages/page_layout.h"

namespace s3c::pages {

struct ChunkSource {
  /// The input, as errors name it (its URI).
  std::string name;
  /// A new reader over the chunk's pages: the chunk is read twice (dictionaries first).
  std::function<std::unique_ptr<parquet::PageReader>()> open;
  /// Optional: a reader that hands the pages over still compressed (PageReader::Open told the
  /// chunk is UNCOMPRESSED: it then passes the stored bytes on), and the chunk's codec. When it is the output's, pages that need no
  /// change are copied as they are: no decompression, no compression.
  std::function<std::unique_ptr<parquet::PageReader>()> open_compressed;
  parquet::Compression::type codec = parquet::Compression::UNCOMPRESSED;
  /// The chunk's statistics; null when it has none, or Arrow does not trust its writer's (old
  /// writers' orderings): its pages' statistics are then dropped too.
  std::shared_ptr<parquet::Statistics> statistics;
  /// For an output with a page index: each data page's first row, counted from the start of the
  /// output row group (the input's offset index, shifted). Empty in any source: no page index
  /// for the chunk (the PageWriter then has no index builders).
  std::vector<int64_t> first_rows;
  /// With first_rows: each data page's statistics from the input's column index (the page
  /// index's own figures, whatever its page headers hold); empty when the input has no column
  /// index for the chunk (the output's is then dropped, its offset index kept).
  std::vector<parquet::EncodedStatistics> page_statistics;
};

/// What Write wrote: the values its pages hold (the sum of their num_values), and per input the
/// rows its pages start (repetition level 0), for the caller to check against the inputs'
/// metadata.
struct ChunkWritten {
  int64_t values = 0;
  std::vector<int64_t> records;
};

/// What a data page is written with besides its bytes.
struct PageExtras {
  bool keep_statistics = true;
  std::optional<int64_t> first_row;  // set when the output has a page index
  /// Set: written instead of the page header's (from the input's column index).
  std::optional<parquet::EncodedStatistics> statistics;
};

class ChunkAssembler {
 public:
  /// `output_codec`: the codec the PageWriter was opened with.
  ChunkAssembler(const parquet::ColumnDescriptor* descr, int64_t dictionary_page_limit,
                 parquet::Compression::type output_codec)
      : descr_(descr), dictionary_page_limit_(dictionary_page_limit), output_codec_(output_codec) {}

  /// Writes the chunk of `inputs`, in order, through `writer` (opened on the output with the
  /// output's codec and `metadata`), and closes it. Every page is checked as a reader would
  /// read it (value_check.h, PageLayout): a corrupt input page is Invalid, naming the input and
  /// the column, and is never copied. NotImplemented: a page the merge does not take (the
  /// caller sends the group through the row path). On error nothing is closed: the caller
  /// abandons the output file. The dictionary limit is raised to the largest input dictionary
  /// page, so inputs whose writer allowed more are not made to fall back.
  arrow::Result<ChunkWritten> Write(const std::vector<ChunkSource>& inputs, parquet::PageWriter* writer,
                      parquet::ColumnChunkMetaDataBuilder* metadata);

 private:
  /// `remap` set: indices remapped to the merged dictionary; else `dictionary` (the page's own)
  /// turns a dictionary page into PLAIN.
  arrow::Status WriteDataPage(const parquet::DataPage& page, const std::vector<int32_t>* remap,
                              const parquet::DictionaryPage* dictionary, int merged_bit_width,
                              const PageExtras& extras, const PageLayout& layout,
                              parquet::PageWriter* writer);
  /// Invalid, naming `input` and the column.
  arrow::Status Corrupt(const ChunkSource& input, const std::string& what) const;

  const parquet::ColumnDescriptor* descr_;
  int64_t dictionary_page_limit_;
  parquet::Compression::type output_codec_;
};

}  // namespace s3c::pages
