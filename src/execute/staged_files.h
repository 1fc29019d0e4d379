#pragma once
// StagedFiles: the files a partition's groups wrote into staging, deleted when the guard goes
// out of scope unless Release()d. A staged file is only ever one of: still ours to throw away,
// or handed over (published, or named by a journal record that recovery will finish). Making
// the discard the default means no failure path can forget it (ccache's AtomicFile, whose
// destructor deliberately does not commit). What a delete misses is swept with the run's
// staging folder. Not thread-safe; moved, not copied.

#include <vector>

#include "execute/rolling_file_writer.h"
#include "storage/file_systems.h"

namespace s3c {

class StagedFiles {
 public:
  StagedFiles(FileSystems& file_systems, std::vector<WrittenFile> files);
  StagedFiles(StagedFiles&& other) noexcept;
  StagedFiles& operator=(StagedFiles&&) = delete;
  StagedFiles(const StagedFiles&) = delete;
  ~StagedFiles();

  const std::vector<WrittenFile>& files() const { return files_; }
  /// Hands the files over: the guard no longer deletes them.
  std::vector<WrittenFile> Release();
  /// Deletes them now (best effort; the staging sweep gets what this misses).
  void Discard();

 private:
  FileSystems* file_systems_;
  std::vector<WrittenFile> files_;
  bool owned_ = true;
};

}  // namespace s3c
