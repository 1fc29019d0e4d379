#pragma once
// SizeHistogram: file sizes counted in fixed log-scale buckets (powers of 4 from 1 KiB), the
// same for every table, partition, run and report, so that any two histograms compare bucket by
// bucket: "< 1 KiB", "1-4 KiB", ..., "256 MiB-1 GiB", ">= 1 GiB" (12 buckets).

#include <array>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace s3c {

class SizeHistogram {
 public:
  static constexpr size_t kBuckets = 12;

  /// The bucket a file of `bytes` falls in (negative sizes count as 0).
  static size_t BucketOf(int64_t bytes);
  /// Inclusive lower bound of `bucket`, in bytes (0 for the first).
  static int64_t LowerBound(size_t bucket);
  /// Exclusive upper bound of `bucket`; -1 for the last (unbounded).
  static int64_t UpperBound(size_t bucket);
  /// "< 1 KiB", "1-4 KiB", "4-16 KiB", ..., "256 MiB-1 GiB", ">= 1 GiB".
  static std::string Label(size_t bucket);
  /// [{"label": ..., "lower": bytes, "upper": bytes or null}, ...]: the buckets, for JSON
  /// documents that carry histograms (a reader needs no knowledge of the scale).
  static nlohmann::json Buckets();

  void Add(int64_t bytes, int64_t files = 1) { counts_[BucketOf(bytes)] += files; }
  void Add(const SizeHistogram& other);
  int64_t Count(size_t bucket) const { return counts_[bucket]; }
  int64_t Total() const;
  const std::array<int64_t, kBuckets>& counts() const { return counts_; }
  /// The counts as a JSON array of kBuckets numbers.
  nlohmann::json ToJson() const;

 private:
  std::array<int64_t, kBuckets> counts_{};
};

}  // namespace s3c
