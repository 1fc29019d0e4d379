#include "execute/pages/value_check.h"

#include <algorithm>
#include <limits>
#include <memory>

#include <parquet/encoding.h>

#include "execute/pages/physical_type.h"

namespace s3c::pages {

namespace {

constexpr int kBatch = 4096;

// Bytes a PLAIN value of `descr`'s type takes at least (byte arrays: their length prefix).
int64_t PlainWidth(const parquet::ColumnDescriptor* descr) {
  switch (descr->physical_type()) {
    case parquet::Type::BOOLEAN: return 0;  // bits; no dictionary of booleans anyway
    case parquet::Type::INT32: return 4;
    case parquet::Type::FLOAT: return 4;
    case parquet::Type::INT64: return 8;
    case parquet::Type::DOUBLE: return 8;
    case parquet::Type::INT96: return 12;
    case parquet::Type::BYTE_ARRAY: return 4;
    case parquet::Type::FIXED_LEN_BYTE_ARRAY: return descr->type_length();
    default: return 0;
  }
}

}  // namespace

arrow::Status CheckValues(const parquet::ColumnDescriptor* descr, parquet::Encoding::type encoding,
                          const uint8_t* data, int64_t size, int64_t values) {
  if (values == 0) return arrow::Status::OK();
  if (size < 0 || size > std::numeric_limits<int32_t>::max() ||
      values > std::numeric_limits<int32_t>::max()) {
    return arrow::Status::Invalid("a data page of ", size, " bytes and ", values, " values");
  }
  if (encoding == parquet::Encoding::PLAIN && descr->physical_type() != parquet::Type::BYTE_ARRAY) {
    // Fixed-width PLAIN values are bytes in a row: they are all there when the bytes are.
    const int64_t needed = descr->physical_type() == parquet::Type::BOOLEAN
                               ? (values + 7) / 8
                               : values * PlainWidth(descr);
    if (PlainWidth(descr) <= 0 && descr->physical_type() != parquet::Type::BOOLEAN) {
      return arrow::Status::Invalid("a PLAIN data page of a column without a width");
    }
    if (needed > size) {
      return arrow::Status::Invalid("a data page whose PLAIN values need ", needed,
                                    " bytes where it holds ", size);
    }
    return arrow::Status::OK();
  }
  try {
    return VisitPhysicalType(descr->physical_type(), [&]<typename DType>() -> arrow::Status {
      using T = typename DType::c_type;
      auto decoder = parquet::MakeTypedDecoder<DType>(encoding, descr);
      decoder->SetData(static_cast<int>(values), data, static_cast<int>(size));
      auto scratch = std::make_unique<T[]>(kBatch);
      int64_t done = 0;
      while (done < values) {
        const int n = static_cast<int>(std::min<int64_t>(values - done, kBatch));
        const int got = decoder->Decode(scratch.get(), n);
        if (got != n) {
          return arrow::Status::Invalid("a data page whose ", parquet::EncodingToString(encoding),
                                        " values end after ", done + std::max(got, 0), " of ",
                                        values);
        }
        done += n;
      }
      return arrow::Status::OK();
    });
  } catch (const std::exception& e) {
    return arrow::Status::Invalid("a data page whose ", parquet::EncodingToString(encoding),
                                  " values cannot be read: ", e.what());
  }
}

arrow::Status CheckDictionary(const parquet::ColumnDescriptor* descr,
                              const parquet::DictionaryPage& page) {
  const int64_t width = PlainWidth(descr);
  if (page.num_values() < 0 || width <= 0) {
    return arrow::Status::Invalid("a dictionary page of ", page.num_values(), " ",
                                  parquet::TypeToString(descr->physical_type()), " values");
  }
  if (int64_t{page.num_values()} * width > page.size()) {
    return arrow::Status::Invalid("a dictionary page that says ", page.num_values(),
                                  " values in ", page.size(), " bytes");
  }
  return arrow::Status::OK();
}

}  // namespace s3c::pages
