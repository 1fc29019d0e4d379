#pragma once
// Bin-packing a partition's files into compaction groups. Pure functions.
//
// Files of at least `small_file_ratio` x target are already well sized and left alone. The
// others, in listing order (which usually is write order, so rows that arrived together stay
// together), are cut into contiguous groups. One writer streams each group, rolling to a new
// file at the target size, so a group may yield several files. Groups are cut at equal shares
// of the estimated output, each at most `max_group_targets` targets: large partitions are
// written in parallel, and a group of at least 10 targets can always be split into files that
// are all within 10% of the target (the writer fills its first file to the target, then splits
// the rest evenly; see FileSizePolicy), so only the partition's last file is ever short.

#include <cstdint>
#include <vector>

namespace s3c {

struct PackingOptions {
  int64_t target_bytes = 128LL << 20;
  /// Files at least this fraction of the target are left alone. Default 0.75.
  double small_file_ratio = 0.75;
  /// A group's estimated output is at most this many targets. Default 20; at least 10 is used.
  double max_group_targets = 20.0;
};

struct FileToPack {
  int64_t size_bytes = 0;              // the file's size on storage
  int64_t estimated_output_bytes = 0;  // what its rows will take in a compacted file
};

struct Packing {
  std::vector<size_t> large;                // indices of files left alone
  std::vector<std::vector<size_t>> groups;  // indices of the small files, contiguous runs
  std::vector<int64_t> group_estimated_bytes;

  size_t small_files() const;
  /// ceil(estimated output / target) summed over groups: the files the groups should yield.
  int64_t EstimatedOutputFiles(int64_t target_bytes) const;
};

Packing PackFiles(const std::vector<FileToPack>& files, const PackingOptions& options);

}  // namespace s3c
