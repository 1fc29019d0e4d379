#pragma once
// FaultInjectingFileSystem: an arrow::fs::FileSystem decorator that routes every storage
// operation of the wrapped filesystem through StorageFaults (counted, logged, failed or crashed
// after at the Nth): LevelDB's FaultInjectionTestEnv for Arrow's Env. Test-only: FileSystems
// wraps its filesystems in it only when StorageFaults is enabled.
//
// One operation each (op name in the log, then the object): GetFileInfo (per path, also for each
// path of the vector overload), ListDir (GetFileInfo with a selector), CreateDir, DeleteDir,
// DeleteDirContents, DeleteRootDirContents, DeleteFile (per path, also for each path of
// DeleteFiles), Move and CopyFile ("src -> dest"), OpenInputStream, OpenInputFile (the FileInfo
// overloads pass the FileInfo on, so S3 still skips its HEAD), OpenOutputStream,
// OpenAppendStream. The files and streams they return are wrapped too: each Read and ReadAt of
// an input is one operation ("Read", "ReadAt" with "path @offset+length"), and so is the Close
// of an output ("Close": on S3 the PUT or the multipart completion), also when the stream is
// closed by its destructor; an injected Close failure abandons the stream (Abort), so nothing
// of it is published later. Writes, Flush, Tell, GetSize, Seek, Peek, WillNeed, Abort and the
// input's Close are delegated without counting.
//
// The async variants are not overridden: Arrow's defaults run the synchronous ones on this
// object (ReadAsync and ReadManyAsync call ReadAt; GetFileInfoGenerator calls ListDir; the
// OpenInput*Async call OpenInput*), so what they do is counted once, where it starts.
//
// type_name() is the wrapped one's ("s3" stays "s3"); Equals compares the wrapped filesystems.
// Objects are named as URIs in the log ("s3://bucket/key" on S3, the path elsewhere).
// Thread-safe as the wrapped filesystem is.

#include <memory>
#include <string>

#include <arrow/filesystem/filesystem.h>

namespace s3c {

class FaultInjectingFileSystem : public arrow::fs::FileSystem {
 public:
  explicit FaultInjectingFileSystem(std::shared_ptr<arrow::fs::FileSystem> base);

  /// `base` wrapped if StorageFaults is enabled, else `base` itself.
  static std::shared_ptr<arrow::fs::FileSystem> WrapIfEnabled(
      std::shared_ptr<arrow::fs::FileSystem> base);

  const std::shared_ptr<arrow::fs::FileSystem>& base() const { return base_; }

  std::string type_name() const override { return base_->type_name(); }
  bool Equals(const arrow::fs::FileSystem& other) const override;

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
      const std::vector<std::string>& paths) override;
  arrow::Result<arrow::fs::FileInfoVector> GetFileInfo(
      const arrow::fs::FileSelector& select) override;

  arrow::Status CreateDir(const std::string& path, bool recursive) override;
  arrow::Status DeleteDir(const std::string& path) override;
  arrow::Status DeleteDirContents(const std::string& path, bool missing_dir_ok) override;
  arrow::Status DeleteRootDirContents() override;
  arrow::Status DeleteFile(const std::string& path) override;
  arrow::Status DeleteFiles(const std::vector<std::string>& paths) override;
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

 private:
  /// How the log names `path`: "s3://bucket/key" on S3, the path itself elsewhere.
  std::string Name(const std::string& path) const;

  std::shared_ptr<arrow::fs::FileSystem> base_;
};

}  // namespace s3c
