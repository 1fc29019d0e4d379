#include "execute/sort/spill_directory.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <exception>
#include <filesystem>
#include <system_error>
#include <vector>

#include "util/logging.h"

namespace s3c {
namespace {

// The pid in "s3-compaction-spill-<pid>-<suffix>", or -1 when the name is not one of ours.
pid_t PidOf(std::string_view name) {
  if (name.substr(0, SpillDirectory::kPrefix.size()) != SpillDirectory::kPrefix) return -1;
  name.remove_prefix(SpillDirectory::kPrefix.size());
  int64_t pid = 0;
  size_t i = 0;
  while (i < name.size() && name[i] >= '0' && name[i] <= '9' && pid < (int64_t{1} << 31)) {
    pid = pid * 10 + (name[i] - '0');
    ++i;
  }
  if (i == 0 || i >= name.size() || name[i] != '-' || i + 1 == name.size()) return -1;
  if (pid <= 0 || pid >= (int64_t{1} << 31)) return -1;
  return static_cast<pid_t>(pid);
}

bool ProcessIsGone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

constexpr const char* kLockName = ".lock";

// True when the sorter that made `folder` may still be alive: its lock file is locked (by a
// process in any pid namespace of this kernel, or, over NFS, on another host), or it has no lock
// file yet and was made less than an hour ago (a sorter between mkdtemp and its lock).
bool MayBeLive(const std::filesystem::path& folder) {
  const std::string lock = (folder / kLockName).string();
  const int fd = ::open(lock.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    struct stat st {};
    if (::lstat(folder.c_str(), &st) != 0) return true;
    return ::time(nullptr) - st.st_mtime < 3600;
  }
  const bool locked = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
  ::close(fd);  // releases the lock we may have taken
  return locked;
}

arrow::Result<int> SweepStaleSpillOrThrow(const std::string& spill_dir) {
  std::error_code error;
  std::filesystem::directory_iterator it(spill_dir, error);
  if (error == std::errc::no_such_file_or_directory) return 0;
  if (error) return arrow::Status::IOError("cannot list the spill folder ", spill_dir, ": ", error.message());
  int removed = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(error)) {
    const std::filesystem::path path = it->path();
    const pid_t pid = PidOf(path.filename().string());
    if (pid < 0 || pid == ::getpid() || !ProcessIsGone(pid)) continue;
    std::error_code status_error;
    const auto status = std::filesystem::symlink_status(path, status_error);
    if (status_error || status.type() != std::filesystem::file_type::directory) continue;
    // The pid says dead in *our* pid namespace; a container sharing the folder has its own.
    if (MayBeLive(path)) continue;
    std::error_code remove_error;
    std::filesystem::remove_all(path, remove_error);
    if (remove_error) {
      log::Warn("cannot remove the stale spill folder ", path.string(), ": ",
                remove_error.message());
      continue;
    }
    ++removed;
  }
  if (error) return arrow::Status::IOError("cannot list the spill folder ", spill_dir, ": ", error.message());
  return removed;
}

}  // namespace

arrow::Result<std::unique_ptr<SpillDirectory>> SpillDirectory::Create(const std::string& parent) {
  std::string pattern = (std::filesystem::path(parent) /
                         (std::string(kPrefix) + std::to_string(::getpid()) + "-XXXXXX"))
                            .string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    const int error = errno;
    return arrow::Status::IOError("cannot make a spill folder in ", parent, ": ", ::strerror(error));
  }
  std::unique_ptr<SpillDirectory> made(new SpillDirectory(buffer.data()));
  // Held locked while the folder lives: what tells a sweeping run, in any pid namespace, that
  // the folder is in use (the kernel drops the lock when this process dies, however it dies).
  const std::string lock = (std::filesystem::path(made->path_) / kLockName).string();
  made->lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (made->lock_fd_ < 0 || ::flock(made->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    return arrow::Status::IOError("cannot lock the spill folder ", made->path_, ": ",
                                  ::strerror(error));
  }
  return made;
}

std::string SpillDirectory::NewFilePath(std::string_view stem) {
  return (std::filesystem::path(path_) / (std::string(stem) + "-" + std::to_string(next_file_++) + ".arrows"))
      .string();
}

void SpillDirectory::Remove() {
  if (removed_) return;
  removed_ = true;
  std::error_code error;
  std::filesystem::remove_all(path_, error);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // after the folder is gone: never swept while ours
  lock_fd_ = -1;
  if (error) log::Warn("cannot remove the spill folder ", path_, ": ", error.message());
}

arrow::Result<int> SweepStaleSpill(const std::string& spill_dir) {
  try {
    return SweepStaleSpillOrThrow(spill_dir);
  } catch (const std::exception& e) {  // bad_alloc, or a filesystem_error we did not foresee
    return arrow::Status::IOError("sweeping the spill folder ", spill_dir, ": ", e.what());
  }
}

}  // namespace s3c
