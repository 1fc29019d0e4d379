#pragma once
// Waves: how a run over a large table cuts its selected partitions into waves, each planned,
// journaled and committed before the next is planned, so that what a run holds in memory and
// writes in one journal object is one wave's, whatever the table's size (--wave_files).
//
// A wave is a run of consecutive partitions (in path order, as listed) holding at most
// `max_files` input files as listed, and at most max(10, max_files / 10) partitions (a
// partition whose files are not listed yet, as a catalog's, counts as one file). A partition
// is never split: one with more files than `max_files` is a wave of its own. Pure.

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "catalog/partition.h"

namespace s3c {

class Waves {
 public:
  /// The default of --wave_files.
  static constexpr int64_t kDefaultFiles = 100000;

  /// [begin, end) index ranges of partitions with `files` input files each (-1: not listed
  /// yet), in order, covering all of them; none for none.
  static std::vector<std::pair<size_t, size_t>> Cut(const std::vector<int64_t>& files,
                                                    int64_t max_files);
  /// The files each partition's listing holds, or counted (-1 when it has not been listed).
  static std::vector<int64_t> FilesOf(const std::vector<Partition>& partitions);
};

}  // namespace s3c
