#include "report/size_histogram.h"

namespace s3c {
namespace {

constexpr int64_t kKiB = 1024;

// "1 KiB", "4 MiB", "1 GiB": bounds are exact powers of two.
std::string Exact(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && bytes % 1024 == 0 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + " " + units[unit];
}

}  // namespace

int64_t SizeHistogram::LowerBound(size_t bucket) {
  if (bucket == 0) return 0;
  return kKiB << (2 * (bucket - 1));  // 1 KiB, 4 KiB, 16 KiB, ...
}

int64_t SizeHistogram::UpperBound(size_t bucket) {
  if (bucket + 1 >= kBuckets) return -1;
  return LowerBound(bucket + 1);
}

size_t SizeHistogram::BucketOf(int64_t bytes) {
  size_t bucket = 0;
  while (bucket + 1 < kBuckets && bytes >= LowerBound(bucket + 1)) ++bucket;
  return bucket;
}

std::string SizeHistogram::Label(size_t bucket) {
  if (bucket == 0) return "< " + Exact(UpperBound(0));
  if (UpperBound(bucket) < 0) return ">= " + Exact(LowerBound(bucket));
  const std::string lower = Exact(LowerBound(bucket)), upper = Exact(UpperBound(bucket));
  // "1-4 KiB" when both share a unit, else "256 KiB-1 MiB".
  const auto unit = [](const std::string& s) { return s.substr(s.find(' ')); };
  if (unit(lower) == unit(upper)) return lower.substr(0, lower.find(' ')) + "-" + upper;
  return lower + "-" + upper;
}

nlohmann::json SizeHistogram::Buckets() {
  nlohmann::json out = nlohmann::json::array();
  for (size_t b = 0; b < kBuckets; ++b) {
    out.push_back({{"label", Label(b)},
                   {"lower", LowerBound(b)},
                   {"upper", UpperBound(b) < 0 ? nlohmann::json(nullptr)
                                               : nlohmann::json(UpperBound(b))}});
  }
  return out;
}

void SizeHistogram::Add(const SizeHistogram& other) {
  for (size_t b = 0; b < kBuckets; ++b) counts_[b] += other.counts_[b];
}

int64_t SizeHistogram::Total() const {
  int64_t total = 0;
  for (int64_t c : counts_) total += c;
  return total;
}

nlohmann::json SizeHistogram::ToJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (int64_t c : counts_) out.push_back(c);
  return out;
}

}  // namespace s3c
