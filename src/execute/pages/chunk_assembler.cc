#include "execute/pages/chunk_assembler.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>

#include <arrow/buffer.h>
#include <arrow/util/compression.h>
#include <parquet/types.h>

#include "execute/pages/dictionary_merger.h"
#include "execute/pages/index_remap.h"
#include "execute/pages/page_layout.h"
#include "execute/pages/physical_type.h"
#include "execute/pages/plain_materializer.h"
#include "execute/pages/rle_hybrid_encoder.h"
#include "execute/pages/value_check.h"

namespace s3c::pages {

namespace {

bool IsDictionaryEncoded(parquet::Encoding::type e) {
  return e == parquet::Encoding::RLE_DICTIONARY || e == parquet::Encoding::PLAIN_DICTIONARY;
}

// The bytes compressed with the output's codec; without one, the bytes themselves (not
// copied: the page is written before they go).
arrow::Result<std::shared_ptr<arrow::Buffer>> Compressed(parquet::PageWriter* writer,
                                                          const uint8_t* data, int64_t size) {
  auto source = std::make_shared<arrow::Buffer>(data, size);
  if (!writer->has_compressor()) return source;
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::ResizableBuffer> out,
                        arrow::AllocateResizableBuffer(0));
  writer->Compress(*source, out.get());
  return std::shared_ptr<arrow::Buffer>(std::move(out));
}

// A page handed over compressed (by a PageReader told UNCOMPRESSED), decompressed with the
// chunk's codec (none: as it is), as PageReader would have handed it, into `scratch` (reused
// from page to page: the page returned is only valid until the next call).
arrow::Result<std::unique_ptr<parquet::DataPage>> Decompress(
    const parquet::DataPage& page, arrow::util::Codec* codec,
    const std::shared_ptr<arrow::ResizableBuffer>& scratch) {
  const int64_t total = page.uncompressed_size();
  if (total < 0 || total > (int64_t{1} << 30)) {
    return arrow::Status::Invalid("a data page of ", total, " bytes uncompressed");
  }
  if (page.type() == parquet::PageType::DATA_PAGE_V2) {
    const auto& v2 = static_cast<const parquet::DataPageV2&>(page);
    const int64_t levels = int64_t{v2.repetition_levels_byte_length()} +
                           int64_t{v2.definition_levels_byte_length()};
    if (levels < 0 || levels > page.size() || levels > total) {
      return arrow::Status::Invalid("a data page v2 whose levels do not fit it");
    }
    std::shared_ptr<arrow::Buffer> body = page.buffer();
    if (codec && v2.is_compressed()) {
      const auto& out = scratch;
      ARROW_RETURN_NOT_OK(out->Resize(total, /*shrink_to_fit=*/false));
      std::memcpy(out->mutable_data(), page.data(), static_cast<size_t>(levels));
      ARROW_ASSIGN_OR_RAISE(int64_t n, codec->Decompress(page.size() - levels, page.data() + levels,
                                                         total - levels,
                                                         out->mutable_data() + levels));
      if (n != total - levels) return arrow::Status::Invalid("a data page that decompresses to ", n + levels, " bytes, not ", total);
      body = out;
    }
    return std::make_unique<parquet::DataPageV2>(
        body, v2.num_values(), v2.num_nulls(), v2.num_rows(), v2.encoding(),
        v2.definition_levels_byte_length(), v2.repetition_levels_byte_length(), total,
        /*is_compressed=*/false, v2.statistics());
  }
  const auto& v1 = static_cast<const parquet::DataPageV1&>(page);
  std::shared_ptr<arrow::Buffer> body = page.buffer();
  if (codec) {
    const auto& out = scratch;
    ARROW_RETURN_NOT_OK(out->Resize(total, /*shrink_to_fit=*/false));
    ARROW_ASSIGN_OR_RAISE(int64_t n, codec->Decompress(page.size(), page.data(), total,
                                                       out->mutable_data()));
    if (n != total) return arrow::Status::Invalid("a data page that decompresses to ", n, " bytes, not ", total);
    body = out;
  }
  return std::make_unique<parquet::DataPageV1>(body, v1.num_values(), v1.encoding(),
                                               v1.definition_level_encoding(),
                                               v1.repetition_level_encoding(), total,
                                               v1.statistics());
}

// The statistics `page` is written with: the input's column index's, else its header's unless
// its writer's are not trusted.
parquet::EncodedStatistics StatisticsFor(const parquet::DataPage& page, const PageExtras& extras) {
  if (extras.statistics) return *extras.statistics;
  return extras.keep_statistics ? page.statistics() : parquet::EncodedStatistics();
}

// `page`'s bytes and header, with `extras`' statistics and first row.
std::unique_ptr<parquet::DataPage> Reissued(const parquet::DataPage& page,
                                            const PageExtras& extras) {
  const parquet::EncodedStatistics statistics = StatisticsFor(page, extras);
  if (page.type() == parquet::PageType::DATA_PAGE_V2) {
    const auto& v2 = static_cast<const parquet::DataPageV2&>(page);
    return std::make_unique<parquet::DataPageV2>(
        v2.buffer(), v2.num_values(), v2.num_nulls(), v2.num_rows(), v2.encoding(),
        v2.definition_levels_byte_length(), v2.repetition_levels_byte_length(),
        v2.uncompressed_size(), v2.is_compressed(), statistics, extras.first_row);
  }
  const auto& v1 = static_cast<const parquet::DataPageV1&>(page);
  return std::make_unique<parquet::DataPageV1>(v1.buffer(), v1.num_values(), v1.encoding(),
                                               v1.definition_level_encoding(),
                                               v1.repetition_level_encoding(),
                                               v1.uncompressed_size(), statistics,
                                               extras.first_row);
}

// The inputs' statistics merged, or nullopt when any lacks a min/max or a null count.
template <typename DType>
std::optional<parquet::EncodedStatistics> MergeTyped(const parquet::ColumnDescriptor* descr,
                                                     const std::vector<ChunkSource>& inputs) {
  std::shared_ptr<parquet::TypedStatistics<DType>> merged;
  for (const auto& input : inputs) {
    auto typed = std::dynamic_pointer_cast<parquet::TypedStatistics<DType>>(input.statistics);
    if (!typed || !typed->HasMinMax() || !typed->HasNullCount()) return std::nullopt;
    if (!merged) {
      merged = parquet::MakeStatistics<DType>(descr);
    }
    merged->Merge(*typed);
  }
  if (!merged) return std::nullopt;
  return merged->Encode();
}

std::optional<parquet::EncodedStatistics> MergeStatistics(const parquet::ColumnDescriptor* descr,
                                                          const std::vector<ChunkSource>& inputs) {
  return VisitPhysicalType(
      descr->physical_type(), [&]<typename DType>() -> std::optional<parquet::EncodedStatistics> {
        if constexpr (std::is_same_v<DType, parquet::Int96Type>) {
          return std::nullopt;  // no statistics are written for INT96
        } else {
          return MergeTyped<DType>(descr, inputs);
        }
      });
}

}  // namespace

