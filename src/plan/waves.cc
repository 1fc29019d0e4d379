#include "plan/waves.h"

#include <algorithm>

namespace s3c {

std::vector<std::pair<size_t, size_t>> Waves::Cut(const std::vector<int64_t>& files,
                                                  int64_t max_files) {
  max_files = std::max<int64_t>(1, max_files);
  const int64_t max_partitions = std::max<int64_t>(10, max_files / 10);
  std::vector<std::pair<size_t, size_t>> waves;
  size_t begin = 0;
  int64_t in_wave = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const int64_t here = std::max<int64_t>(1, files[i]);
    if (i > begin && (in_wave + here > max_files ||
                      static_cast<int64_t>(i - begin) >= max_partitions)) {
      waves.emplace_back(begin, i);
      begin = i;
      in_wave = 0;
    }
    in_wave += here;
  }
  if (begin < files.size()) waves.emplace_back(begin, files.size());
  return waves;
}

std::vector<int64_t> Waves::FilesOf(const std::vector<Partition>& partitions) {
  std::vector<int64_t> files;
  files.reserve(partitions.size());
  for (const auto& p : partitions) {
    files.push_back(p.files ? static_cast<int64_t>(p.files->size()) : p.listed_files);
  }
  return files;
}

}  // namespace s3c
