#include "execute/pages/plain_materializer.h"

#include <type_traits>
#include <vector>

#include <parquet/encoding.h>

#include "execute/pages/physical_type.h"
#include "execute/pages/rle_hybrid_decoder.h"

namespace s3c::pages {

namespace {

constexpr int64_t kMaxPlainPageBytes = int64_t{1} << 30;

template <typename DType>
arrow::Result<std::string> Materialize(const parquet::ColumnDescriptor* descr,
                                       const parquet::DictionaryPage& dictionary,
                                       const parquet::DataPage& page, const PageLayout& layout) {
  using T = typename DType::c_type;
  const std::string column = descr->path()->ToDotString();
  const int k = dictionary.num_values();
  std::vector<T> values(static_cast<size_t>(std::max(k, 0)));
  if (k > 0) {
    auto decoder = parquet::MakeTypedDecoder<DType>(parquet::Encoding::PLAIN, descr);
    decoder->SetData(k, dictionary.data(), static_cast<int>(dictionary.size()));
    if (decoder->Decode(values.data(), k) != k) {
      return arrow::Status::Invalid("column ", column, ": a dictionary page that says ", k,
                                    " values holds fewer");
    }
  }
  std::string out(reinterpret_cast<const char*>(page.data()),
                  static_cast<size_t>(layout.levels_bytes));
  if (layout.values == 0) return out;
  const uint8_t* body = page.data() + layout.levels_bytes;
  const int64_t size = page.size() - layout.levels_bytes;
  if (size < 1 || body[0] > 32) {
    return arrow::Status::Invalid("column ", column, ": a dictionary data page without a valid bit width");
  }
  std::vector<int32_t> indices(static_cast<size_t>(layout.values));
  RleHybridDecoder indices_decoder(body + 1, size - 1, body[0]);
  ARROW_ASSIGN_OR_RAISE(int64_t got, indices_decoder.Decode(indices.data(), layout.values));
  if (got != layout.values) {
    return arrow::Status::Invalid("column ", column, ": a dictionary data page with ", got,
                                  " indices for ", layout.values, " values");
  }
  std::vector<T> gathered;
  gathered.reserve(indices.size());
  for (int32_t index : indices) {
    if (index < 0 || index >= k) {
      return arrow::Status::Invalid("column ", column, ": index ", index,
                                    " in a dictionary of ", k, " values");
    }
    gathered.push_back(values[static_cast<size_t>(index)]);
  }
  // A short page of repeated indices can stand for far more PLAIN bytes than any page should
  // hold (pages are at most 2 GiB): such a page goes through the row path.
  int64_t plain_bytes = 0;
  if constexpr (std::is_same_v<DType, parquet::ByteArrayType>) {
    for (const auto& v : gathered) plain_bytes += 4 + int64_t{v.len};
  } else if constexpr (std::is_same_v<DType, parquet::FLBAType>) {
    plain_bytes = static_cast<int64_t>(gathered.size()) * descr->type_length();
  } else {
    plain_bytes = static_cast<int64_t>(gathered.size() * sizeof(T));
  }
  if (plain_bytes > kMaxPlainPageBytes) {
    return arrow::Status::NotImplemented("column ", column, ": a dictionary page of ",
                                         gathered.size(), " values that would be ", plain_bytes,
                                         " bytes PLAIN");
  }
  auto encoder = parquet::MakeTypedEncoder<DType>(parquet::Encoding::PLAIN, false, descr);
  encoder->Put(gathered.data(), static_cast<int>(gathered.size()));
  auto encoded = encoder->FlushValues();
  out.append(reinterpret_cast<const char*>(encoded->data()), static_cast<size_t>(encoded->size()));
  return out;
}

}  // namespace

arrow::Result<std::string> MaterializePlain(const parquet::ColumnDescriptor* descr,
                                            const parquet::DictionaryPage& dictionary,
                                            const parquet::DataPage& page,
                                            const PageLayout& layout) {
  try {
    return VisitPhysicalType(descr->physical_type(), [&]<typename DType>() -> arrow::Result<std::string> {
      if constexpr (std::is_same_v<DType, parquet::BooleanType>) {
        return arrow::Status::Invalid("column ", descr->path()->ToDotString(),
                                      ": no dictionary encoding for physical type BOOLEAN");
      } else {
        return Materialize<DType>(descr, dictionary, page, layout);
      }
    });
  } catch (const std::exception& e) {
    return arrow::Status::Invalid("column ", descr->path()->ToDotString(), ": ", e.what());
  }
}

}  // namespace s3c::pages
