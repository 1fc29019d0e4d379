#include "storage/local_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace s3c {
namespace {

FileRemoval Outcome(const Location& location, RemovalOutcome outcome,
                    arrow::Status status = arrow::Status::OK()) {
  return FileRemoval{location, outcome, std::move(status)};
}

arrow::Status Errno(std::string_view action, const std::string& path, int error) {
  return arrow::Status::IOError(action, " ", path, ": ", std::strerror(error));
}

// Where the file stands before acting on it: nullopt to go on, else the outcome.
std::optional<FileRemoval> Check(const Location& location, const FileIdentity& expected) {
  auto now = LstatLocal(location.path);
  if (!now.ok()) return Outcome(location, RemovalOutcome::kFailed, now.status());
  if (!now->has_value()) return Outcome(location, RemovalOutcome::kGone);
  if (!SameFile(expected, (*now)->identity)) return Outcome(location, RemovalOutcome::kChanged);
  return std::nullopt;
}

// rename(from, to) that never replaces `to`: 0 or an errno.
int RenameNoReplace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  int error = errno;
  if (error != EINVAL && error != ENOSYS && error != ENOTSUP) return error;
  // The filesystem cannot refuse to replace: check just before a plain rename.
  struct stat st;
  if (::lstat(to.c_str(), &st) == 0) return EEXIST;
  return ::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}

FileRemoval CopyThenRemove(const ExpectedMove& move) {
  std::error_code ec;
  std::filesystem::copy(move.from.path, move.to.path,
                        std::filesystem::copy_options::copy_symlinks, ec);
  if (ec) {
    return Outcome(move.from, RemovalOutcome::kFailed,
                   arrow::Status::IOError("copying ", move.from.uri(), " to ", move.to.uri(),
                                          " (another device): ", ec.message()));
  }
  FileRemoval removal = RemoveLocalIfSame({move.from, move.identity});
  if (removal.outcome == RemovalOutcome::kGone || removal.outcome == RemovalOutcome::kChanged) {
    std::filesystem::remove(move.to.path, ec);  // the archive holds only what was moved
  }
  return removal;
}

}  // namespace

arrow::Result<std::optional<LocalStat>> LstatLocal(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    return Errno("lstat", path, errno);
  }
  LocalStat out;
  out.identity.size = static_cast<int64_t>(st.st_size);
  out.identity.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL +
                          static_cast<int64_t>(st.st_mtim.tv_nsec);
  out.identity.device = static_cast<uint64_t>(st.st_dev);
  out.identity.inode = static_cast<uint64_t>(st.st_ino);
  out.kind = S_ISREG(st.st_mode)   ? LocalKind::kFile
             : S_ISLNK(st.st_mode) ? LocalKind::kSymlink
             : S_ISDIR(st.st_mode) ? LocalKind::kDirectory
                                   : LocalKind::kOther;
  return out;
}

arrow::Result<std::vector<ListedFile>> ListLocalFolder(const Location& folder) {
  std::vector<ListedFile> files;
  DIR* dir = ::opendir(folder.path.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return files;
    return Errno("listing", folder.path, errno);
  }
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  int error = errno;
  ::closedir(dir);
  if (error != 0) return Errno("listing", folder.path, error);
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    Location location = folder.Child(name);
    ARROW_ASSIGN_OR_RAISE(auto stat, LstatLocal(location.path));
    if (!stat || (stat->kind != LocalKind::kFile && stat->kind != LocalKind::kSymlink)) continue;
    files.push_back({std::move(location), stat->identity, stat->kind == LocalKind::kSymlink});
  }
  return files;
}

FileRemoval RemoveLocalIfSame(const ExpectedFile& file) {
  if (auto settled = Check(file.location, file.identity)) return *settled;
  if (::unlink(file.location.path.c_str()) == 0) {
    return Outcome(file.location, RemovalOutcome::kRemoved);
  }
  if (errno == ENOENT || errno == ENOTDIR) return Outcome(file.location, RemovalOutcome::kGone);
  return Outcome(file.location, RemovalOutcome::kFailed,
                 Errno("deleting", file.location.path, errno));
}

FileRemoval MoveLocalIfSame(const ExpectedMove& move) {
  if (auto settled = Check(move.from, move.identity)) return *settled;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(move.to.path).parent_path(), ec);
  if (ec) {
    return Outcome(move.from, RemovalOutcome::kFailed,
                   arrow::Status::IOError("creating the folder of ", move.to.path, ": ",
                                          ec.message()));
  }
  int error = RenameNoReplace(move.from.path, move.to.path);
  if (error == 0) return Outcome(move.from, RemovalOutcome::kRemoved);
  if (error == EXDEV) return CopyThenRemove(move);
  if (error == EEXIST) {
    return Outcome(move.from, RemovalOutcome::kFailed,
                   arrow::Status::IOError("moving ", move.from.path, " to ", move.to.path,
                                          ": the destination exists (not replaced)"));
  }
  if (error == ENOENT) {
    auto now = LstatLocal(move.from.path);
    if (now.ok() && !now->has_value()) return Outcome(move.from, RemovalOutcome::kGone);
  }
  return Outcome(move.from, RemovalOutcome::kFailed,
                 arrow::Status::IOError("moving ", move.from.path, " to ", move.to.path, ": ",
                                        std::strerror(error)));
}

}  // namespace s3c
