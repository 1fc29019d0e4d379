#pragma once
// FaultInjectingFileSystem: an arrow::fs::FileSystem decorator that routes every storage
// operation of the wrapped filesystem through StorageFaults (counted, logged, failed or crashed
// after at the Nth): LevelDB's FaultInjectionTestEnv for Arrow's Env. Test-only: FileSystems
// wraps its filesystems in it only when StorageFaults is enabled.
//
// One operation each: every storage call ForwardingFileSystem forwards (op name in the log, then
// the object, as named there: GetFileInfo per path, also for each path of the vector overload;
// ListDir; DeleteFile per path, also for each of DeleteFiles; Move "src -> dest"; the Open*
// calls; ...). NormalizePath, PathFromUri and MakeUri are not operations. The files and streams
// the Open* calls return are wrapped too: each Read and ReadAt of
// an input is one operation ("Read", "ReadAt" with "path @offset+length"), and so is the Close
// of an output ("Close": on S3 the PUT or the multipart completion), also when the stream is
// closed by its destructor; an injected Close failure abandons the stream (Abort), so nothing
// of it is published later. Writes, Flush, Tell, GetSize, Seek, Peek, WillNeed, Abort and the
// input's Close are delegated without counting.
//
// The async variants are not overridden: Arrow's defaults run the synchronous ones on this
// object (ReadAsync and ReadManyAsync call ReadAt), so what they do is counted once, where it
// starts.
//
// type_name() is the wrapped one's ("s3" stays "s3"); Equals compares the wrapped filesystems.
// Objects are named as URIs in the log ("s3://bucket/key" on S3, the path elsewhere).
// Thread-safe as the wrapped filesystem is.

#include <memory>
#include <string>

#include "storage/forwarding_file_system.h"

namespace s3c {

class FaultInjectingFileSystem final : public ForwardingFileSystem {
 public:
  explicit FaultInjectingFileSystem(std::shared_ptr<arrow::fs::FileSystem> base);

  /// `base` wrapped if StorageFaults is enabled, else `base` itself.
  static std::shared_ptr<arrow::fs::FileSystem> WrapIfEnabled(
      std::shared_ptr<arrow::fs::FileSystem> base);

  const std::shared_ptr<arrow::fs::FileSystem>& base() const { return base_; }

  std::string type_name() const override { return base_->type_name(); }
  bool Equals(const arrow::fs::FileSystem& other) const override;

 private:
  arrow::Status Call(Kind kind, std::string_view op, const std::string& object,
                     const std::function<arrow::Status(arrow::fs::FileSystem&)>& call)
      const override;
  std::shared_ptr<arrow::io::InputStream> Wrap(std::shared_ptr<arrow::io::InputStream> stream,
                                               const std::string& path) const override;
  std::shared_ptr<arrow::io::RandomAccessFile> Wrap(
      std::shared_ptr<arrow::io::RandomAccessFile> file, const std::string& path) const override;
  std::shared_ptr<arrow::io::OutputStream> Wrap(std::shared_ptr<arrow::io::OutputStream> stream,
                                                const std::string& path) const override;

  std::shared_ptr<arrow::fs::FileSystem> base_;
};

}  // namespace s3c
