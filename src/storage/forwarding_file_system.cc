#include "storage/forwarding_file_system.h"

#include <optional>

#include <arrow/util/future.h>
#include <arrow/util/iterator.h>

namespace s3c {

using arrow::Result;
using arrow::Status;
using arrow::fs::FileSystem;

template <typename R, typename F>
R ForwardingFileSystem::Forward(Kind kind, std::string_view op, const std::string& object,
                                F&& f) const {
  std::optional<R> result;
  Status st = Call(kind, op, object, [&](FileSystem& fs) {
    result.emplace(f(fs));
    return Status::OK();
  });
  if (!result.has_value()) {
    return st.ok() ? R(Status::UnknownError("storage call not made: ", op, " ", object)) : R(st);
  }
  return std::move(*result);
}

std::string ForwardingFileSystem::Name(const std::string& path) const {
  return type_name() == "s3" ? "s3://" + path : path;
}

Result<std::string> ForwardingFileSystem::NormalizePath(std::string path) {
  return Forward<Result<std::string>>(Kind::kPure, "NormalizePath", Name(path),
                                      [&](FileSystem& fs) { return fs.NormalizePath(path); });
}
Result<std::string> ForwardingFileSystem::PathFromUri(const std::string& uri_string) const {
  return Forward<Result<std::string>>(Kind::kPure, "PathFromUri", uri_string,
                                      [&](FileSystem& fs) { return fs.PathFromUri(uri_string); });
}
Result<std::string> ForwardingFileSystem::MakeUri(std::string path) const {
  return Forward<Result<std::string>>(Kind::kPure, "MakeUri", Name(path),
                                      [&](FileSystem& fs) { return fs.MakeUri(path); });
}

Result<arrow::fs::FileInfo> ForwardingFileSystem::GetFileInfo(const std::string& path) {
  return Forward<Result<arrow::fs::FileInfo>>(Kind::kStorage, "GetFileInfo", Name(path),
                                              [&](FileSystem& fs) { return fs.GetFileInfo(path); });
}

Result<arrow::fs::FileInfoVector> ForwardingFileSystem::GetFileInfo(
    const arrow::fs::FileSelector& select) {
  std::string what = Name(select.base_dir);
  if (select.recursive) what += " (recursive)";
  return Forward<Result<arrow::fs::FileInfoVector>>(
      Kind::kStorage, "ListDir", what, [&](FileSystem& fs) { return fs.GetFileInfo(select); });
}

arrow::fs::FileInfoGenerator ForwardingFileSystem::GetFileInfoGenerator(
    const arrow::fs::FileSelector& select) {
  std::string what = Name(select.base_dir);
  if (select.recursive) what += " (recursive)";
  auto keep = weak_from_this().lock();
  // Arrow's generators read ahead on its IO threads: one dropped before its end leaves a task
  // whose cleanup hangs the process at exit. Dropped early (an error, a consumer that stops),
  // the target is read to its end first.
  struct Target {
    arrow::fs::FileInfoGenerator next;
    ~Target() { DrainListing(next); }
  };
  auto target = std::make_shared<Target>();
  return [this, keep, select, what, target]() -> arrow::Future<arrow::fs::FileInfoVector> {
    arrow::fs::FileInfoVector batch;
    Status st = Call(Kind::kStorage, "ListDir", what, [&](FileSystem& fs) {
      if (!target->next) target->next = fs.GetFileInfoGenerator(select);
      auto next = target->next().result();
      if (!next.ok() || arrow::IsIterationEnd(*next)) target->next = nullptr;  // at its end
      if (!next.ok()) return next.status();
      batch = std::move(next).ValueOrDie();
      return Status::OK();
    });
    if (!st.ok()) return arrow::Future<arrow::fs::FileInfoVector>::MakeFinished(st);
    return arrow::Future<arrow::fs::FileInfoVector>::MakeFinished(std::move(batch));
  };
}

void DrainListing(arrow::fs::FileInfoGenerator& next) {
  if (!next) return;
  while (true) {
    auto batch = next().result();
    if (!batch.ok() || arrow::IsIterationEnd(*batch)) break;
  }
  next = nullptr;
}

Status ForwardingFileSystem::CreateDir(const std::string& path, bool recursive) {
  return Forward<Status>(Kind::kStorage, "CreateDir", Name(path),
                         [&](FileSystem& fs) { return fs.CreateDir(path, recursive); });
}
Status ForwardingFileSystem::DeleteDir(const std::string& path) {
  return Forward<Status>(Kind::kStorage, "DeleteDir", Name(path),
                         [&](FileSystem& fs) { return fs.DeleteDir(path); });
}
Status ForwardingFileSystem::DeleteDirContents(const std::string& path, bool missing_dir_ok) {
  return Forward<Status>(Kind::kStorage, "DeleteDirContents", Name(path), [&](FileSystem& fs) {
    return fs.DeleteDirContents(path, missing_dir_ok);
  });
}
Status ForwardingFileSystem::DeleteRootDirContents() {
  return Forward<Status>(Kind::kStorage, "DeleteRootDirContents", Name(""),
                         [&](FileSystem& fs) { return fs.DeleteRootDirContents(); });
}
Status ForwardingFileSystem::DeleteFile(const std::string& path) {
  return Forward<Status>(Kind::kStorage, "DeleteFile", Name(path),
                         [&](FileSystem& fs) { return fs.DeleteFile(path); });
}
Status ForwardingFileSystem::Move(const std::string& src, const std::string& dest) {
  return Forward<Status>(Kind::kStorage, "Move", Name(src) + " -> " + Name(dest),
                         [&](FileSystem& fs) { return fs.Move(src, dest); });
}
Status ForwardingFileSystem::CopyFile(const std::string& src, const std::string& dest) {
  return Forward<Status>(Kind::kStorage, "CopyFile", Name(src) + " -> " + Name(dest),
                         [&](FileSystem& fs) { return fs.CopyFile(src, dest); });
}

template <typename T, typename F>
Result<std::shared_ptr<T>> ForwardingFileSystem::Open(std::string_view op, const std::string& path,
                                                      F&& f) {
  ARROW_ASSIGN_OR_RAISE(auto opened, Forward<Result<std::shared_ptr<T>>>(Kind::kStorage, op,
                                                                         Name(path), f));
  return Wrap(std::move(opened), path);
}

std::shared_ptr<arrow::io::InputStream> ForwardingFileSystem::Wrap(
    std::shared_ptr<arrow::io::InputStream> stream, const std::string&) const {
  return stream;
}
std::shared_ptr<arrow::io::RandomAccessFile> ForwardingFileSystem::Wrap(
    std::shared_ptr<arrow::io::RandomAccessFile> file, const std::string&) const {
  return file;
}
std::shared_ptr<arrow::io::OutputStream> ForwardingFileSystem::Wrap(
    std::shared_ptr<arrow::io::OutputStream> stream, const std::string&) const {
  return stream;
}

Result<std::shared_ptr<arrow::io::InputStream>> ForwardingFileSystem::OpenInputStream(
    const std::string& path) {
  return Open<arrow::io::InputStream>("OpenInputStream", path,
                                      [&](FileSystem& fs) { return fs.OpenInputStream(path); });
}
Result<std::shared_ptr<arrow::io::InputStream>> ForwardingFileSystem::OpenInputStream(
    const arrow::fs::FileInfo& info) {
  return Open<arrow::io::InputStream>("OpenInputStream", info.path(),
                                      [&](FileSystem& fs) { return fs.OpenInputStream(info); });
}
Result<std::shared_ptr<arrow::io::RandomAccessFile>> ForwardingFileSystem::OpenInputFile(
    const std::string& path) {
  return Open<arrow::io::RandomAccessFile>(
      "OpenInputFile", path, [&](FileSystem& fs) { return fs.OpenInputFile(path); });
}
Result<std::shared_ptr<arrow::io::RandomAccessFile>> ForwardingFileSystem::OpenInputFile(
    const arrow::fs::FileInfo& info) {
  return Open<arrow::io::RandomAccessFile>(
      "OpenInputFile", info.path(), [&](FileSystem& fs) { return fs.OpenInputFile(info); });
}
Result<std::shared_ptr<arrow::io::OutputStream>> ForwardingFileSystem::OpenOutputStream(
    const std::string& path, const std::shared_ptr<const arrow::KeyValueMetadata>& metadata) {
  return Open<arrow::io::OutputStream>(
      "OpenOutputStream", path, [&](FileSystem& fs) { return fs.OpenOutputStream(path, metadata); });
}
Result<std::shared_ptr<arrow::io::OutputStream>> ForwardingFileSystem::OpenAppendStream(
    const std::string& path, const std::shared_ptr<const arrow::KeyValueMetadata>& metadata) {
  return Open<arrow::io::OutputStream>(
      "OpenAppendStream", path, [&](FileSystem& fs) { return fs.OpenAppendStream(path, metadata); });
}

}  // namespace s3c
