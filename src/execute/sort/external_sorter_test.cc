#include "execute/sort/external_sorter.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <thread>

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/util/byte_size.h>
#include <arrow/util/float16.h>
#include <gtest/gtest.h>

#include "execute/sort/sort_key_columns.h"
#include "execute/sort/sort_spec.h"
#include "execute/sort/spill_directory.h"
#include "execute/sort/sort_storage.h"
#include "util/test_util.h"
#include "util/testing/temp_dir.h"
#include "util/testing/sort_key_types.h"

namespace s3c {
namespace {

namespace fs = std::filesystem;
using Random = std::mt19937_64;

// The oracle and the generators use compute functions before any sorter registers them.
const bool kComputeRegistered = arrow::compute::Initialize().ok();

// ---------------------------------------------------------------------------------------------
// Random data: small domains (many duplicates), nulls, and each type's awkward values.

template <typename T>
T Pick(Random& random, const std::vector<T>& values) {
  return values[random() % values.size()];
}

std::string RandomBytes(Random& random, const std::vector<std::string>& alphabet, int max_length) {
  std::string out;
  const int length = static_cast<int>(random() % (max_length + 1));
  for (int i = 0; i < length; ++i) out += Pick(random, alphabet);
  return out;
}

template <typename Builder, typename MakeValue>
std::shared_ptr<arrow::Array> Build(std::unique_ptr<arrow::ArrayBuilder> base, int64_t rows,
                                    Random& random, double null_fraction, MakeValue make) {
  auto& builder = static_cast<Builder&>(*base);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int64_t i = 0; i < rows; ++i) {
    if (unit(random) < null_fraction) {
      EXPECT_TRUE(builder.AppendNull().ok());
    } else {
      EXPECT_TRUE(builder.Append(make()).ok());
    }
  }
  return builder.Finish().ValueOrDie();
}

template <typename ArrowType>
std::shared_ptr<arrow::Array> RandomIntegers(std::unique_ptr<arrow::ArrayBuilder> builder,
                                             int64_t rows, Random& random, double nulls, int domain) {
  using C = typename ArrowType::c_type;
  return Build<arrow::NumericBuilder<ArrowType>>(std::move(builder), rows, random, nulls, [&]() -> C {
    if (random() % 50 == 0) return random() % 2 ? std::numeric_limits<C>::min() : std::numeric_limits<C>::max();
    const int64_t v = static_cast<int64_t>(random() % domain) - (std::is_signed_v<C> ? domain / 2 : 0);
    return static_cast<C>(v);
  });
}

std::vector<double> Specials() {
  const double inf = std::numeric_limits<double>::infinity();
  return {std::nan(""), -std::nan(""), -0.0, 0.0, inf, -inf, 1.5, -1.5};
}

template <typename Builder, typename Decimal>
std::shared_ptr<arrow::Array> RandomDecimals(std::unique_ptr<arrow::ArrayBuilder> builder, int64_t rows,
                                             Random& random, double nulls, int domain, int64_t limit) {
  return Build<Builder>(std::move(builder), rows, random, nulls, [&]() {
    if (random() % 20 == 0) return Decimal(random() % 2 ? limit : -limit);
    return Decimal(static_cast<int64_t>(random() % domain) - domain / 2);
  });
}

std::shared_ptr<arrow::Array> RandomArray(const std::shared_ptr<arrow::DataType>& type, int64_t rows,
                                          Random& random, double nulls, int domain,
                                          arrow::MemoryPool* pool = arrow::default_memory_pool()) {
  std::unique_ptr<arrow::ArrayBuilder> builder;
  if (type->id() != arrow::Type::DICTIONARY) {
    builder = arrow::MakeBuilder(type, pool).ValueOrDie();
  }
  const std::vector<std::string> text = {"a", "b", "é", "\x01", "z", "ab"};
  const std::vector<std::string> bytes = {std::string(1, '\0'), "\x01", "\x7f", "\x80", "\xff"};
  switch (type->id()) {
    case arrow::Type::BOOL:
      return Build<arrow::BooleanBuilder>(std::move(builder), rows, random, nulls,
                                          [&] { return random() % 2 == 0; });
    case arrow::Type::INT8: return RandomIntegers<arrow::Int8Type>(std::move(builder), rows, random, nulls, domain);
    case arrow::Type::INT16: return RandomIntegers<arrow::Int16Type>(std::move(builder), rows, random, nulls, domain);
    case arrow::Type::INT32: return RandomIntegers<arrow::Int32Type>(std::move(builder), rows, random, nulls, domain);
    case arrow::Type::INT64: return RandomIntegers<arrow::Int64Type>(std::move(builder), rows, random, nulls, domain);
    case arrow::Type::UINT8: return RandomIntegers<arrow::UInt8Type>(std::move(builder), rows, random, nulls, domain);
    case arrow::Type::UINT16: return RandomIntegers<arrow::UInt16Type>(std::move(builder), rows, random, nulls, domain);
    case arrow::Type::UINT32: return RandomIntegers<arrow::UInt32Type>(std::move(builder), rows, random, nulls, domain);
    case arrow::Type::UINT64: return RandomIntegers<arrow::UInt64Type>(std::move(builder), rows, random, nulls, domain);
    case arrow::Type::HALF_FLOAT:
      return Build<arrow::HalfFloatBuilder>(std::move(builder), rows, random, nulls, [&] {
        const double v = random() % 3 == 0 ? Pick(random, Specials())
                                           : (static_cast<double>(random() % domain) - domain / 2) / 4;
        return arrow::util::Float16(static_cast<float>(v)).bits();
      });
    case arrow::Type::FLOAT:
      return Build<arrow::FloatBuilder>(std::move(builder), rows, random, nulls, [&] {
        const double v = random() % 3 == 0 ? Pick(random, Specials())
                                           : (static_cast<double>(random() % domain) - domain / 2) / 4;
        return static_cast<float>(v);
      });
    case arrow::Type::DOUBLE:
      return Build<arrow::DoubleBuilder>(std::move(builder), rows, random, nulls, [&] {
        return random() % 3 == 0 ? Pick(random, Specials())
                                 : (static_cast<double>(random() % domain) - domain / 2) / 4;
      });
    case arrow::Type::DECIMAL32:
      return Build<arrow::Decimal32Builder>(std::move(builder), rows, random, nulls, [&] {
        return arrow::Decimal32(static_cast<int32_t>(random() % 20 == 0 ? (random() % 2 ? 999999999 : -999999999)
                                                                        : static_cast<int64_t>(random() % domain) - domain / 2));
      });
    case arrow::Type::DECIMAL64:
      return RandomDecimals<arrow::Decimal64Builder, arrow::Decimal64>(std::move(builder), rows, random, nulls,
                                                                       domain, 999999999999999999);
    case arrow::Type::DECIMAL128:
      return RandomDecimals<arrow::Decimal128Builder, arrow::Decimal128>(std::move(builder), rows, random,
                                                                         nulls, domain, int64_t{1} << 62);
    case arrow::Type::DECIMAL256:
      return RandomDecimals<arrow::Decimal256Builder, arrow::Decimal256>(std::move(builder), rows, random,
                                                                         nulls, domain, int64_t{1} << 62);
    case arrow::Type::DATE32:
      return RandomIntegers<arrow::Date32Type>(std::move(builder), rows, random, nulls, domain);
    case arrow::Type::DATE64:
      return Build<arrow::Date64Builder>(std::move(builder), rows, random, nulls, [&] {
        return (static_cast<int64_t>(random() % domain) - domain / 2) * 86400000;
      });
    case arrow::Type::TIME32:
      return Build<arrow::Time32Builder>(std::move(builder), rows, random, nulls,
                                         [&] { return static_cast<int32_t>(random() % domain) * 1000; });
    case arrow::Type::TIME64:
      return Build<arrow::Time64Builder>(std::move(builder), rows, random, nulls,
                                         [&] { return static_cast<int64_t>(random() % domain) * 1000; });
    case arrow::Type::TIMESTAMP:
      return RandomIntegers<arrow::TimestampType>(std::move(builder), rows, random, nulls, domain);
    case arrow::Type::DURATION:
      return RandomIntegers<arrow::DurationType>(std::move(builder), rows, random, nulls, domain);
    case arrow::Type::STRING:
      return Build<arrow::StringBuilder>(std::move(builder), rows, random, nulls,
                                         [&] { return RandomBytes(random, text, domain > 8 ? 3 : 2); });
    case arrow::Type::LARGE_STRING:
      return Build<arrow::LargeStringBuilder>(std::move(builder), rows, random, nulls,
                                              [&] { return RandomBytes(random, text, 3); });
    case arrow::Type::STRING_VIEW:
      return Build<arrow::StringViewBuilder>(std::move(builder), rows, random, nulls, [&] {
        // Past 12 bytes a view keeps its bytes out of line.
        return std::string(random() % 2 ? 13 : 0, 'q') + RandomBytes(random, text, 3);
      });
    case arrow::Type::BINARY:
      return Build<arrow::BinaryBuilder>(std::move(builder), rows, random, nulls,
                                         [&] { return RandomBytes(random, bytes, 3); });
    case arrow::Type::LARGE_BINARY:
      return Build<arrow::LargeBinaryBuilder>(std::move(builder), rows, random, nulls,
                                              [&] { return RandomBytes(random, bytes, 3); });
    case arrow::Type::BINARY_VIEW:
      return Build<arrow::BinaryViewBuilder>(std::move(builder), rows, random, nulls, [&] {
        return std::string(random() % 2 ? 14 : 1, '\x80') + RandomBytes(random, bytes, 3);
      });
    case arrow::Type::FIXED_SIZE_BINARY: {
      const int width = static_cast<const arrow::FixedSizeBinaryType&>(*type).byte_width();
      return Build<arrow::FixedSizeBinaryBuilder>(std::move(builder), rows, random, nulls, [&] {
        std::string value;
        for (int i = 0; i < width; ++i) value += Pick(random, bytes);
        return value;
      });
    }
    case arrow::Type::DICTIONARY: {
      // Every batch its own dictionary: unsorted, with duplicates and a null now and then.
      const auto& dictionary_type = static_cast<const arrow::DictionaryType&>(*type);
      const int64_t size = 1 + static_cast<int64_t>(random() % 8);
      auto dictionary = RandomArray(dictionary_type.value_type(), size, random, 0.1, domain, pool);
      arrow::Int64Builder index_builder(pool);
      std::uniform_real_distribution<double> unit(0, 1);
      for (int64_t i = 0; i < rows; ++i) {
        const arrow::Status st = unit(random) < nulls
                                     ? index_builder.AppendNull()
                                     : index_builder.Append(static_cast<int64_t>(random() % size));
        EXPECT_TRUE(st.ok()) << st.ToString();
      }
      arrow::compute::ExecContext context(pool);
      auto indices = arrow::compute::Cast(*index_builder.Finish().ValueOrDie(), dictionary_type.index_type(),
                                          arrow::compute::CastOptions::Safe(), &context)
                         .ValueOrDie();
      return arrow::DictionaryArray::FromArrays(type, indices, dictionary).ValueOrDie();
    }
    default:
      ADD_FAILURE() << "no generator for " << type->ToString();
      return nullptr;
  }
}

std::vector<std::shared_ptr<arrow::DataType>> AllowedTypes() { return testing::SortKeyTypes(); }

// ---------------------------------------------------------------------------------------------
// Inputs: key columns k0.. (one may sit in a struct), a payload, and "seq", each row's place in
// the input, which makes order and stability checkable at once.

struct Input {
  std::shared_ptr<arrow::Schema> schema;
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
};

Input MakeInput(const std::vector<std::shared_ptr<arrow::DataType>>& key_types, bool nest_first_key,
                int batches, int max_rows, Random& random, int domain, double nulls = 0.15,
                arrow::MemoryPool* pool = arrow::default_memory_pool()) {
  arrow::FieldVector fields;
  for (size_t k = 0; k < key_types.size(); ++k) {
    auto field = arrow::field("k" + std::to_string(k), key_types[k]);
    if (k == 0 && nest_first_key) field = arrow::field("s", arrow::struct_({field, arrow::field("x", arrow::int8())}));
    fields.push_back(field);
  }
  fields.push_back(arrow::field("payload", arrow::utf8()));
  fields.push_back(arrow::field("seq", arrow::int64()));
  Input input{arrow::schema(fields), {}};
  int64_t seq = 0;
  for (int b = 0; b < batches; ++b) {
    const int64_t rows = random() % 5 == 0 ? 0 : static_cast<int64_t>(random() % (max_rows + 1));
    arrow::ArrayVector columns;
    for (size_t k = 0; k < key_types.size(); ++k) {
      auto column = RandomArray(key_types[k], rows, random, nulls, domain, pool);
      if (k == 0 && nest_first_key) {
        auto x = RandomArray(arrow::int8(), rows, random, 0, 10, pool);
        arrow::TypedBufferBuilder<bool> validity(pool);
        for (int64_t i = 0; i < rows; ++i) EXPECT_TRUE(validity.Append(random() % 7 != 0).ok());
        auto bitmap = validity.Finish().ValueOrDie();
        column = arrow::StructArray::Make({column, x}, fields[0]->type()->fields(), bitmap).ValueOrDie();
      }
      columns.push_back(column);
    }
    arrow::StringBuilder payload(pool);
    arrow::Int64Builder seqs(pool);
    for (int64_t i = 0; i < rows; ++i) {
      EXPECT_TRUE(payload.Append("row " + std::to_string(seq)).ok());
      EXPECT_TRUE(seqs.Append(seq++).ok());
    }
    columns.push_back(payload.Finish().ValueOrDie());
    columns.push_back(seqs.Finish().ValueOrDie());
    input.batches.push_back(arrow::RecordBatch::Make(input.schema, rows, columns));
  }
  return input;
}

// `type` with every dictionary (at the top or in structs) replaced by its value type.
std::shared_ptr<arrow::DataType> Decoded(const std::shared_ptr<arrow::DataType>& type) {
  if (type->id() == arrow::Type::DICTIONARY) {
    return static_cast<const arrow::DictionaryType&>(*type).value_type();
  }
  if (type->id() != arrow::Type::STRUCT) return type;
  arrow::FieldVector fields;
  for (const auto& field : type->fields()) fields.push_back(field->WithType(Decoded(field->type())));
  return arrow::struct_(fields);
}

// The batches with dictionaries decoded (Concatenate cannot unify dictionaries holding nulls,
// which the generator makes) and views cast to large types (Arrow 26 cannot Take views), all in
// one batch.
std::shared_ptr<arrow::RecordBatch> Plain(const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches,
                                          const std::shared_ptr<arrow::Schema>& schema) {
  arrow::FieldVector fields;
  const auto view_free = StorageSchema(schema);
  for (const auto& field : view_free->fields()) fields.push_back(field->WithType(Decoded(field->type())));
  auto plain_schema = arrow::schema(fields);
  arrow::RecordBatchVector plain;
  for (const auto& original : batches) {
    // Views first (dictionaries of views cannot be decoded: that would Take views).
    auto batch = CastColumns(original, view_free, arrow::default_memory_pool()).ValueOrDie();
    arrow::ArrayVector columns;
    for (int c = 0; c < batch->num_columns(); ++c) {
      columns.push_back(arrow::compute::Cast(*batch->column(c), plain_schema->field(c)->type()).ValueOrDie());
    }
    plain.push_back(arrow::RecordBatch::Make(plain_schema, batch->num_rows(), columns));
  }
  return plain.empty() ? arrow::RecordBatch::MakeEmpty(plain_schema).ValueOrDie()
                       : arrow::ConcatenateRecordBatches(plain).ValueOrDie();
}

// The oracle: Arrow's SortIndices over the concatenation of every input batch. Arrow 26 cannot
// sort float16, views or dictionaries in a record batch and sorts decimal32/64 as unsigned
// there, so those keys are turned into what Arrow sorts right, independently of the code under
// test: dictionaries decoded, the rest cast to types wider than the sorter's.
std::vector<int64_t> OracleSeqs(const Input& input, const ResolvedSort& sort) {
  auto all = Plain(input.batches, input.schema);
  arrow::FieldVector fields;
  arrow::ArrayVector columns;
  for (size_t k = 0; k < sort.keys().size(); ++k) {
    auto column = sort.keys()[k].path.GetFlattened(*all).ValueOrDie();
    std::shared_ptr<arrow::DataType> type = column->type();
    switch (type->id()) {
      case arrow::Type::HALF_FLOAT: type = arrow::float64(); break;
      case arrow::Type::STRING_VIEW: type = arrow::utf8(); break;
      case arrow::Type::BINARY_VIEW: type = arrow::binary(); break;
      case arrow::Type::DECIMAL32:
      case arrow::Type::DECIMAL64: type = arrow::decimal256(40, static_cast<const arrow::DecimalType&>(*type).scale()); break;
      default: break;
    }
    if (!type->Equals(*column->type())) column = arrow::compute::Cast(*column, type).ValueOrDie();
    fields.push_back(arrow::field("o" + std::to_string(k), type));
    columns.push_back(column);
  }
  auto keys = arrow::RecordBatch::Make(arrow::schema(fields), all->num_rows(), columns);
  auto indices = arrow::compute::SortIndices(arrow::Datum(keys), sort.KeySortOptions()).ValueOrDie();
  const auto& seq = static_cast<const arrow::Int64Array&>(*all->GetColumnByName("seq"));
  const auto& order = static_cast<const arrow::UInt64Array&>(*indices);
  std::vector<int64_t> out;
  for (int64_t i = 0; i < order.length(); ++i) out.push_back(seq.Value(static_cast<int64_t>(order.Value(i))));
  return out;
}

struct Output {
  std::vector<int64_t> seqs;
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
};

Output ReadAll(arrow::RecordBatchReader& reader, int64_t max_rows) {
  Output out;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    auto st = reader.ReadNext(&batch);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!st.ok() || batch == nullptr) break;
    EXPECT_TRUE(batch->ValidateFull().ok());
    EXPECT_GT(batch->num_rows(), 0);
    EXPECT_LE(batch->num_rows(), max_rows);
    if (auto seq = batch->GetColumnByName("seq")) {
      const auto& seqs = static_cast<const arrow::Int64Array&>(*seq);
      for (int64_t i = 0; i < seqs.length(); ++i) out.seqs.push_back(seqs.Value(i));
    }
    out.batches.push_back(batch);
  }
  return out;
}

