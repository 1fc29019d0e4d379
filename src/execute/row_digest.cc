#include "execute/row_digest.h"

#include <cstring>
#include <vector>

#include <arrow/array.h>
#include <arrow/scalar.h>
#include <arrow/type.h>
#include <arrow/util/checked_cast.h>

namespace s3c {
namespace {

using arrow::internal::checked_cast;

constexpr uint64_t kRowSeed = 0x2545F4914F6CDD1DULL;
constexpr uint64_t kNull = 0x9E3779B97F4A7C15ULL;
constexpr uint64_t kSeedA = 0xA0761D6478BD642FULL;
constexpr uint64_t kSeedB = 0xE7037ED1A0B428DBULL;

uint64_t Mix(uint64_t k) {  // MurmurHash3's finaliser: a bijection with good avalanche
  k ^= k >> 33;
  k *= 0xFF51AFD7ED558CCDULL;
  k ^= k >> 33;
  k *= 0xC4CEB9FE1A85EC53ULL;
  k ^= k >> 33;
  return k;
}

// Folds one value (or column) hash into a row's hash; the order of folds matters.
uint64_t Combine(uint64_t row, uint64_t value) { return Mix(row * 0x100000001B3ULL ^ value) + 1; }

uint64_t HashBytes(const uint8_t* data, size_t size) {
  uint64_t h = Mix(size ^ 0x8EBC6AF09C88C6E3ULL);
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, 8);
    h = Mix(h ^ word) * 0x9FB21C651E98DF25ULL;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, data + i, size - i);
  return Mix(h ^ tail ^ (static_cast<uint64_t>(size - i) << 56));
}

uint64_t HashView(std::string_view v) {
  return HashBytes(reinterpret_cast<const uint8_t*>(v.data()), v.size());
}

// Every value's hash: out[i] for row i of `array` (kNull for a null). A value hashes the same
// whether it sits in a plain or a dictionary-encoded column.
arrow::Status ValueHashes(const arrow::Array& array, uint64_t* out);

template <typename ArrayType>
void BinaryHashes(const arrow::Array& array, uint64_t* out) {
  const auto& a = checked_cast<const ArrayType&>(array);
  for (int64_t i = 0; i < a.length(); ++i) out[i] = a.IsNull(i) ? kNull : HashView(a.GetView(i));
}

void FixedWidthHashes(const arrow::Array& array, int byte_width, uint64_t* out) {
  const uint8_t* values = array.data()->buffers[1]->data();
  const int64_t offset = array.offset();
  for (int64_t i = 0; i < array.length(); ++i) {
    out[i] = array.IsNull(i) ? kNull
                             : HashBytes(values + (offset + i) * byte_width,
                                         static_cast<size_t>(byte_width));
  }
}

// A list: its elements' hashes folded in order, then its length.
template <typename ListType>
arrow::Status ListHashes(const arrow::Array& array, uint64_t* out) {
  const auto& a = checked_cast<const ListType&>(array);
  const auto& values = *a.values();  // not sliced: value_offset(i) indexes it directly
  std::vector<uint64_t> element(static_cast<size_t>(values.length()));
  ARROW_RETURN_NOT_OK(ValueHashes(values, element.data()));
  for (int64_t i = 0; i < a.length(); ++i) {
    if (a.IsNull(i)) {
      out[i] = kNull;
      continue;
    }
    uint64_t h = 0x51AF1D5EULL;
    const int64_t start = a.value_offset(i);
    const int64_t length = a.value_length(i);
    for (int64_t j = start; j < start + length; ++j) h = Combine(h, element[j]);
    out[i] = Mix(h ^ static_cast<uint64_t>(length));
  }
  return arrow::Status::OK();
}

arrow::Status StructHashes(const arrow::StructArray& a, uint64_t* out) {
  const size_t n = static_cast<size_t>(a.length());
  std::vector<uint64_t> fields(n, kRowSeed), field(n);
  for (int f = 0; f < a.num_fields(); ++f) {
    ARROW_RETURN_NOT_OK(ValueHashes(*a.field(f), field.data()));  // field(f) is sliced like `a`
    for (size_t i = 0; i < n; ++i) fields[i] = Combine(fields[i], field[i]);
  }
  for (int64_t i = 0; i < a.length(); ++i) out[i] = a.IsNull(i) ? kNull : fields[i];
  return arrow::Status::OK();
}

