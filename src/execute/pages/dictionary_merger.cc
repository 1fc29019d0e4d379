#include "execute/pages/dictionary_merger.h"

#include <cstring>
#include <deque>
#include <string_view>
#include <type_traits>
#include <functional>

#include <parquet/encoding.h>

#include "execute/pages/physical_type.h"

namespace s3c::pages {

namespace {

// Bytes that stay where they are until Reset: the merged values point into it.
class Arena {
 public:
  const uint8_t* Copy(const uint8_t* data, size_t size) {
    if (size == 0) return reinterpret_cast<const uint8_t*>("");
    if (chunks_.empty() || used_ + size > capacity_) {
      capacity_ = std::max<size_t>(size, kChunk);
      chunks_.push_back(std::make_unique<uint8_t[]>(capacity_));
      used_ = 0;
    }
    uint8_t* out = chunks_.back().get() + used_;
    std::memcpy(out, data, size);
    used_ += size;
    return out;
  }
  void Clear() {
    chunks_.clear();
    used_ = capacity_ = 0;
  }

 private:
  static constexpr size_t kChunk = 256 << 10;
  std::vector<std::unique_ptr<uint8_t[]>> chunks_;
  size_t used_ = 0, capacity_ = 0;
};

// How a value of each physical type is seen as bytes, and made to point into the arena.
template <typename T>
struct ValueBytes {
  static std::string_view Of(const T& v, int) {
    return {reinterpret_cast<const char*>(&v), sizeof(T)};
  }
  static T Stable(const T& v, int, Arena&) { return v; }
  static int64_t PlainSize(const T&, int) { return sizeof(T); }
};

template <>
struct ValueBytes<parquet::ByteArray> {
  static std::string_view Of(const parquet::ByteArray& v, int) {
    return {reinterpret_cast<const char*>(v.ptr), v.len};
  }
  static parquet::ByteArray Stable(const parquet::ByteArray& v, int, Arena& arena) {
    return parquet::ByteArray(v.len, arena.Copy(v.ptr, v.len));
  }
  static int64_t PlainSize(const parquet::ByteArray& v, int) { return 4 + int64_t{v.len}; }
};

template <>
struct ValueBytes<parquet::FixedLenByteArray> {
  static std::string_view Of(const parquet::FixedLenByteArray& v, int width) {
    return {reinterpret_cast<const char*>(v.ptr), static_cast<size_t>(width)};
  }
  static parquet::FixedLenByteArray Stable(const parquet::FixedLenByteArray& v, int width,
                                           Arena& arena) {
    return parquet::FixedLenByteArray(arena.Copy(v.ptr, static_cast<size_t>(width)));
  }
  static int64_t PlainSize(const parquet::FixedLenByteArray&, int width) { return width; }
};

template <typename DType>
class TypedDictionaryMerger final : public DictionaryMerger {
  using T = typename DType::c_type;
  using Bytes = ValueBytes<T>;

 public:
  explicit TypedDictionaryMerger(const parquet::ColumnDescriptor* descr)
      : descr_(descr), width_(descr->type_length()) {}

  arrow::Result<std::vector<int32_t>> Add(const parquet::DictionaryPage& page) override {
    if (page.encoding() != parquet::Encoding::PLAIN &&
        page.encoding() != parquet::Encoding::PLAIN_DICTIONARY) {
      return arrow::Status::Invalid("column ", descr_->path()->ToDotString(),
                                    ": a dictionary page encoded as ",
                                    parquet::EncodingToString(page.encoding()),
                                    ", not PLAIN");
    }
    const int32_t n = page.num_values();
    if (n < 0) {
      return arrow::Status::Invalid("column ", descr_->path()->ToDotString(),
                                    ": a dictionary page of ", n, " values");
    }
    std::vector<T> values(static_cast<size_t>(n));
    if (n > 0) {
      auto decoder = parquet::MakeTypedDecoder<DType>(parquet::Encoding::PLAIN, descr_);
      int decoded = 0;
      try {
        decoder->SetData(n, page.data(), static_cast<int>(page.size()));
        decoded = decoder->Decode(values.data(), n);
      } catch (const std::exception& e) {
        return arrow::Status::Invalid("column ", descr_->path()->ToDotString(),
                                      ": dictionary page: ", e.what());
      }
      if (decoded != n) {
        return arrow::Status::Invalid("column ", descr_->path()->ToDotString(),
                                      ": a dictionary page that says ", n, " values holds ",
                                      decoded);
      }
    }
    std::vector<int32_t> remap(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i) {
      remap[static_cast<size_t>(i)] = FindOrInsert(values[static_cast<size_t>(i)]);
    }
    return remap;
  }