// Sorts `input` by `spec_text` with `options` and checks the result against the oracle: the same
// rows (payload included) in the same order. Returns the sorter's counters.
ExternalSorterStats CheckSort(const Input& input, const std::string& spec_text, ExternalSorterOptions options) {
  auto spec = SortSpec::Parse(spec_text).ValueOrDie();
  auto sort = spec.Resolve(*input.schema).ValueOrDie();
  auto sorter = ExternalSorter::Make(input.schema, sort, options).ValueOrDie();
  for (const auto& batch : input.batches) {
    auto st = sorter->Add(batch);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  auto reader = sorter->Finish();
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return {};
  Output out = ReadAll(**reader, options.output_batch_rows);
  const std::vector<int64_t> expected = OracleSeqs(input, sort);
  EXPECT_EQ(out.seqs.size(), expected.size());
  for (size_t i = 0; i < std::min(out.seqs.size(), expected.size()); ++i) {
    if (out.seqs[i] != expected[i]) {
      ADD_FAILURE() << spec_text << ": row " << i << " is input row " << out.seqs[i] << ", Arrow says "
                    << expected[i] << " (runs " << sorter->stats().runs_spilled << ")";
      break;
    }
  }
  // Whole rows travel with their keys: every output row equals its input row.
  if (!out.batches.empty()) {
    auto all_in = Plain(input.batches, input.schema);
    auto all_out = Plain(out.batches, input.schema);
    EXPECT_TRUE(out.batches[0]->schema()->Equals(*input.schema));
    arrow::UInt64Builder take;
    for (int64_t s : out.seqs) EXPECT_TRUE(take.Append(static_cast<uint64_t>(s)).ok());
    auto rows = arrow::compute::Take(arrow::Datum(all_in), arrow::Datum(take.Finish().ValueOrDie()))
                    .ValueOrDie()
                    .record_batch();
    for (int c = 0; c < rows->num_columns(); ++c) {
      auto expected_column = rows->column(c);
      auto actual_column = all_out->column(c);
      EXPECT_TRUE(expected_column->Equals(*actual_column, arrow::EqualOptions().nans_equal(true)))
          << "column " << rows->schema()->field(c)->name();
    }
  }
  EXPECT_EQ(sorter->stats().rows_sorted, static_cast<int64_t>(expected.size()));
  return sorter->stats();
}

std::vector<fs::path> Entries(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) out.push_back(entry.path());
  return out;
}

