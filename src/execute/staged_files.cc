#include "execute/staged_files.h"

#include <algorithm>

#include "util/logging.h"

namespace s3c {

StagedFiles::StagedFiles(FileSystems& file_systems, std::vector<WrittenFile> files)
    : file_systems_(&file_systems), files_(std::move(files)) {
  std::sort(files_.begin(), files_.end(), [](const WrittenFile& a, const WrittenFile& b) {
    return a.location.path < b.location.path;
  });
}

StagedFiles::StagedFiles(StagedFiles&& other) noexcept
    : file_systems_(other.file_systems_), files_(std::move(other.files_)), owned_(other.owned_) {
  other.owned_ = false;
}

StagedFiles::~StagedFiles() { Discard(); }

std::vector<WrittenFile> StagedFiles::Release() {
  owned_ = false;
  return files_;
}

void StagedFiles::Discard() {
  if (!owned_ || files_.empty()) return;
  owned_ = false;
  std::vector<Location> staged;
  for (const auto& file : files_) staged.push_back(file.location);
  for (const auto& [file, st] : file_systems_->DeleteFiles(staged)) {
    log::Debug("could not remove staged ", file.uri(), " (the staging sweep will): ", st.message());
  }
}

}  // namespace s3c
