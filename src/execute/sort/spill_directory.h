#pragma once
// SpillDirectory: the private folder one ExternalSorter spills its runs into,
// <spill_dir>/s3-compaction-spill-<pid>-<random>, made by mkdtemp(3) (so mode 0700 and a name no
// other sorter, in this process or another, can get), and removed with everything in it by
// Remove() or the destructor. Every name a sorter writes is made here.
//
// SweepStaleSpill removes the folders such sorters left behind when their process died without
// running destructors (SIGKILL, OOM killer): only directories named s3-compaction-spill-<pid>-*
// whose <pid> is not a live process here (kill(pid, 0) fails with ESRCH) and whose lock file
// (.lock, held with flock(2) by the sorter for the folder's life) can be locked: a pid says
// nothing across pid namespaces (containers sharing a folder), the kernel's lock does; a folder
// without its lock file is left alone for an hour (a sorter between mkdtemp and its lock). It
// never follows a symlink (a symlink named like ours is left alone) and never touches anything
// else. A pid reused by a new process keeps an old folder until that process exits: the safe
// side.
//
// Not thread-safe: one per sorter. SweepStaleSpill is safe to call concurrently with live
// sorters (theirs are alive by definition).

#include <memory>
#include <string>
#include <string_view>

#include <arrow/result.h>
#include <arrow/status.h>

namespace s3c {

class SpillDirectory {
 public:
  static constexpr std::string_view kPrefix = "s3-compaction-spill-";

  /// Makes a fresh folder inside `parent` (which must exist). Returns IOError naming `parent`
  /// when it cannot be made.
  static arrow::Result<std::unique_ptr<SpillDirectory>> Create(const std::string& parent);

  ~SpillDirectory() { Remove(); }
  SpillDirectory(const SpillDirectory&) = delete;
  SpillDirectory& operator=(const SpillDirectory&) = delete;

  const std::string& path() const { return path_; }
  /// A new file name inside the folder, "<stem>-<n>.arrows", n counting up from 1.
  std::string NewFilePath(std::string_view stem);
  /// Removes the folder and everything in it. Idempotent; best effort (a failure is only
  /// logged: there is nothing a caller could do about it). Files still open stay readable
  /// (POSIX unlink semantics).
  void Remove();
  bool removed() const { return removed_; }

 private:
  explicit SpillDirectory(std::string path) : path_(std::move(path)) {}

  const std::string path_;
  int lock_fd_ = -1;  // .lock, flock'ed while the folder lives
  int64_t next_file_ = 1;
  bool removed_ = false;
};

/// Removes stale spill folders in `spill_dir` (see above). Returns how many were removed;
/// IOError when `spill_dir` cannot be listed (a missing `spill_dir` is 0, not an error).
arrow::Result<int> SweepStaleSpill(const std::string& spill_dir);

}  // namespace s3c
