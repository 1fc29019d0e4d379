#pragma once
// VisitPhysicalType: calls visitor.template operator()<DType>() with the parquet::PhysicalType
// of `type` (parquet::Int32Type for INT32, and so on), so that code written once per type is
// picked by a column's physical type in one place. A visitor that does not take some types
// says so with `if constexpr` on DType.

#include <parquet/types.h>

namespace s3c::pages {

template <typename Visitor>
decltype(auto) VisitPhysicalType(parquet::Type::type type, Visitor&& visitor) {
  switch (type) {
    case parquet::Type::BOOLEAN: return visitor.template operator()<parquet::BooleanType>();
    case parquet::Type::INT32: return visitor.template operator()<parquet::Int32Type>();
    case parquet::Type::INT64: return visitor.template operator()<parquet::Int64Type>();
    case parquet::Type::INT96: return visitor.template operator()<parquet::Int96Type>();
    case parquet::Type::FLOAT: return visitor.template operator()<parquet::FloatType>();
    case parquet::Type::DOUBLE: return visitor.template operator()<parquet::DoubleType>();
    case parquet::Type::BYTE_ARRAY: return visitor.template operator()<parquet::ByteArrayType>();
    default: return visitor.template operator()<parquet::FLBAType>();  // FIXED_LEN_BYTE_ARRAY
  }
}

}  // namespace s3c::pages