ExternalSorterOptions Options(const testing::TempDir& dir, int64_t budget, int64_t output_rows = 1000,
                              int fan_in = 64) {
  ExternalSorterOptions options;
  options.memory_budget_bytes = budget;
  options.spill_dir = dir.path().string();
  options.output_batch_rows = output_rows;
  options.max_merge_fan_in = fan_in;
  options.name = "test sort";
  return options;
}

std::string Direction(Random& random) {
  const char* const directions[] = {"", " ASC", " DESC", " ASC NULLS LAST", " DESC NULLS FIRST",
                                    " NULLS LAST", " DESC NULLS LAST", " ASC NULLS FIRST"};
  return directions[random() % 8];
}

// ---------------------------------------------------------------------------------------------

TEST(ExternalSorterOracle, EveryKeyTypeInMemoryAndSpilled) {
  ASSERT_TRUE(kComputeRegistered);
  testing::TempDir dir;
  for (const auto& type : AllowedTypes()) {
    for (int seed = 0; seed < 6; ++seed) {
      SCOPED_TRACE(type->ToString() + " seed " + std::to_string(seed));
      Random random(seed * 7919 + type->id());
      const bool nested = seed % 3 == 2;
      Input input = MakeInput({type, arrow::int16()}, nested, 12, 300, random, seed % 2 ? 5 : 40);
      const std::string first = nested ? "S.K0" : "k0";
      const std::string spec = first + Direction(random) + (seed % 2 ? ", k1" + Direction(random) : "");
      auto in_memory = CheckSort(input, spec, Options(dir, int64_t{1} << 30, 1 + random() % 700));
      EXPECT_EQ(in_memory.runs_spilled, 0);
      auto spilled = CheckSort(input, spec, Options(dir, 2000 + random() % 6000, 1 + random() % 500, 3));
      EXPECT_GT(spilled.runs_spilled, 1);
      EXPECT_TRUE(Entries(dir.path()).empty());
    }
  }
}