arrow::Status ChunkAssembler::WriteDataPage(const parquet::DataPage& page,
                                            const std::vector<int32_t>* remap,
                                            const parquet::DictionaryPage* dictionary,
                                            int merged_bit_width, const PageExtras& extras,
                                            const PageLayout& layout,
                                            parquet::PageWriter* writer) {
  std::string remapped;
  const uint8_t* body = page.data();
  int64_t size = page.size();
  parquet::Encoding::type encoding = page.encoding();
  if (IsDictionaryEncoded(encoding)) {
    if (!dictionary) {
      return arrow::Status::Invalid("column ", descr_->path()->ToDotString(),
                                    ": a dictionary-encoded page in a chunk without dictionary");
    }
    if (remap) {
      ARROW_ASSIGN_OR_RAISE(remapped, RemapIndices(page, layout, *remap, merged_bit_width));
    } else {
      ARROW_ASSIGN_OR_RAISE(remapped, MaterializePlain(descr_, *dictionary, page, layout));
      encoding = parquet::Encoding::PLAIN;
    }
    body = reinterpret_cast<const uint8_t*>(remapped.data());
    size = static_cast<int64_t>(remapped.size());
  }
  if (page.type() == parquet::PageType::DATA_PAGE_V2) {
    const auto& v2 = static_cast<const parquet::DataPageV2&>(page);
    // Levels stay uncompressed; the values are compressed with the output's codec.
    ARROW_ASSIGN_OR_RAISE(auto values,
                          Compressed(writer, body + layout.levels_bytes, size - layout.levels_bytes));
    ARROW_ASSIGN_OR_RAISE(auto buffer,
                          arrow::AllocateBuffer(layout.levels_bytes + values->size()));
    std::memcpy(buffer->mutable_data(), body, static_cast<size_t>(layout.levels_bytes));
    std::memcpy(buffer->mutable_data() + layout.levels_bytes, values->data(),
                static_cast<size_t>(values->size()));
    parquet::DataPageV2 out(std::move(buffer), v2.num_values(), v2.num_nulls(), v2.num_rows(),
                            encoding, v2.definition_levels_byte_length(),
                            v2.repetition_levels_byte_length(), size, writer->has_compressor(),
                            StatisticsFor(v2, extras), extras.first_row);
    writer->WriteDataPage(out);
    return arrow::Status::OK();
  }
  const auto& v1 = static_cast<const parquet::DataPageV1&>(page);
  ARROW_ASSIGN_OR_RAISE(auto compressed, Compressed(writer, body, size));
  parquet::DataPageV1 out(std::move(compressed), v1.num_values(), encoding,
                          v1.definition_level_encoding(), v1.repetition_level_encoding(), size,
                          StatisticsFor(v1, extras), extras.first_row);
  writer->WriteDataPage(out);
  return arrow::Status::OK();
}

