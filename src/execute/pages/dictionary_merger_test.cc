// DictionaryMerger for every physical type with a dictionary encoding: input dictionaries
// written by Arrow's PLAIN encoder, overlapping; every remap points at the same bytes; the
// merged dictionary has each value once, in first-seen order, and reads back with Arrow.

#include "execute/pages/dictionary_merger.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <parquet/encoding.h>

namespace s3c::pages {
namespace {

using parquet::Repetition;
using parquet::Type;

template <typename DType>
std::shared_ptr<parquet::DictionaryPage> PlainPage(const parquet::ColumnDescriptor* descr,
                                                   const std::vector<typename DType::c_type>& values,
                                                   parquet::Encoding::type encoding =
                                                       parquet::Encoding::PLAIN) {
  auto encoder = parquet::MakeTypedEncoder<DType>(parquet::Encoding::PLAIN, false, descr);
  if (!values.empty()) encoder->Put(values.data(), static_cast<int>(values.size()));
  return std::make_shared<parquet::DictionaryPage>(encoder->FlushValues(),
                                                   static_cast<int32_t>(values.size()), encoding);
}

template <typename DType>
std::vector<typename DType::c_type> DecodePlain(const parquet::ColumnDescriptor* descr,
                                                const arrow::Buffer& buffer, int n) {
  std::vector<typename DType::c_type> out(static_cast<size_t>(n));
  auto decoder = parquet::MakeTypedDecoder<DType>(parquet::Encoding::PLAIN, descr);
  decoder->SetData(n, buffer.data(), static_cast<int>(buffer.size()));
  EXPECT_EQ(decoder->Decode(out.data(), n), n);
  return out;
}

std::string BytesOf(const parquet::ByteArray& v, int) {
  return std::string(reinterpret_cast<const char*>(v.ptr), v.len);
}
std::string BytesOf(const parquet::FixedLenByteArray& v, int width) {
  return std::string(reinterpret_cast<const char*>(v.ptr), static_cast<size_t>(width));
}
template <typename T>
std::string BytesOf(const T& v, int) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof(T));
}

// Merges the dictionaries and checks everything the contract says.
template <typename DType>
void CheckMerge(const parquet::ColumnDescriptor* descr,
                const std::vector<std::vector<typename DType::c_type>>& dictionaries) {
  const int width = descr->type_length();
  auto merger = DictionaryMerger::Make(descr).ValueOrDie();
  std::vector<std::string> expected;  // distinct values in first-seen order
  std::vector<std::vector<int32_t>> remaps;
  for (const auto& dictionary : dictionaries) {
    remaps.push_back(merger->Add(*PlainPage<DType>(descr, dictionary)).ValueOrDie());
    for (const auto& v : dictionary) {
      if (std::find(expected.begin(), expected.end(), BytesOf(v, width)) == expected.end()) {
        expected.push_back(BytesOf(v, width));
      }
    }
  }
  ASSERT_EQ(merger->size(), static_cast<int32_t>(expected.size()));
  auto encoded = merger->EncodePlain();
  EXPECT_EQ(merger->plain_bytes(), encoded->size());
  auto merged = DecodePlain<DType>(descr, *encoded, merger->size());
  std::vector<std::string> got;
  for (const auto& v : merged) got.push_back(BytesOf(v, width));
  EXPECT_EQ(got, expected);
  for (size_t d = 0; d < dictionaries.size(); ++d) {
    ASSERT_EQ(remaps[d].size(), dictionaries[d].size());
    for (size_t i = 0; i < dictionaries[d].size(); ++i) {
      EXPECT_EQ(got[static_cast<size_t>(remaps[d][i])], BytesOf(dictionaries[d][i], width))
          << "dictionary " << d << " index " << i;
    }
  }
}

parquet::ColumnDescriptor Column(Type::type type, int length = -1) {
  static std::vector<parquet::schema::NodePtr> keep;
  keep.push_back(parquet::schema::PrimitiveNode::Make(
      "c", Repetition::OPTIONAL, type, parquet::ConvertedType::NONE, length));
  return parquet::ColumnDescriptor(keep.back(), 1, 0);
}

TEST(DictionaryMerger, Int32AndInt64WithOverlapsAndManyValues) {
  auto c32 = Column(Type::INT32);
  CheckMerge<parquet::Int32Type>(&c32, {{1, 2, 3}, {3, 4, 1}, {}, {7}, {2, 2 << 30, -1}});
  std::vector<std::vector<int32_t>> many;
  std::mt19937 rng(3);
  for (int d = 0; d < 40; ++d) {
    std::vector<int32_t> dict;
    for (int i = 0; i < 500; ++i) dict.push_back(static_cast<int32_t>(rng() % 5000));
    std::sort(dict.begin(), dict.end());
    dict.erase(std::unique(dict.begin(), dict.end()), dict.end());
    std::shuffle(dict.begin(), dict.end(), rng);
    many.push_back(dict);
  }
  CheckMerge<parquet::Int32Type>(&c32, many);  // many pushes: keys must survive growth
  auto c64 = Column(Type::INT64);
  CheckMerge<parquet::Int64Type>(&c64, {{std::numeric_limits<int64_t>::min(), 0},
                                        {0, std::numeric_limits<int64_t>::max()}});
}