TEST(ExternalSorterOracle, ManyKeysMixingDirectionsAndNullPlacements) {
  testing::TempDir dir;
  const auto types = AllowedTypes();
  for (int seed = 0; seed < 60; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Random random(1000 + seed);
    std::vector<std::shared_ptr<arrow::DataType>> keys;
    const int count = 2 + static_cast<int>(random() % 3);
    for (int k = 0; k < count; ++k) keys.push_back(types[random() % types.size()]);
    Input input = MakeInput(keys, seed % 4 == 0, 10, 400, random, 2 + static_cast<int>(random() % 4));
    std::string spec;
    for (int k = 0; k < count; ++k) {
      if (k > 0) spec += ", ";
      spec += (k == 0 && seed % 4 == 0 ? "s.k0" : "k" + std::to_string(k)) + Direction(random);
    }
    CheckSort(input, spec, Options(dir, 3000 + random() % 20000, 1 + random() % 1000, 2 + random() % 6));
  }
}

TEST(ExternalSorterOracle, FloatsWithNansSignedZerosAndNullsOnly) {
  testing::TempDir dir;
  for (const auto& type : {arrow::float32(), arrow::float64(), arrow::float16()}) {
    for (const char* direction : {"", " DESC", " NULLS LAST", " DESC NULLS FIRST"}) {
      Random random(5);
      // domain 1: every non-special value is -0.0/0.0 (as (0 - 0) / 4), so nearly all ties.
      Input input = MakeInput({type}, false, 20, 200, random, 1, 0.3);
      auto stats = CheckSort(input, std::string("k0") + direction, Options(dir, 1500));
      EXPECT_GT(stats.runs_spilled, 5);
    }
  }
}

