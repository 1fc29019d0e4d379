#pragma once
// Location: a place in some storage, the Arrow filesystem plus a path inside it. Every object
// the tool touches is named by a Location, and messages print it as a URI
// (s3://bucket/key, or an absolute local path).
//
// A value type; copies share the filesystem, which is thread-safe.

#include <memory>
#include <string>
#include <string_view>

#include <arrow/filesystem/filesystem.h>

namespace s3c {

struct Location {
  std::shared_ptr<arrow::fs::FileSystem> fs;
  std::string path;  // the filesystem's own path: "bucket/key" on S3, "/abs/dir" locally

  /// "s3://bucket/key" for S3, the path itself for local files.
  std::string uri() const;

  /// This location with "/" + relative appended (relative may hold several segments).
  Location Child(std::string_view relative) const;

  bool is_s3() const;

  /// True iff `other` is this location or lies below it, on the same filesystem.
  bool Contains(const Location& other) const;
  /// True iff each contains the other: the same folder, however its path ends.
  bool SameFolder(const Location& other) const { return Contains(other) && other.Contains(*this); }
};

/// Joins two path fragments with exactly one '/' between them.
std::string JoinPath(std::string_view base, std::string_view relative);

/// The last segment of a path: "a/b/c.parquet" -> "c.parquet".
std::string_view BaseName(std::string_view path);

}  // namespace s3c