arrow::Status DictionaryHashes(const arrow::DictionaryArray& a, uint64_t* out) {
  const auto& dictionary = *a.dictionary();
  std::vector<uint64_t> values(static_cast<size_t>(dictionary.length()));
  ARROW_RETURN_NOT_OK(ValueHashes(dictionary, values.data()));
  for (int64_t i = 0; i < a.length(); ++i) {
    out[i] = a.IsNull(i) ? kNull : values[static_cast<size_t>(a.GetValueIndex(i))];
  }
  return arrow::Status::OK();
}

// Values not covered above (unions, list views, extension types): their scalar's hash. Slow,
// but exact, and such columns are rare in tables this tool compacts.
arrow::Status ScalarHashes(const arrow::Array& array, uint64_t* out) {
  for (int64_t i = 0; i < array.length(); ++i) {
    if (array.IsNull(i)) {
      out[i] = kNull;
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(auto scalar, array.GetScalar(i));
    out[i] = Mix(scalar->hash() ^ 0x5C4A11E5ULL);
  }
  return arrow::Status::OK();
}

arrow::Status ValueHashes(const arrow::Array& array, uint64_t* out) {
  using arrow::Type;
  switch (array.type_id()) {
    case Type::NA:
      for (int64_t i = 0; i < array.length(); ++i) out[i] = kNull;
      return arrow::Status::OK();
    case Type::BOOL: {
      const auto& a = checked_cast<const arrow::BooleanArray&>(array);
      for (int64_t i = 0; i < a.length(); ++i) out[i] = a.IsNull(i) ? kNull : Mix(a.Value(i) ? 3 : 5);
      return arrow::Status::OK();
    }
    case Type::STRING:
      BinaryHashes<arrow::StringArray>(array, out);
      return arrow::Status::OK();
    case Type::BINARY:
      BinaryHashes<arrow::BinaryArray>(array, out);
      return arrow::Status::OK();
    case Type::LARGE_STRING:
      BinaryHashes<arrow::LargeStringArray>(array, out);
      return arrow::Status::OK();
    case Type::LARGE_BINARY:
      BinaryHashes<arrow::LargeBinaryArray>(array, out);
      return arrow::Status::OK();
    case Type::STRING_VIEW:
    case Type::BINARY_VIEW:
      BinaryHashes<arrow::BinaryViewArray>(array, out);
      return arrow::Status::OK();
    case Type::LIST:
      return ListHashes<arrow::ListArray>(array, out);
    case Type::LARGE_LIST:
      return ListHashes<arrow::LargeListArray>(array, out);
    case Type::MAP:
      return ListHashes<arrow::MapArray>(array, out);
    case Type::FIXED_SIZE_LIST:
      return ListHashes<arrow::FixedSizeListArray>(array, out);
    case Type::STRUCT:
      return StructHashes(checked_cast<const arrow::StructArray&>(array), out);
    case Type::DICTIONARY:
      return DictionaryHashes(checked_cast<const arrow::DictionaryArray&>(array), out);
    default:
      break;
  }
  if (arrow::is_fixed_width(array.type_id()) && array.type()->byte_width() > 0 &&
      array.data()->buffers.size() >= 2 && array.data()->buffers[1]) {
    FixedWidthHashes(array, array.type()->byte_width(), out);
    return arrow::Status::OK();
  }
  return ScalarHashes(array, out);
}

}  // namespace

arrow::Status RowDigest::RowHashes(const arrow::RecordBatch& batch, std::vector<uint64_t>* out) {
  const size_t n = static_cast<size_t>(batch.num_rows());
  std::vector<uint64_t>& hashes = *out;
  hashes.assign(n, kRowSeed);
  std::vector<uint64_t> column(n);
  for (int c = 0; c < batch.num_columns(); ++c) {
    ARROW_RETURN_NOT_OK(ValueHashes(*batch.column(c), column.data()));
    for (size_t i = 0; i < n; ++i) hashes[i] = Combine(hashes[i], column[i]);
  }
  return arrow::Status::OK();
}

arrow::Status RowDigest::Update(const arrow::RecordBatch& batch) {
  std::vector<uint64_t> hashes;
  ARROW_RETURN_NOT_OK(RowHashes(batch, &hashes));
  for (uint64_t h : hashes) {
    sum_a_ += Mix(h ^ kSeedA);
    sum_b_ += Mix(h ^ kSeedB);
  }
  rows_ += batch.num_rows();
  return arrow::Status::OK();
}

void RowDigest::Add(const RowDigest& other) {
  rows_ += other.rows_;
  sum_a_ += other.sum_a_;
  sum_b_ += other.sum_b_;
}

std::string RowDigest::ToString() const {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(sum_a_),
                static_cast<unsigned long long>(sum_b_));
  return std::to_string(rows_) + " rows, " + buf;
}

}  // namespace s3c