TEST(ExternalSorterOracle, DictionaryKeysOrderAsArrowOrdersTheDictionaryArray) {
  // Arrow's array sort accepts dictionaries (its record batch sort does not): same order.
  Random random(3);
  auto type = arrow::dictionary(arrow::int32(), arrow::utf8());
  auto array = RandomArray(type, 500, random, 0.2, 6);
  for (bool descending : {false, true}) {
    for (auto placement : {arrow::compute::NullPlacement::AtStart, arrow::compute::NullPlacement::AtEnd}) {
      auto schema = arrow::schema({arrow::field("d", type)});
      auto batch = arrow::RecordBatch::Make(schema, array->length(), {array});
      std::string spec = std::string("d") + (descending ? " DESC" : " ASC") +
                         (placement == arrow::compute::NullPlacement::AtStart ? " NULLS FIRST" : " NULLS LAST");
      auto sort = SortSpec::Parse(spec).ValueOrDie().Resolve(*schema).ValueOrDie();
      auto sorter = ExternalSorter::Make(schema, sort, ExternalSorterOptions{}).ValueOrDie();
      ASSERT_OK(sorter->Add(batch));
      ASSERT_OK_AND_ASSIGN(auto reader, sorter->Finish());
      Output out = ReadAll(*reader, 1 << 20);
      arrow::compute::ArraySortOptions options(
          descending ? arrow::compute::SortOrder::Descending : arrow::compute::SortOrder::Ascending, placement);
      ASSERT_OK_AND_ASSIGN(auto indices, arrow::compute::SortIndices(*array, options));
      ASSERT_OK_AND_ASSIGN(auto expected, arrow::compute::Take(*array, *indices));
      auto actual = arrow::ConcatenateRecordBatches(out.batches).ValueOrDie()->column(0);
      auto values = [](const std::shared_ptr<arrow::Array>& a) {
        return arrow::compute::Cast(*a, arrow::utf8()).ValueOrDie();
      };
      EXPECT_TRUE(values(expected)->Equals(*values(actual))) << spec;
    }
  }
}

TEST(ExternalSorterOracle, DuplicatesComeOutInInputOrder) {
  testing::TempDir dir;
  for (int seed = 0; seed < 10; ++seed) {
    Random random(seed);
    Input input = MakeInput({arrow::int32(), arrow::utf8()}, false, 30, 500, random, 2, 0.3);
    CheckSort(input, "k0 DESC, k1", Options(dir, 1000 + seed * 3000, 257, 4));
  }
}

TEST(ExternalSorter, EmptyInputAndZeroRowBatches) {
  testing::TempDir dir;
  Random random(1);
  Input input = MakeInput({arrow::int64()}, false, 0, 0, random, 10);
  auto sort = SortSpec::Parse("k0").ValueOrDie().Resolve(*input.schema).ValueOrDie();
  for (int batches : {0, 3}) {
    auto sorter = ExternalSorter::Make(input.schema, sort, Options(dir, 100)).ValueOrDie();
    for (int b = 0; b < batches; ++b) {
      ASSERT_OK(sorter->Add(arrow::RecordBatch::MakeEmpty(input.schema).ValueOrDie()));
    }
    ASSERT_OK_AND_ASSIGN(auto reader, sorter->Finish());
    std::shared_ptr<arrow::RecordBatch> batch;
    ASSERT_OK(reader->ReadNext(&batch));
    EXPECT_EQ(batch, nullptr);
    EXPECT_TRUE(reader->schema()->Equals(*input.schema));
    EXPECT_EQ(sorter->stats().runs_spilled, 0);
  }
  EXPECT_TRUE(Entries(dir.path()).empty());
  // Zero-row batches between full ones change nothing.
  Input mixed = MakeInput({arrow::int64()}, false, 40, 50, random, 10);
  CheckSort(mixed, "k0", Options(dir, 500));
}

TEST(ExternalSorter, SlicedBatchesCountTheBytesTheyReference) {
  testing::TempDir dir;
  Random random(9);
  Input whole = MakeInput({arrow::utf8(), arrow::int64()}, false, 1, 20000, random, 10);
  while (whole.batches[0]->num_rows() < 5000) whole = MakeInput({arrow::utf8(), arrow::int64()}, false, 1, 20000, random, 10);
  const auto& big = whole.batches[0];
  Input sliced{whole.schema, {}};
  for (int64_t offset = 0; offset < big->num_rows(); offset += 97) sliced.batches.push_back(big->Slice(offset, 97));
  const int64_t big_bytes = arrow::util::TotalBufferSize(*big);
  // A budget of the whole batch: counting each slice as the buffers it shares would spill at
  // once, again and again.
  auto stats = CheckSort(sliced, "k0 DESC, k1", Options(dir, 2 * big_bytes));
  EXPECT_EQ(stats.runs_spilled, 0);
  EXPECT_LE(stats.peak_buffered_bytes, big_bytes + 4096);
  stats = CheckSort(sliced, "k0 DESC, k1", Options(dir, big_bytes / 8));
  EXPECT_GE(stats.runs_spilled, 7);
  EXPECT_LE(stats.runs_spilled, 12);
}

TEST(ExternalSorter, ATinyBudgetMakesHundredsOfRunsAndMergePasses) {
  testing::TempDir dir;
  Random random(11);
  Input input = MakeInput({arrow::int64(), arrow::utf8()}, false, 600, 100, random, 1000);
  auto stats = CheckSort(input, "k0, k1 DESC", Options(dir, 2500, 4096, 8));
  EXPECT_GE(stats.runs_spilled, 200);
  EXPECT_GE(stats.merge_passes, 2);
  EXPECT_GT(stats.bytes_spilled, 0);
  EXPECT_TRUE(Entries(dir.path()).empty());
}

TEST(ExternalSorter, ABudgetThatFitsNeverTouchesDisk) {
  testing::TempDir dir;
  Random random(12);
  Input input = MakeInput({arrow::int64()}, false, 50, 2000, random, 100);
  auto stats = CheckSort(input, "k0", Options(dir, int64_t{1} << 30, 333));
  EXPECT_EQ(stats.runs_spilled, 0);
  EXPECT_EQ(stats.bytes_spilled, 0);
  EXPECT_GT(stats.peak_buffered_bytes, 0);
  EXPECT_TRUE(Entries(dir.path()).empty());
}

// ---------------------------------------------------------------------------------------------
// The spill folder: private, unique, and gone on every path.

