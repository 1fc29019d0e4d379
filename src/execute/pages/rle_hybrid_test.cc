// RleHybridDecoder and RleHybridEncoder: round trips at every bit width over run shapes that
// cross every boundary (runs of 1 to 20 around the 8-value groups), and cross-checks with
// Arrow's own codec (DictEncoder writes indices that we decode; DictDecoder reads ours).

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <arrow/array/builder_primitive.h>
#include <arrow/memory_pool.h>
#include <gtest/gtest.h>
#include <parquet/encoding.h>
#include <parquet/schema.h>

#include "execute/pages/rle_hybrid_decoder.h"
#include "execute/pages/rle_hybrid_encoder.h"

namespace s3c::pages {
namespace {

std::vector<int32_t> Decode(const std::string& bytes, int bit_width, int64_t count) {
  RleHybridDecoder decoder(reinterpret_cast<const uint8_t*>(bytes.data()),
                           static_cast<int64_t>(bytes.size()), bit_width);
  std::vector<int32_t> out(static_cast<size_t>(count) + 8, -1);
  auto n = decoder.Decode(out.data(), count);
  EXPECT_TRUE(n.ok()) << n.status();
  out.resize(static_cast<size_t>(n.ValueOr(0)));
  return out;
}

// Runs of the given lengths, values cycling through [0, 2^bit_width).
std::vector<int32_t> Runs(const std::vector<int>& lengths, int bit_width, std::mt19937& rng) {
  const uint64_t limit = bit_width == 32 ? (1ull << 31) : (1ull << bit_width);
  std::uniform_int_distribution<uint64_t> pick(0, limit - 1);
  std::vector<int32_t> values;
  int32_t previous = -1;
  for (int length : lengths) {
    int32_t v = static_cast<int32_t>(pick(rng));
    if (limit > 1) {
      while (v == previous) v = static_cast<int32_t>(pick(rng));
    }
    values.insert(values.end(), length, v);
    previous = v;
  }
  return values;
}

TEST(RleHybrid, BitWidth) {
  EXPECT_EQ(RleHybridEncoder::BitWidth(0), 0);
  EXPECT_EQ(RleHybridEncoder::BitWidth(1), 1);
  EXPECT_EQ(RleHybridEncoder::BitWidth(2), 2);
  EXPECT_EQ(RleHybridEncoder::BitWidth(255), 8);
  EXPECT_EQ(RleHybridEncoder::BitWidth(256), 9);
  EXPECT_EQ(RleHybridEncoder::BitWidth(0xFFFFFFFFu), 32);
}

TEST(RleHybrid, RoundTripsEveryBitWidthAndRunShape) {
  std::mt19937 rng(20261130);
  for (int bit_width = 0; bit_width <= 32; ++bit_width) {
    // Every pair of run lengths 1..20 (crossing the 8-value groups and the 8-repeat rule),
    // then random mixtures of short and long runs.
    for (int a = 1; a <= 20; ++a) {
      for (int b = 1; b <= 20; ++b) {
        for (int c : {1, 7, 8, 9, 30}) {
          auto values = Runs({a, b, c}, bit_width, rng);
          std::string bytes;
          RleHybridEncoder::Encode(values.data(), static_cast<int64_t>(values.size()), bit_width,
                                   &bytes);
          ASSERT_EQ(Decode(bytes, bit_width, static_cast<int64_t>(values.size())), values)
              << "bit width " << bit_width << " runs " << a << "," << b << "," << c;
        }
      }
    }
    std::uniform_int_distribution<int> length(1, 40);
    for (int round = 0; round < 50; ++round) {
      std::vector<int> lengths(static_cast<size_t>(length(rng)));
      for (auto& l : lengths) l = length(rng) > 30 ? length(rng) * 10 : length(rng) % 9 + 1;
      auto values = Runs(lengths, bit_width, rng);
      std::string bytes;
      RleHybridEncoder::Encode(values.data(), static_cast<int64_t>(values.size()), bit_width,
                               &bytes);
      ASSERT_EQ(Decode(bytes, bit_width, static_cast<int64_t>(values.size())), values)
          << "bit width " << bit_width << " round " << round;
    }
  }
}

TEST(RleHybrid, LongRunsAreRleAndShortOnesPacked) {
  std::vector<int32_t> same(1000, 5);
  std::string bytes;
  RleHybridEncoder::Encode(same.data(), 1000, 3, &bytes);
  EXPECT_EQ(bytes, std::string("\xD0\x0F\x05", 3));  // varint(1000 << 1), one value byte
  std::vector<int32_t> ramp = {0, 1, 2, 3, 4, 5, 6, 7};
  bytes.clear();
  RleHybridEncoder::Encode(ramp.data(), 8, 3, &bytes);
  // One group, the spec's own example: 0..7 at 3 bits is 10001000 11000110 11111010.
  EXPECT_EQ(bytes, std::string("\x03\x88\xC6\xFA", 4));
}

TEST(RleHybrid, MalformedInputIsAnErrorNeverARead) {
  auto decode = [](const std::string& bytes, int bit_width, int64_t count) {
    RleHybridDecoder decoder(reinterpret_cast<const uint8_t*>(bytes.data()),
                             static_cast<int64_t>(bytes.size()), bit_width);
    std::vector<int32_t> out(static_cast<size_t>(count));
    return decoder.Decode(out.data(), count);
  };
  EXPECT_EQ(decode("", 3, 5).ValueOrDie(), 0);                         // no data: no values
  EXPECT_FALSE(decode(std::string("\x80\x80\x80\x80\x80\x01", 6), 3, 5).ok());  // varint > 5 bytes
  EXPECT_FALSE(decode(std::string("\x00\x01", 2), 3, 5).ok());         // an RLE run of 0
  EXPECT_FALSE(decode(std::string("\x10", 1), 9, 5).ok());              // RLE value missing
  EXPECT_FALSE(decode(std::string("\x10\x09", 2), 3, 5).ok());          // value wider than 3 bits
  EXPECT_FALSE(decode(std::string("\x03", 1), 3, 5).ok());              // packed run, no bytes
  // A bit-packed run cut short yields what is there: 2 bytes at 3 bits hold 5 values.
  EXPECT_EQ(decode(std::string("\x03\x88\xC6", 3), 3, 8).ValueOrDie(), 5);
  EXPECT_FALSE(decode("x", 33, 1).ok());                                // bit width over 32
  RleHybridDecoder levels(reinterpret_cast<const uint8_t*>("\x0A\x01"), 2, 1);  // 5 x 1
  EXPECT_EQ(levels.CountEqual(1, 5).ValueOrDie(), 5);
  RleHybridDecoder short_levels(reinterpret_cast<const uint8_t*>("\x0A\x01"), 2, 1);
  EXPECT_FALSE(short_levels.CountEqual(1, 6).ok());
}

// Arrow's DictEncoder for int32 values 0..k-1 that first appear in increasing order: its
// dictionary index of each value is the value itself, so its indices are the values.
std::vector<int32_t> ArrowIndicesFor(int k, int64_t n, std::mt19937& rng) {
  std::vector<int32_t> values;
  for (int i = 0; i < k; ++i) values.push_back(i);
  std::uniform_int_distribution<int> pick(0, k - 1), repeat(1, 12);
  while (static_cast<int64_t>(values.size()) < n) {
    const int v = pick(rng);
    values.insert(values.end(), static_cast<size_t>(repeat(rng)), v);
  }
  return values;
}

TEST(RleHybrid, AgreesWithArrowsDictionaryCodecBothWays) {
  using parquet::Int32Type;
  auto node = parquet::schema::PrimitiveNode::Make("c", parquet::Repetition::REQUIRED,
                                                   parquet::Type::INT32);
  parquet::ColumnDescriptor descr(node, 0, 0);
  std::mt19937 rng(7);
  for (int k : {1, 2, 3, 7, 8, 9, 100, 255, 256, 257, 5000, 70000}) {
    auto values = ArrowIndicesFor(k, 20000, rng);
    const int n = static_cast<int>(values.size());

    // Arrow writes, we read.
    auto encoder = parquet::MakeTypedEncoder<Int32Type>(parquet::Encoding::PLAIN, true, &descr);
    auto* dict = dynamic_cast<parquet::DictEncoder<Int32Type>*>(encoder.get());
    ASSERT_NE(dict, nullptr);
    encoder->Put(values.data(), n);
    std::string arrow_bytes(static_cast<size_t>(dict->EstimatedDataEncodedSize()), '\0');
    const int written = dict->WriteIndices(reinterpret_cast<uint8_t*>(arrow_bytes.data()),
                                           static_cast<int>(arrow_bytes.size()));
    ASSERT_GT(written, 0);
    arrow_bytes.resize(static_cast<size_t>(written));
    const int width = static_cast<uint8_t>(arrow_bytes[0]);
    EXPECT_EQ(width, dict->bit_width());
    EXPECT_EQ(Decode(arrow_bytes.substr(1), width, n), values) << "k=" << k;

    // We write, Arrow reads: a PLAIN dictionary 0..k-1, our indices after the width byte.
    std::vector<int32_t> dictionary(static_cast<size_t>(k));
    for (int i = 0; i < k; ++i) dictionary[static_cast<size_t>(i)] = i;
    auto plain = parquet::MakeTypedDecoder<Int32Type>(parquet::Encoding::PLAIN, &descr);
    plain->SetData(k, reinterpret_cast<const uint8_t*>(dictionary.data()),
                   k * static_cast<int>(sizeof(int32_t)));
    auto decoder = parquet::MakeDictDecoder<Int32Type>(&descr);
    decoder->SetDict(plain.get());
    const int our_width = RleHybridEncoder::BitWidth(static_cast<uint32_t>(k - 1));
    std::string ours(1, static_cast<char>(our_width));
    RleHybridEncoder::Encode(values.data(), n, our_width, &ours);
    decoder->SetData(n, reinterpret_cast<const uint8_t*>(ours.data()),
                     static_cast<int>(ours.size()));
    std::vector<int32_t> read(static_cast<size_t>(n));
    ASSERT_EQ(decoder->Decode(read.data(), n), n) << "k=" << k;
    EXPECT_EQ(read, values) << "k=" << k;
    // And no bigger than Arrow's own (both use the same run rules).
    EXPECT_LE(ours.size(), arrow_bytes.size() + arrow_bytes.size() / 50 + 8) << "k=" << k;
  }
}

}  // namespace
}  // namespace s3c::pages