TEST(DictionaryMerger, FloatsAreComparedByTheirBits) {
  auto c = Column(Type::DOUBLE);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  double other_nan;
  uint64_t bits;
  std::memcpy(&bits, &nan, 8);
  bits ^= 1;  // another payload
  std::memcpy(&other_nan, &bits, 8);
  CheckMerge<parquet::DoubleType>(&c, {{0.0, -0.0, nan}, {nan, other_nan, 1.5, -0.0}});
  auto merger = DictionaryMerger::Make(&c).ValueOrDie();
  (void)merger->Add(*PlainPage<parquet::DoubleType>(&c, {0.0, -0.0, nan, other_nan})).ValueOrDie();
  EXPECT_EQ(merger->size(), 4);
  auto f = Column(Type::FLOAT);
  CheckMerge<parquet::FloatType>(&f, {{1.0f, -0.0f}, {0.0f, 1.0f}});
}

TEST(DictionaryMerger, ByteArraysFixedLengthAndInt96) {
  auto s = Column(Type::BYTE_ARRAY);
  std::vector<std::string> words = {"", "a", "b", std::string(1000, 'x'), std::string("\0z", 2)};
  auto ba = [&](std::initializer_list<int> picks) {
    std::vector<parquet::ByteArray> out;
    for (int p : picks) out.emplace_back(static_cast<uint32_t>(words[static_cast<size_t>(p)].size()),
                                         reinterpret_cast<const uint8_t*>(words[static_cast<size_t>(p)].data()));
    return out;
  };
  CheckMerge<parquet::ByteArrayType>(&s, {ba({0, 1, 2}), ba({2, 3, 4, 0}), ba({4})});
  // Many strings in many chunks of the arena, inputs freed after each Add.
  auto merger = DictionaryMerger::Make(&s).ValueOrDie();
  for (int d = 0; d < 20; ++d) {
    std::vector<std::string> owned;
    for (int i = 0; i < 2000; ++i) owned.push_back("value-" + std::to_string((d * 1000 + i) % 30000));
    std::vector<parquet::ByteArray> dict;
    for (auto& w : owned) dict.emplace_back(static_cast<uint32_t>(w.size()), reinterpret_cast<const uint8_t*>(w.data()));
    (void)merger->Add(*PlainPage<parquet::ByteArrayType>(&s, dict)).ValueOrDie();
  }
  EXPECT_EQ(merger->size(), 21000);
  auto plain = merger->EncodePlain();  // the decoded values point into it
  auto back = DecodePlain<parquet::ByteArrayType>(&s, *plain, merger->size());
  EXPECT_EQ(BytesOf(back[0], 0), "value-0");
  EXPECT_EQ(BytesOf(back.back(), 0), "value-20999");
  merger->Reset();
  EXPECT_EQ(merger->size(), 0);
  EXPECT_EQ(merger->plain_bytes(), 0);

  auto fixed = Column(Type::FIXED_LEN_BYTE_ARRAY, 3);
  const uint8_t abc[] = "abc", abd[] = "abd";
  CheckMerge<parquet::FLBAType>(&fixed, {{parquet::FixedLenByteArray(abc)},
                                         {parquet::FixedLenByteArray(abd), parquet::FixedLenByteArray(abc)}});
  auto i96 = Column(Type::INT96);
  parquet::Int96 a{{1, 2, 3}}, b{{1, 2, 4}};
  CheckMerge<parquet::Int96Type>(&i96, {{a, b}, {b, a, a}});
}

TEST(DictionaryMerger, RefusesWhatIsNotAPlainDictionaryAndStaysUnchanged) {
  auto c = Column(Type::INT32);
  auto merger = DictionaryMerger::Make(&c).ValueOrDie();
  (void)merger->Add(*PlainPage<parquet::Int32Type>(&c, {5})).ValueOrDie();
  auto rle = PlainPage<parquet::Int32Type>(&c, {1, 2}, parquet::Encoding::RLE);
  EXPECT_FALSE(merger->Add(*rle).ok());
  // A header that claims more values than the page holds.
  auto short_page = std::make_shared<parquet::DictionaryPage>(
      PlainPage<parquet::Int32Type>(&c, {1, 2})->buffer(), 3, parquet::Encoding::PLAIN);
  EXPECT_FALSE(merger->Add(*short_page).ok());
  EXPECT_EQ(merger->size(), 1);
  auto b = Column(Type::BOOLEAN);
  EXPECT_FALSE(DictionaryMerger::Make(&b).ok());
  // A byte array whose length runs past the page.
  auto s = Column(Type::BYTE_ARRAY);
  auto strings = DictionaryMerger::Make(&s).ValueOrDie();
  const uint8_t bad[] = {0xFF, 0xFF, 0x00, 0x00, 'a'};
  auto page = std::make_shared<parquet::DictionaryPage>(
      std::make_shared<arrow::Buffer>(bad, sizeof bad), 1, parquet::Encoding::PLAIN);
  EXPECT_FALSE(strings->Add(*page).ok());
  EXPECT_EQ(strings->size(), 0);
}

}  // namespace
}  // namespace s3c::pages