struct Spilling {
  Input input;
  ResolvedSort sort;
  std::unique_ptr<ExternalSorter> sorter;
};

Spilling StartSpilling(const testing::TempDir& dir, int batches = 10) {
  Random random(21);
  Spilling s{MakeInput({arrow::int64()}, false, batches, 500, random, 1000), {}, nullptr};
  s.sort = SortSpec::Parse("k0").ValueOrDie().Resolve(*s.input.schema).ValueOrDie();
  s.sorter = ExternalSorter::Make(s.input.schema, s.sort, Options(dir, 2000)).ValueOrDie();
  return s;
}

TEST(ExternalSorterSpill, TheFolderIsPrivateAndGoneOnceTheMergeHasOpenedItsRuns) {
  testing::TempDir dir;
  Spilling s = StartSpilling(dir);
  for (const auto& batch : s.input.batches) ASSERT_OK(s.sorter->Add(batch));
  ASSERT_GT(s.sorter->stats().runs_spilled, 0);
  const fs::path folder = s.sorter->spill_path();
  ASSERT_EQ(folder.parent_path(), dir.path());
  EXPECT_EQ(folder.filename().string().rfind("s3-compaction-spill-" + std::to_string(::getpid()) + "-", 0), 0u);
  struct stat info;
  ASSERT_EQ(::stat(folder.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700);
  // Its runs, and the lock that tells a sweeping run the folder is in use.
  EXPECT_EQ(Entries(folder).size(), static_cast<size_t>(s.sorter->stats().runs_spilled) + 1);
  EXPECT_TRUE(fs::exists(folder / ".lock"));
  ASSERT_OK_AND_ASSIGN(auto reader, s.sorter->Finish());
  EXPECT_TRUE(Entries(dir.path()).empty());  // the runs are read through open descriptors
  s.sorter = nullptr;                         // the reader outlives the sorter
  Output out = ReadAll(*reader, 1000);
  EXPECT_EQ(out.seqs, OracleSeqs(s.input, s.sort));
}

TEST(ExternalSorterSpill, DestroyingTheSorterWithoutFinishRemovesTheFolder) {
  testing::TempDir dir;
  Spilling s = StartSpilling(dir);
  for (const auto& batch : s.input.batches) ASSERT_OK(s.sorter->Add(batch));
  ASSERT_FALSE(Entries(dir.path()).empty());
  s.sorter = nullptr;
  EXPECT_TRUE(Entries(dir.path()).empty());
}

TEST(ExternalSorterSpill, AMissingRunFileFailsFinishNamingItAndRemovesTheFolder) {
  testing::TempDir dir;
  Spilling s = StartSpilling(dir);
  for (const auto& batch : s.input.batches) ASSERT_OK(s.sorter->Add(batch));
  const auto runs = Entries(s.sorter->spill_path());
  ASSERT_GE(runs.size(), 2u);
  fs::remove(runs[1]);
  auto reader = s.sorter->Finish();
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find(runs[1].string()), std::string::npos) << reader.status().ToString();
  EXPECT_TRUE(Entries(dir.path()).empty());
  // Sticky: the same error again.
  EXPECT_FALSE(s.sorter->Add(s.input.batches[0]).ok());
}

TEST(ExternalSorterSpill, ATruncatedRunFileFailsNamingIt) {
  testing::TempDir dir;
  Spilling s = StartSpilling(dir);
  for (const auto& batch : s.input.batches) ASSERT_OK(s.sorter->Add(batch));
  const auto runs = Entries(s.sorter->spill_path());
  ASSERT_GE(runs.size(), 1u);
  fs::resize_file(runs.back(), fs::file_size(runs.back()) / 2);
  arrow::Status status;
  auto reader = s.sorter->Finish();
  if (!reader.ok()) {
    status = reader.status();
  } else {
    while (status.ok()) {
      std::shared_ptr<arrow::RecordBatch> batch;
      status = (*reader)->ReadNext(&batch);
      if (batch == nullptr) break;
    }
  }
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("spill run " + dir.path().string()), std::string::npos) << status.ToString();
  EXPECT_TRUE(Entries(dir.path()).empty());
}

TEST(ExternalSorterSpill, AnUnusableSpillDirIsAnErrorNamingIt) {
  testing::TempDir dir;
  const fs::path missing = dir / "missing";
  const fs::path file = dir / "a-file";
  std::ofstream(file) << "x";
  std::vector<fs::path> bad = {missing, file};
  const fs::path read_only = dir / "read-only";
  fs::create_directory(read_only);
  fs::permissions(read_only, fs::perms::owner_read | fs::perms::owner_exec);
  if (::geteuid() != 0) bad.push_back(read_only);  // root writes anyway
  for (const fs::path& spill_dir : bad) {
    Spilling s = StartSpilling(dir);
    ExternalSorterOptions options = Options(dir, 2000);
    options.spill_dir = spill_dir.string();
    s.sorter = ExternalSorter::Make(s.input.schema, s.sort, options).ValueOrDie();
    arrow::Status status;
    for (const auto& batch : s.input.batches) {
      status = s.sorter->Add(batch);
      if (!status.ok()) break;
    }
    ASSERT_FALSE(status.ok()) << spill_dir;
    EXPECT_TRUE(status.IsIOError()) << status.ToString();
    EXPECT_NE(status.message().find(spill_dir.string()), std::string::npos) << status.ToString();
    EXPECT_NE(status.message().find("test sort"), std::string::npos) << status.ToString();
    EXPECT_FALSE(s.sorter->Finish().ok());
  }
  fs::permissions(read_only, fs::perms::owner_all);
  EXPECT_EQ(Entries(read_only).size(), 0u);
}

TEST(ExternalSorterSpill, AFullDiskIsAnErrorNamingTheSpillFile) {
  // A file size limit makes write(2) fail with EFBIG past it, as a full disk fails with ENOSPC.
  testing::TempDir dir;
  Spilling s = StartSpilling(dir, 60);
  struct rlimit old_limit;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = 3000;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  arrow::Status status;
  for (const auto& batch : s.input.batches) {
    status = s.sorter->Add(batch);
    if (!status.ok()) break;
  }
  if (status.ok()) status = s.sorter->Finish().status();
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("spill file " + dir.path().string()), std::string::npos) << status.ToString();
  EXPECT_TRUE(Entries(dir.path()).empty());
}