arrow::Status ChunkAssembler::Corrupt(const ChunkSource& input, const std::string& what) const {
  return arrow::Status::Invalid(input.name.empty() ? "" : input.name + ", ", "column ",
                                descr_->path()->ToDotString(), ": ", what);
}

arrow::Result<ChunkWritten> ChunkAssembler::Write(const std::vector<ChunkSource>& inputs,
                                    parquet::PageWriter* writer,
                                    parquet::ColumnChunkMetaDataBuilder* metadata) {
  ChunkWritten result;
  result.records.assign(inputs.size(), 0);
  int64_t& values = result.values;
  try {
    // Pass 1: the dictionaries, which must come first in the output chunk. Each input's is
    // kept (copied: the reader reuses its buffer) in case the merged one grows too large.
    std::unique_ptr<DictionaryMerger> merger;
    std::vector<std::optional<std::vector<int32_t>>> remaps(inputs.size());
    std::vector<std::shared_ptr<parquet::DictionaryPage>> dictionaries(inputs.size());
    int64_t total = 0;  // the inputs' dictionaries, PLAIN: what the merge holds at most
    int64_t limit = dictionary_page_limit_;
    for (size_t i = 0; i < inputs.size(); ++i) {
      auto reader = inputs[i].open();
      std::shared_ptr<parquet::Page> first = reader->NextPage();
      if (!first || first->type() != parquet::PageType::DICTIONARY_PAGE) continue;
      const auto& page = static_cast<const parquet::DictionaryPage&>(*first);
      if (page.encoding() != parquet::Encoding::PLAIN &&
          page.encoding() != parquet::Encoding::PLAIN_DICTIONARY) {
        return arrow::Status::Invalid(inputs[i].name, ", column ", descr_->path()->ToDotString(),
                                      ": a dictionary page encoded as ",
                                      parquet::EncodingToString(page.encoding()));
      }
      if (auto checked = CheckDictionary(descr_, page); !checked.ok()) {
        return Corrupt(inputs[i], checked.message());
      }
      ARROW_ASSIGN_OR_RAISE(auto copy, arrow::Buffer::Copy(page.buffer(),
                                                           arrow::default_cpu_memory_manager()));
      dictionaries[i] = std::make_shared<parquet::DictionaryPage>(std::move(copy), page.num_values(),
                                                                  page.encoding());
      total += page.size();
      limit = std::max<int64_t>(limit, page.size());
    }
    // Past the limit (near-unique values: ids, timestamps) the chunk goes without a
    // dictionary: every dictionary page becomes PLAIN, looked up in its own dictionary. A
    // column whose dictionaries barely overlap is given up early, not merged up to the limit.
    bool too_large = false;
    // A repeated column whose inputs mix dictionary and PLAIN pages is written all PLAIN: Arrow
    // reads a nested dictionary-typed column (ARROW:schema) only when its chunk does not switch
    // encodings ("Nested data conversions not implemented for chunked array outputs").
    if (descr_->max_repetition_level() > 0) {
      const bool with = std::any_of(dictionaries.begin(), dictionaries.end(),
                                    [](const auto& d) { return d != nullptr; });
      const bool without = std::any_of(dictionaries.begin(), dictionaries.end(),
                                       [](const auto& d) { return d == nullptr; });
      too_large = with && without;
    }
    // A chunk whose first input has no dictionary would be PLAIN from its first page on: no
    // dictionary page for it.
    too_large = too_large || (!inputs.empty() && !dictionaries.front());
    int64_t seen = 0;
    for (size_t i = 0; i < inputs.size() && !too_large; ++i) {
      if (!dictionaries[i]) continue;
      if (!merger) {
        ARROW_ASSIGN_OR_RAISE(merger, DictionaryMerger::Make(descr_));
      }
      ARROW_ASSIGN_OR_RAISE(remaps[i], merger->Add(*dictionaries[i]));
      seen += dictionaries[i]->size();
      const double kept = static_cast<double>(merger->plain_bytes());
      too_large = merger->plain_bytes() > limit ||
                  (seen >= limit / 8 && kept > 0.9 * static_cast<double>(seen) &&
                   0.9 * static_cast<double>(total) > static_cast<double>(limit));
    }
    if (too_large) merger.reset();
    int merged_bit_width = 0;
    if (merger) {
      merged_bit_width = RleHybridEncoder::BitWidth(
          static_cast<uint32_t>(std::max<int32_t>(merger->size() - 1, 0)));
      parquet::DictionaryPage dictionary(merger->EncodePlain(), merger->size(),
                                         parquet::Encoding::PLAIN);
      writer->WriteDictionaryPage(dictionary);
    }
    // Pass 2: the data pages, in order.
    ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::ResizableBuffer> scratch,
                          arrow::AllocateResizableBuffer(0));
    const bool page_index =
        !inputs.empty() && std::all_of(inputs.begin(), inputs.end(),
                                       [](const ChunkSource& s) { return !s.first_rows.empty(); });
    bool fallback = false;  // a PLAIN page was written after the dictionary's: a writer's fallback
    for (size_t i = 0; i < inputs.size(); ++i) {
      // Pages the same codec compressed are taken compressed, and copied when unchanged.
      const bool raw = inputs[i].open_compressed && inputs[i].codec == output_codec_;
      auto reader = raw ? inputs[i].open_compressed() : inputs[i].open();
      std::unique_ptr<arrow::util::Codec> codec;
      if (raw) codec = parquet::GetCodec(inputs[i].codec);
      size_t page_number = 0;  // data pages of this input so far
      int64_t records = 0;
      bool first_page = true;
      while (std::shared_ptr<parquet::Page> page = reader->NextPage()) {
        const bool was_first = first_page;
        first_page = false;
        if (page->type() == parquet::PageType::DICTIONARY_PAGE) {
          // Readers take one dictionary, the chunk's first page: a later one is corruption
          // (some readers would use it, others refuse the file).
          if (!was_first) return Corrupt(inputs[i], "a second dictionary page");
          continue;
        }
        if (page->type() != parquet::PageType::DATA_PAGE &&
            page->type() != parquet::PageType::DATA_PAGE_V2) {
          continue;  // index pages are not data
        }
        const auto* data = static_cast<const parquet::DataPage*>(page.get());
        values += data->num_values();
        PageExtras extras{inputs[i].statistics != nullptr, std::nullopt, std::nullopt};
        if (page_index) {
          if (page_number >= inputs[i].first_rows.size()) {
            return Corrupt(inputs[i], "more pages than its offset index lists");
          }
          extras.first_row = inputs[i].first_rows[page_number];
          extras.statistics = page_number < inputs[i].page_statistics.size()
                                  ? inputs[i].page_statistics[page_number]
                                  : parquet::EncodedStatistics();
        }
        ++page_number;
        fallback = fallback || (merger && !IsDictionaryEncoded(data->encoding()));
        // Every page is checked as readers will read it: decompressed (a page copied still
        // compressed is decompressed for the check), its levels decoded and counted, its
        // values read (dictionary indices when they are remapped).
        std::unique_ptr<parquet::DataPage> decompressed;
        const parquet::DataPage* readable = data;
        if (raw) {
          auto plain = Decompress(*data, codec.get(), scratch);
          if (!plain.ok()) return Corrupt(inputs[i], plain.status().message());
          decompressed = std::move(plain).ValueOrDie();
          readable = decompressed.get();
        }
        auto layout = PageLayout::Of(*readable, descr_->max_definition_level(),
                                     descr_->max_repetition_level());
        if (!layout.ok()) {
          if (layout.status().IsNotImplemented()) return layout.status();
          return Corrupt(inputs[i], layout.status().message());
        }
        records += layout->records;
        if (!IsDictionaryEncoded(readable->encoding())) {
          auto checked = CheckValues(descr_, readable->encoding(),
                                     readable->data() + layout->levels_bytes,
                                     readable->size() - layout->levels_bytes, layout->values);
          if (!checked.ok()) return Corrupt(inputs[i], checked.message());
          if (raw) {
            // As it was: compressed by the same codec.
            if (extras.keep_statistics && !extras.first_row && !extras.statistics) {
              writer->WriteDataPage(*data);
            } else {
              writer->WriteDataPage(*Reissued(*data, extras));
            }
            continue;
          }
        }
        // Once a PLAIN page is written the chunk stays PLAIN, as a writer's fallback does
        // (readers such as Spark's misread a chunk that goes back to dictionary indices): later
        // dictionary pages are written PLAIN, looked up in their own dictionary.
        const bool remap = merger && remaps[i] && !fallback;
        auto written = WriteDataPage(*readable, remap ? &*remaps[i] : nullptr,
                                     dictionaries[i].get(), merged_bit_width, extras, *layout,
                                     writer);
        if (!written.ok()) {
          if (written.IsNotImplemented()) return written;
          return Corrupt(inputs[i], written.message());
        }
      }
      result.records[i] = records;
      if (page_index && page_number != inputs[i].first_rows.size()) {
        return arrow::Status::Invalid("column ", descr_->path()->ToDotString(), ": ", page_number,
                                      " pages where its offset index lists ",
                                      inputs[i].first_rows.size());
      }
    }
    if (auto statistics = MergeStatistics(descr_, inputs)) metadata->SetStatistics(*statistics);
    writer->Close(/*has_dictionary=*/merger != nullptr, fallback);
  } catch (const std::exception& e) {
    return arrow::Status::IOError("column ", descr_->path()->ToDotString(), ": ", e.what());
  }
  return result;
}

}  // namespace s3c::pages