  int32_t size() const override { return static_cast<int32_t>(merged_.size()); }
  int64_t plain_bytes() const override { return plain_bytes_; }

  std::shared_ptr<arrow::Buffer> EncodePlain() override {
    auto encoder = parquet::MakeTypedEncoder<DType>(parquet::Encoding::PLAIN, false, descr_);
    const std::vector<T> contiguous(merged_.begin(), merged_.end());
    if (!contiguous.empty()) encoder->Put(contiguous.data(), static_cast<int>(contiguous.size()));
    return encoder->FlushValues();
  }

  void Reset() override {
    slots_.clear();
    hashes_.clear();
    merged_.clear();
    arena_.Clear();
    plain_bytes_ = 0;
  }

 private:
  // Open addressing with linear probing: a slot holds a merged index + 1 (0: empty), and each
  // merged value keeps its hash, so probes compare bytes only on equal hashes and growing
  // never hashes again. (std::unordered_map spent half the merge in node allocation.)
  int32_t FindOrInsert(const T& v) {
    const std::string_view key = Bytes::Of(v, width_);
    const uint64_t hash = std::hash<std::string_view>{}(key);
    if ((merged_.size() + 1) * 2 > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    for (size_t at = hash & mask;; at = (at + 1) & mask) {
      const uint32_t slot = slots_[at];
      if (slot == 0) {
        const auto id = static_cast<int32_t>(merged_.size());
        merged_.push_back(Bytes::Stable(v, width_, arena_));
        hashes_.push_back(hash);
        plain_bytes_ += Bytes::PlainSize(merged_.back(), width_);
        slots_[at] = static_cast<uint32_t>(id) + 1;
        return id;
      }
      if (hashes_[slot - 1] == hash && Bytes::Of(merged_[slot - 1], width_) == key) {
        return static_cast<int32_t>(slot - 1);
      }
    }
  }

  void Grow() {
    const size_t capacity = std::max<size_t>(1024, slots_.size() * 2);
    slots_.assign(capacity, 0);
    const size_t mask = capacity - 1;
    for (size_t id = 0; id < hashes_.size(); ++id) {
      size_t at = hashes_[id] & mask;
      while (slots_[at] != 0) at = (at + 1) & mask;
      slots_[at] = static_cast<uint32_t>(id) + 1;
    }
  }

  const parquet::ColumnDescriptor* descr_;
  const int width_;
  std::vector<uint32_t> slots_;   // power-of-two size, at least twice the values
  std::vector<uint64_t> hashes_;  // of each merged value
  // Byte arrays point into the arena; a deque never moves the values themselves.
  std::deque<T> merged_;
  Arena arena_;
  int64_t plain_bytes_ = 0;
};

}  // namespace

arrow::Result<std::unique_ptr<DictionaryMerger>> DictionaryMerger::Make(
    const parquet::ColumnDescriptor* descr) {
  return VisitPhysicalType(
      descr->physical_type(), [&]<typename DType>() -> arrow::Result<std::unique_ptr<DictionaryMerger>> {
        if constexpr (std::is_same_v<DType, parquet::BooleanType>) {
          return arrow::Status::Invalid("column ", descr->path()->ToDotString(),
                                        ": no dictionary encoding for physical type BOOLEAN");
        } else {
          return std::make_unique<TypedDictionaryMerger<DType>>(descr);
        }
      });
}

}  // namespace s3c::pages