TEST(ExternalSorterSpill, SortersInParallelThreadsKeepTheirOwnFolders) {
  testing::TempDir dir;
  std::vector<std::thread> threads;
  std::vector<int> ok(6, 0);
  std::vector<std::string> folders(6);
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      Random random(100 + t);
      Input input = MakeInput({arrow::utf8(), arrow::int32()}, false, 40, 200, random, 20);
      auto sort = SortSpec::Parse("k0 DESC, k1").ValueOrDie().Resolve(*input.schema).ValueOrDie();
      auto sorter = ExternalSorter::Make(input.schema, sort, Options(dir, 3000, 100, 4)).ValueOrDie();
      for (const auto& batch : input.batches) {
        if (!sorter->Add(batch).ok()) return;
      }
      folders[t] = sorter->spill_path();
      auto reader = sorter->Finish();
      if (!reader.ok()) return;
      std::vector<int64_t> seqs;
      while (true) {
        std::shared_ptr<arrow::RecordBatch> batch;
        if (!(*reader)->ReadNext(&batch).ok()) return;
        if (batch == nullptr) break;
        const auto& seq = static_cast<const arrow::Int64Array&>(*batch->GetColumnByName("seq"));
        for (int64_t i = 0; i < seq.length(); ++i) seqs.push_back(seq.Value(i));
      }
      ok[t] = seqs == OracleSeqs(input, sort) && sorter->stats().runs_spilled > 4;
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 6; ++t) {
    EXPECT_TRUE(ok[t]) << "thread " << t;
    for (int u = 0; u < t; ++u) EXPECT_NE(folders[t], folders[u]);
  }
  EXPECT_TRUE(Entries(dir.path()).empty());
}

// ---------------------------------------------------------------------------------------------
// Memory: everything (input included) is allocated from one tracking pool.

TEST(ExternalSorterMemory, PeakStaysWithinThreeTimesTheBudget) {
  testing::TempDir dir;
  arrow::ProxyMemoryPool pool(arrow::default_memory_pool());
  constexpr int64_t kBudget = 4 << 20;
  auto schema = arrow::schema({arrow::field("key", arrow::int64()), arrow::field("payload", arrow::utf8()),
                               arrow::field("seq", arrow::int64())});
  auto sort = SortSpec::Parse("key").ValueOrDie().Resolve(*schema).ValueOrDie();
  ExternalSorterOptions options = Options(dir, kBudget, 8192, 16);
  options.pool = &pool;
  auto sorter = ExternalSorter::Make(schema, sort, options).ValueOrDie();
  Random random(77);
  int64_t input_bytes = 0, rows = 0;
  int64_t largest_batch = 0;
  for (int b = 0; b < 80; ++b) {  // ~40 MiB: ten times the budget
    arrow::Int64Builder keys(&pool), seqs(&pool);
    arrow::StringBuilder payload(&pool);
    for (int i = 0; i < 16384; ++i) {
      ASSERT_OK(keys.Append(static_cast<int64_t>(random() % 1000000)));
      ASSERT_OK(payload.Append(std::string(8 + random() % 40, 'p')));
      ASSERT_OK(seqs.Append(rows++));
    }
    auto batch = arrow::RecordBatch::Make(schema, 16384, {keys.Finish().ValueOrDie(), payload.Finish().ValueOrDie(),
                                                          seqs.Finish().ValueOrDie()});
    largest_batch = std::max(largest_batch, arrow::util::TotalBufferSize(*batch));
    input_bytes += arrow::util::TotalBufferSize(*batch);
    ASSERT_OK(sorter->Add(std::move(batch)));
  }
  const int64_t adding_peak = pool.max_memory();
  ASSERT_OK_AND_ASSIGN(auto reader, sorter->Finish());
  int64_t previous = std::numeric_limits<int64_t>::min(), seen = 0;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    ASSERT_OK(reader->ReadNext(&batch));
    if (batch == nullptr) break;
    const auto& key = static_cast<const arrow::Int64Array&>(*batch->column(0));
    for (int64_t i = 0; i < key.length(); ++i) {
      ASSERT_LE(previous, key.Value(i));
      previous = key.Value(i);
    }
    seen += batch->num_rows();
  }
  EXPECT_EQ(seen, rows);
  std::cout << "input " << input_bytes << " B, budget " << kBudget << " B, largest batch " << largest_batch
            << " B, peak while adding " << adding_peak << " B, peak overall " << pool.max_memory()
            << " B, runs " << sorter->stats().runs_spilled << ", merge passes " << sorter->stats().merge_passes
            << ", spilled " << sorter->stats().bytes_spilled << " B" << std::endl;
  EXPECT_GE(input_bytes, 8 * kBudget);
  EXPECT_GE(sorter->stats().runs_spilled, 8);
  EXPECT_LE(pool.max_memory(), 3 * kBudget + largest_batch);
}

// ---------------------------------------------------------------------------------------------

