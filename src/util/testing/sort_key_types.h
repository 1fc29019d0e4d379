#pragma once
// The key types --sort_by accepts (SortSpec::Resolve), one of each kind, for the sort tests.

#include <memory>
#include <vector>

#include <arrow/type.h>

namespace s3c::testing {

inline std::vector<std::shared_ptr<arrow::DataType>> SortKeyTypes() {
  return {arrow::boolean(),  arrow::int8(),    arrow::int16(),   arrow::int32(),
          arrow::int64(),    arrow::uint8(),   arrow::uint16(),  arrow::uint32(),
          arrow::uint64(),   arrow::float16(), arrow::float32(), arrow::float64(),
          arrow::decimal32(9, 2), arrow::decimal64(18, 3), arrow::decimal128(38, 4),
          arrow::decimal256(76, 5), arrow::date32(), arrow::date64(),
          arrow::time32(arrow::TimeUnit::MILLI), arrow::time64(arrow::TimeUnit::NANO),
          arrow::timestamp(arrow::TimeUnit::NANO, "UTC"), arrow::duration(arrow::TimeUnit::MICRO),
          arrow::utf8(), arrow::large_utf8(), arrow::utf8_view(), arrow::binary(),
          arrow::large_binary(), arrow::binary_view(), arrow::fixed_size_binary(2),
          arrow::dictionary(arrow::int32(), arrow::utf8()),
          arrow::dictionary(arrow::int8(), arrow::float16()),
          arrow::dictionary(arrow::uint16(), arrow::decimal64(18, 1)),
          arrow::dictionary(arrow::int16(), arrow::binary_view())};
}

}  // namespace s3c::testing
