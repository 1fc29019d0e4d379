#include "execute/sort/spill_directory.h"

#include <errno.h>
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
  return std::unique_ptr<SpillDirectory>(new SpillDirectory(buffer.data()));
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