TEST(SweepStaleSpill, RemovesOnlyFoldersOfDeadProcesses) {
  testing::TempDir dir;
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);  // reaped: the pid names no process now
  const std::string dead = std::to_string(child), me = std::to_string(::getpid());
  const fs::path stale = dir / ("s3-compaction-spill-" + dead + "-abc123");
  fs::create_directories(stale / "deeper");
  std::ofstream(stale / "run-1.arrows") << "x";
  std::ofstream(stale / "deeper" / "f") << "x";
  std::ofstream(stale / ".lock") << "";  // its sorter's lock, released when it died
  // A sorter of a dead pid, by our pid namespace's account, whose lock is held: alive in
  // another namespace (a container sharing the folder). Kept.
  const fs::path other_namespace = dir / ("s3-compaction-spill-" + dead + "-ns0000");
  fs::create_directory(other_namespace);
  const int held = ::open((other_namespace / ".lock").c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(held, 0);
  ASSERT_EQ(::flock(held, LOCK_EX), 0);
  // No lock file: kept while young (a sorter between mkdtemp and its lock), swept when old.
  const fs::path young = dir / ("s3-compaction-spill-" + dead + "-young0");
  const fs::path old = dir / ("s3-compaction-spill-" + dead + "-old000");
  fs::create_directory(young);
  fs::create_directory(old);
  fs::last_write_time(old, fs::file_time_type::clock::now() - std::chrono::hours(2));
  const fs::path target = dir / "target";
  fs::create_directory(target);
  std::ofstream(target / "precious") << "x";
  fs::create_directory_symlink(target, dir / ("s3-compaction-spill-" + dead + "-link"));
  fs::create_symlink(target, stale / "link-inside");
  std::ofstream(dir / ("s3-compaction-spill-" + dead + "-file")) << "x";
  const std::vector<fs::path> kept = {
      dir / ("s3-compaction-spill-" + me + "-mine"),  // this process: alive
      dir / "s3-compaction-spill-1-init",             // pid 1: alive
      dir / ("s3-compaction-spill-" + dead),          // no suffix: not ours
      dir / ("s3-compaction-spill-" + dead + "-"),     // empty suffix: not ours
      dir / "s3-compaction-spill-x-abc",
      dir / ("other-" + dead + "-abc"),
      dir / ("S3-COMPACTION-SPILL-" + dead + "-abc"),
  };
  for (const auto& path : kept) fs::create_directory(path);
  ASSERT_OK_AND_ASSIGN(int removed, SweepStaleSpill(dir.path().string()));
  EXPECT_EQ(removed, 2);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_FALSE(fs::exists(old));
  EXPECT_TRUE(fs::exists(young));
  EXPECT_TRUE(fs::exists(other_namespace / ".lock"));
  for (const auto& path : kept) EXPECT_TRUE(fs::is_directory(path)) << path;
  EXPECT_TRUE(fs::is_symlink(dir / ("s3-compaction-spill-" + dead + "-link")));
  EXPECT_TRUE(fs::exists(target / "precious"));
  EXPECT_TRUE(fs::exists(dir / ("s3-compaction-spill-" + dead + "-file")));
  ASSERT_OK_AND_ASSIGN(removed, SweepStaleSpill(dir.path().string()));
  EXPECT_EQ(removed, 0);
  ::close(held);  // that sorter dies: its folder goes with the next sweep
  ASSERT_OK_AND_ASSIGN(removed, SweepStaleSpill(dir.path().string()));
  EXPECT_EQ(removed, 1);
  EXPECT_FALSE(fs::exists(other_namespace));
  ASSERT_OK_AND_ASSIGN(removed, SweepStaleSpill((dir / "missing").string()));
  EXPECT_EQ(removed, 0);
  EXPECT_FALSE(SweepStaleSpill((dir / ("s3-compaction-spill-" + dead + "-file")).string()).ok());
}

// ---------------------------------------------------------------------------------------------
// Throughput, run by hand: S3C_SORT_BENCH_ROWS=5000000 s3c_unit_tests --gtest_filter='*Throughput*'

TEST(ExternalSorterBench, Throughput) {
  const char* rows_text = std::getenv("S3C_SORT_BENCH_ROWS");
  if (rows_text == nullptr) GTEST_SKIP() << "set S3C_SORT_BENCH_ROWS to run";
  const int64_t total = std::atoll(rows_text);
  testing::TempDir dir;
  auto schema = arrow::schema({arrow::field("key", arrow::int64()), arrow::field("payload", arrow::utf8())});
  auto sort = SortSpec::Parse("key").ValueOrDie().Resolve(*schema).ValueOrDie();
  Random random(1);
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  int64_t bytes = 0;
  for (int64_t done = 0; done < total; done += 65536) {
    const int64_t n = std::min<int64_t>(65536, total - done);
    arrow::Int64Builder keys;
    arrow::StringBuilder payload;
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_OK(keys.Append(static_cast<int64_t>(random() >> 1)));
      ASSERT_OK(payload.Append("payload-" + std::to_string(random() % 100000000)));
    }
    batches.push_back(arrow::RecordBatch::Make(schema, n, {keys.Finish().ValueOrDie(), payload.Finish().ValueOrDie()}));
    bytes += arrow::util::TotalBufferSize(*batches.back());
  }
  struct Case {
    const char* name;
    int64_t budget;
    arrow::Compression::type codec;
    int fan_in = 64;
  };
  const char* codec_text = std::getenv("S3C_SORT_BENCH_CODEC");
  for (const Case& c : {Case{"in memory", int64_t{8} << 30, arrow::Compression::UNCOMPRESSED},
                        Case{"spilled, lz4", int64_t{32} << 20, arrow::Compression::LZ4_FRAME},
                        Case{"spilled, none", int64_t{32} << 20, arrow::Compression::UNCOMPRESSED},
                        Case{"spilled, zstd", int64_t{32} << 20, arrow::Compression::ZSTD},
                        Case{"spilled 4 MiB budget, lz4", int64_t{4} << 20, arrow::Compression::LZ4_FRAME},
                        Case{"spilled 4 MiB budget fan-in 8, lz4", int64_t{4} << 20, arrow::Compression::LZ4_FRAME, 8}}) {
    if (codec_text != nullptr && std::string(c.name).find(codec_text) == std::string::npos) continue;
    ExternalSorterOptions options = Options(dir, c.budget, 65536, c.fan_in);
    options.spill_compression = c.codec;
    const auto start = std::chrono::steady_clock::now();
    auto sorter = ExternalSorter::Make(schema, sort, options).ValueOrDie();
    for (const auto& batch : batches) ASSERT_OK(sorter->Add(batch));
    ASSERT_OK_AND_ASSIGN(auto reader, sorter->Finish());
    int64_t seen = 0;
    while (true) {
      std::shared_ptr<arrow::RecordBatch> batch;
      ASSERT_OK(reader->ReadNext(&batch));
      if (batch == nullptr) break;
      seen += batch->num_rows();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_EQ(seen, total);
    std::cout << c.name << ": " << total << " rows (" << bytes / (1 << 20) << " MiB) in " << seconds << " s = "
              << static_cast<int64_t>(total / seconds) << " rows/s; runs " << sorter->stats().runs_spilled
              << ", merge passes " << sorter->stats().merge_passes << ", spilled "
              << sorter->stats().bytes_spilled / (1 << 20) << " MiB" << std::endl;
  }
}

}  // namespace
}  // namespace s3c
