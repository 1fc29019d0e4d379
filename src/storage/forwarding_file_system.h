#pragma once
// ForwardingFileSystem: an arrow::fs::FileSystem that passes each call of Arrow's interface on to
// another filesystem through one hook, Call(op, object, call). The decorators override the hook,
// not the interface: RefreshingS3FileSystem picks the S3 filesystem of the current credentials;
// FaultInjectingFileSystem counts the call as a storage operation (and fails it at the Nth).
//
// Forwarded, each as one Call (op as named here; object as a URI: "s3://bucket/key" when
// type_name() is "s3", the path elsewhere): NormalizePath, PathFromUri, MakeUri (these three
// with Pure = no storage touched), GetFileInfo (one path), ListDir (GetFileInfo with a selector;
// "(recursive)" appended), CreateDir, DeleteDir, DeleteDirContents, DeleteRootDirContents,
// DeleteFile, Move and CopyFile ("src -> dest"), OpenInputStream and OpenInputFile (both
// overloads; the FileInfo ones pass the FileInfo on, so S3 still skips its HEAD),
// OpenOutputStream, OpenAppendStream; what the Open* calls return goes through Wrap.
//
// GetFileInfoGenerator pulls its batches one at a time, each as one Call ("ListDir", named as
// the selector's listing): the first makes the target's own generator, so that a listing of
// millions of objects streams through the decorators page by page.
//
// Not overridden, so Arrow's defaults run them through the calls above on this object: the
// vector GetFileInfo and DeleteFiles (one call per path), and every *Async variant.
//
// type_name() and Equals are the subclass's. Thread-safe as the hook and the targets are.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <arrow/filesystem/filesystem.h>

namespace s3c {

/// Reads a listing generator to its end (or first error) and empties it: Arrow's generators
/// read ahead on its IO threads, and one dropped before its end hangs the process at exit.
void DrainListing(arrow::fs::FileInfoGenerator& next);

class ForwardingFileSystem : public arrow::fs::FileSystem {
 public:
  arrow::Result<std::string> NormalizePath(std::string path) override;
  arrow::Result<std::string> PathFromUri(const std::string& uri_string) const override;
  arrow::Result<std::string> MakeUri(std::string path) const override;

  using arrow::fs::FileSystem::CreateDir;
  using arrow::fs::FileSystem::DeleteDirContents;
  using arrow::fs::FileSystem::GetFileInfo;
  using arrow::fs::FileSystem::OpenAppendStream;
  using arrow::fs::FileSystem::OpenOutputStream;

  arrow::Result<arrow::fs::FileInfo> GetFileInfo(const std::string& path) override;
  arrow::Result<arrow::fs::FileInfoVector> GetFileInfo(
      const arrow::fs::FileSelector& select) override;

  /// Batches pulled synchronously; the generator keeps this filesystem alive (when it is
  /// owned by a shared_ptr, as every one of ours is).
  arrow::fs::FileInfoGenerator GetFileInfoGenerator(
      const arrow::fs::FileSelector& select) override;
  arrow::Status CreateDir(const std::string& path, bool recursive) override;
  arrow::Status DeleteDir(const std::string& path) override;
  arrow::Status DeleteDirContents(const std::string& path, bool missing_dir_ok) override;
  arrow::Status DeleteRootDirContents() override;
  arrow::Status DeleteFile(const std::string& path) override;
  arrow::Status Move(const std::string& src, const std::string& dest) override;
  arrow::Status CopyFile(const std::string& src, const std::string& dest) override;

  arrow::Result<std::shared_ptr<arrow::io::InputStream>> OpenInputStream(
      const std::string& path) override;
  arrow::Result<std::shared_ptr<arrow::io::InputStream>> OpenInputStream(
      const arrow::fs::FileInfo& info) override;
  arrow::Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenInputFile(
      const std::string& path) override;
  arrow::Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenInputFile(
      const arrow::fs::FileInfo& info) override;
  arrow::Result<std::shared_ptr<arrow::io::OutputStream>> OpenOutputStream(
      const std::string& path,
      const std::shared_ptr<const arrow::KeyValueMetadata>& metadata) override;
  arrow::Result<std::shared_ptr<arrow::io::OutputStream>> OpenAppendStream(
      const std::string& path,
      const std::shared_ptr<const arrow::KeyValueMetadata>& metadata) override;

 protected:
  using arrow::fs::FileSystem::FileSystem;

  /// Whether a call touches storage: the three path-spelling calls do not.
  enum class Kind { kStorage, kPure };

  /// Does one forwarded call: either runs `call` on the filesystem to forward to and returns its
  /// status, or returns an error without running it (then the caller returns that error). `op`
  /// and `object` name the call as in the header comment.
  virtual arrow::Status Call(Kind kind, std::string_view op, const std::string& object,
                             const std::function<arrow::Status(arrow::fs::FileSystem&)>& call)
      const = 0;

  /// What the Open* calls return, from what the target returned for `path` (default: as is).
  virtual std::shared_ptr<arrow::io::InputStream> Wrap(
      std::shared_ptr<arrow::io::InputStream> stream, const std::string& path) const;
  virtual std::shared_ptr<arrow::io::RandomAccessFile> Wrap(
      std::shared_ptr<arrow::io::RandomAccessFile> file, const std::string& path) const;
  virtual std::shared_ptr<arrow::io::OutputStream> Wrap(
      std::shared_ptr<arrow::io::OutputStream> stream, const std::string& path) const;

  /// How `object` (a path of this filesystem) is named to Call: "s3://" + path on S3.
  std::string Name(const std::string& path) const;

 private:
  template <typename R, typename F>
  R Forward(Kind kind, std::string_view op, const std::string& object, F&& f) const;
  template <typename T, typename F>
  arrow::Result<std::shared_ptr<T>> Open(std::string_view op, const std::string& path, F&& f);
};

}  // namespace s3c
