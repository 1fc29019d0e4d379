#include "execute/sort/row_comparator.h"

#include <cmath>
#include <type_traits>

#include <arrow/util/decimal.h>

namespace s3c {
namespace {

template <typename ArrayType>
auto ValueAt(const ArrayType& array, int64_t i) {
  if constexpr (std::is_same_v<ArrayType, arrow::Decimal128Array>) {
    return arrow::Decimal128(array.GetValue(i));
  } else if constexpr (std::is_same_v<ArrayType, arrow::Decimal256Array>) {
    return arrow::Decimal256(array.GetValue(i));
  } else {
    return array.GetView(i);
  }
}

template <typename ArrayType>
class TypedKeyComparator final : public RowComparator::KeyComparator {
 public:
  TypedKeyComparator(bool descending, bool nulls_first)
      : descending_(descending), nulls_first_(nulls_first) {}

  int Compare(const arrow::Array& a_array, int64_t i, const arrow::Array& b_array,
              int64_t j) const override {
    const auto& a = static_cast<const ArrayType&>(a_array);
    const auto& b = static_cast<const ArrayType&>(b_array);
    const bool a_null = a.IsNull(i);
    const bool b_null = b.IsNull(j);
    if (a_null || b_null) {
      if (a_null && b_null) return 0;
      return Placed(a_null);
    }
    const auto x = ValueAt(a, i);
    const auto y = ValueAt(b, j);
    if constexpr (std::is_floating_point_v<std::decay_t<decltype(x)>>) {
      const bool x_nan = std::isnan(x);
      const bool y_nan = std::isnan(y);
      if (x_nan || y_nan) {
        if (x_nan && y_nan) return 0;
        return Placed(x_nan);
      }
    }
    const int c = x < y ? -1 : (y < x ? 1 : 0);
    return descending_ ? -c : c;
  }

 private:
  // Where a null (or NaN) goes against a value: first or last whatever the direction.
  // `a_is_special` says which side is the null.
  int Placed(bool a_is_special) const {
    const int c = nulls_first_ ? -1 : 1;
    return a_is_special ? c : -c;
  }

  const bool descending_;
  const bool nulls_first_;
};

template <typename ArrayType>
std::shared_ptr<const RowComparator::KeyComparator> For(const ResolvedSortKey& key) {
  return std::make_shared<TypedKeyComparator<ArrayType>>(key.descending, key.nulls_first);
}

arrow::Result<std::shared_ptr<const RowComparator::KeyComparator>> ComparatorFor(
    const ResolvedSortKey& key, const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::BOOL: return For<arrow::BooleanArray>(key);
    case arrow::Type::INT8: return For<arrow::Int8Array>(key);
    case arrow::Type::INT16: return For<arrow::Int16Array>(key);
    case arrow::Type::INT32: return For<arrow::Int32Array>(key);
    case arrow::Type::INT64: return For<arrow::Int64Array>(key);
    case arrow::Type::UINT8: return For<arrow::UInt8Array>(key);
    case arrow::Type::UINT16: return For<arrow::UInt16Array>(key);
    case arrow::Type::UINT32: return For<arrow::UInt32Array>(key);
    case arrow::Type::UINT64: return For<arrow::UInt64Array>(key);
    case arrow::Type::FLOAT: return For<arrow::FloatArray>(key);
    case arrow::Type::DOUBLE: return For<arrow::DoubleArray>(key);
    case arrow::Type::DECIMAL128: return For<arrow::Decimal128Array>(key);
    case arrow::Type::DECIMAL256: return For<arrow::Decimal256Array>(key);
    case arrow::Type::DATE32: return For<arrow::Date32Array>(key);
    case arrow::Type::DATE64: return For<arrow::Date64Array>(key);
    case arrow::Type::TIME32: return For<arrow::Time32Array>(key);
    case arrow::Type::TIME64: return For<arrow::Time64Array>(key);
    case arrow::Type::TIMESTAMP: return For<arrow::TimestampArray>(key);
    case arrow::Type::DURATION: return For<arrow::DurationArray>(key);
    case arrow::Type::STRING: return For<arrow::StringArray>(key);
    case arrow::Type::LARGE_STRING: return For<arrow::LargeStringArray>(key);
    case arrow::Type::BINARY: return For<arrow::BinaryArray>(key);
    case arrow::Type::LARGE_BINARY: return For<arrow::LargeBinaryArray>(key);
    case arrow::Type::FIXED_SIZE_BINARY: return For<arrow::FixedSizeBinaryArray>(key);
    default:
      return arrow::Status::Invalid("sort key ", key.DisplayName(), ": cannot compare values of type ",
                                    type.ToString());
  }
}

}  // namespace

arrow::Result<RowComparator> RowComparator::Make(
    const ResolvedSort& sort, const std::vector<std::shared_ptr<arrow::DataType>>& key_types) {
  if (key_types.size() != sort.keys().size()) {
    return arrow::Status::Invalid("RowComparator: ", key_types.size(), " key types for ",
                                  sort.keys().size(), " keys");
  }
  std::vector<std::shared_ptr<const KeyComparator>> keys;
  for (size_t k = 0; k < key_types.size(); ++k) {
    ARROW_ASSIGN_OR_RAISE(auto comparator, ComparatorFor(sort.keys()[k], *key_types[k]));
    keys.push_back(std::move(comparator));
  }
  return RowComparator(std::move(keys));
}

}  // namespace s3c
