#include "plan/bin_packer.h"

#include <algorithm>
#include <cmath>

namespace s3c {

size_t Packing::small_files() const {
  size_t n = 0;
  for (const auto& group : groups) n += group.size();
  return n;
}

int64_t Packing::EstimatedOutputFiles(int64_t target_bytes) const {
  int64_t files = 0;
  for (int64_t bytes : group_estimated_bytes) {
    // A group of ten targets or more is split evenly (round); a smaller one fills files to the
    // target and leaves the rest in a last one (ceil).
    const double targets = static_cast<double>(bytes) / static_cast<double>(target_bytes);
    files += std::max<int64_t>(1, static_cast<int64_t>(targets >= 10 ? std::round(targets)
                                                                      : std::ceil(targets)));
  }
  return files;
}

Packing PackFiles(const std::vector<FileToPack>& files, const PackingOptions& options) {
  Packing packing;
  const double threshold = options.small_file_ratio * static_cast<double>(options.target_bytes);
  std::vector<size_t> small;
  int64_t total = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    if (static_cast<double>(files[i].size_bytes) >= threshold) {
      packing.large.push_back(i);
    } else {
      small.push_back(i);
      total += files[i].estimated_output_bytes;
    }
  }
  if (small.empty()) return packing;

  const double max_group = std::max(10.0, options.max_group_targets) *
                           static_cast<double>(options.target_bytes);
  const int64_t groups = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(total / max_group)));
  const double share = static_cast<double>(total) / static_cast<double>(groups);

  packing.groups.emplace_back();
  packing.group_estimated_bytes.push_back(0);
  int64_t cumulative = 0;
  for (size_t i : small) {
    // Start the next group once the current one has its share (the last takes the rest).
    if (static_cast<int64_t>(packing.groups.size()) < groups && !packing.groups.back().empty() &&
        static_cast<double>(cumulative) >= share * static_cast<double>(packing.groups.size())) {
      packing.groups.emplace_back();
      packing.group_estimated_bytes.push_back(0);
    }
    packing.groups.back().push_back(i);
    packing.group_estimated_bytes.back() += files[i].estimated_output_bytes;
    cumulative += files[i].estimated_output_bytes;
  }
  return packing;
}

}  // namespace s3c
