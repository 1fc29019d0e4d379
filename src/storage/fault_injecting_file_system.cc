#include "storage/fault_injecting_file_system.h"

#include <arrow/buffer.h>
#include <arrow/io/interfaces.h>
#include <arrow/util/future.h>

#include "storage/storage_faults.h"

namespace s3c {
namespace {

using arrow::Buffer;
using arrow::Result;
using arrow::Status;

std::string Range(const std::string& name, int64_t position, int64_t nbytes) {
  return name + " @" + std::to_string(position) + "+" + std::to_string(nbytes);
}

// What an InputStream and a RandomAccessFile share: each Read is an operation, the rest is
// delegated.
template <typename Interface>
class CountedInput : public Interface {
 public:
  Status Close() override { return base_->Close(); }
  Status Abort() override { return base_->Abort(); }
  Result<int64_t> Tell() const override { return base_->Tell(); }
  bool closed() const override { return base_->closed(); }
  const arrow::io::IOContext& io_context() const override { return base_->io_context(); }

  Result<int64_t> Read(int64_t nbytes, void* out) override {
    return StorageFaults::Run("Read", Size(nbytes), [&] { return base_->Read(nbytes, out); });
  }
  Result<std::shared_ptr<Buffer>> Read(int64_t nbytes) override {
    return StorageFaults::Run("Read", Size(nbytes), [&] { return base_->Read(nbytes); });
  }

  Result<std::string_view> Peek(int64_t nbytes) override { return base_->Peek(nbytes); }
  bool supports_zero_copy() const override { return base_->supports_zero_copy(); }
  Result<std::shared_ptr<const arrow::KeyValueMetadata>> ReadMetadata() override {
    return base_->ReadMetadata();
  }
  arrow::Future<std::shared_ptr<const arrow::KeyValueMetadata>> ReadMetadataAsync(
      const arrow::io::IOContext& io_context) override {
    return base_->ReadMetadataAsync(io_context);
  }

 protected:
  CountedInput(std::shared_ptr<Interface> base, std::string name)
      : base_(std::move(base)), name_(std::move(name)) {}

  std::string Size(int64_t nbytes) const { return name_ + " +" + std::to_string(nbytes); }

  std::shared_ptr<Interface> base_;
  std::string name_;
};

class CountedInputStream final : public CountedInput<arrow::io::InputStream> {
 public:
  CountedInputStream(std::shared_ptr<arrow::io::InputStream> base, std::string name)
      : CountedInput(std::move(base), std::move(name)) {}
};

class CountedRandomAccessFile final : public CountedInput<arrow::io::RandomAccessFile> {
 public:
  CountedRandomAccessFile(std::shared_ptr<arrow::io::RandomAccessFile> base, std::string name)
      : CountedInput(std::move(base), std::move(name)) {}

  Result<int64_t> GetSize() override { return base_->GetSize(); }
  Status Seek(int64_t position) override { return base_->Seek(position); }
  Status WillNeed(const std::vector<arrow::io::ReadRange>& ranges) override {
    return base_->WillNeed(ranges);
  }

  Result<int64_t> ReadAt(int64_t position, int64_t nbytes, bool allow_short_read,
                         void* out) override {
    return StorageFaults::Run("ReadAt", Range(name_, position, nbytes), [&] {
      return base_->ReadAt(position, nbytes, allow_short_read, out);
    });
  }
  Result<int64_t> ReadAt(int64_t position, int64_t nbytes, void* out) override {
    return StorageFaults::Run("ReadAt", Range(name_, position, nbytes),
                              [&] { return base_->ReadAt(position, nbytes, out); });
  }
  Result<std::shared_ptr<Buffer>> ReadAt(int64_t position, int64_t nbytes,
                                         bool allow_short_read) override {
    return StorageFaults::Run("ReadAt", Range(name_, position, nbytes),
                              [&] { return base_->ReadAt(position, nbytes, allow_short_read); });
  }
  Result<std::shared_ptr<Buffer>> ReadAt(int64_t position, int64_t nbytes) override {
    return StorageFaults::Run("ReadAt", Range(name_, position, nbytes),
                              [&] { return base_->ReadAt(position, nbytes); });
  }
};

// Close is the operation (on S3 the PUT, or the multipart completion); writes are delegated.
class CountedOutputStream final : public arrow::io::OutputStream {
 public:
  CountedOutputStream(std::shared_ptr<arrow::io::OutputStream> base, std::string name)
      : base_(std::move(base)), name_(std::move(name)) {
    set_mode(arrow::io::FileMode::WRITE);
  }

  // The wrapped stream's destructor would close it (Arrow's S3 stream then uploads): do it here,
  // so that it is counted.
  ~CountedOutputStream() override {
    if (!base_->closed()) {
      auto st = Close();
      (void)st;  // as in Arrow's destructors: nobody is left to tell
    }
  }

  Status Close() override {
    if (base_->closed()) return base_->Close();  // idempotent, no storage touched
    auto n = StorageFaults::Begin("Close", name_);
    if (!n.ok()) {
      // The Close "did not happen": abandon the stream so that no later Close publishes it.
      auto st = base_->Abort();
      (void)st;
      return n.status();
    }
    Status st = base_->Close();
    StorageFaults::End(*n);
    return st;
  }
  Status Abort() override { return base_->Abort(); }
  Result<int64_t> Tell() const override { return base_->Tell(); }
  bool closed() const override { return base_->closed(); }

  Status Write(const void* data, int64_t nbytes) override { return base_->Write(data, nbytes); }
  Status Write(const std::shared_ptr<Buffer>& data) override { return base_->Write(data); }
  using arrow::io::Writable::Write;
  Status Flush() override { return base_->Flush(); }

 private:
  std::shared_ptr<arrow::io::OutputStream> base_;
  std::string name_;
};

}  // namespace

FaultInjectingFileSystem::FaultInjectingFileSystem(std::shared_ptr<arrow::fs::FileSystem> base)
    : arrow::fs::FileSystem(base->io_context()), base_(std::move(base)) {}

std::shared_ptr<arrow::fs::FileSystem> FaultInjectingFileSystem::WrapIfEnabled(
    std::shared_ptr<arrow::fs::FileSystem> base) {
  if (!StorageFaults::enabled()) return base;
  return std::make_shared<FaultInjectingFileSystem>(std::move(base));
}

bool FaultInjectingFileSystem::Equals(const arrow::fs::FileSystem& other) const {
  if (this == &other) return true;
  const auto* wrapper = dynamic_cast<const FaultInjectingFileSystem*>(&other);
  return wrapper != nullptr && base_->Equals(*wrapper->base_);
}

std::string FaultInjectingFileSystem::Name(const std::string& path) const {
  return base_->type_name() == "s3" ? "s3://" + path : path;
}

Result<std::string> FaultInjectingFileSystem::NormalizePath(std::string path) {
  return base_->NormalizePath(std::move(path));
}
Result<std::string> FaultInjectingFileSystem::PathFromUri(const std::string& uri_string) const {
  return base_->PathFromUri(uri_string);
}
Result<std::string> FaultInjectingFileSystem::MakeUri(std::string path) const {
  return base_->MakeUri(std::move(path));
}

Result<arrow::fs::FileInfo> FaultInjectingFileSystem::GetFileInfo(const std::string& path) {
  return StorageFaults::Run("GetFileInfo", Name(path), [&] { return base_->GetFileInfo(path); });
}

Result<arrow::fs::FileInfoVector> FaultInjectingFileSystem::GetFileInfo(
    const std::vector<std::string>& paths) {
  // One operation per path, as Arrow's default (and S3: one HEAD each) does it.
  arrow::fs::FileInfoVector infos;
  infos.reserve(paths.size());
  for (const auto& path : paths) {
    ARROW_ASSIGN_OR_RAISE(auto info, GetFileInfo(path));
    infos.push_back(std::move(info));
  }
  return infos;
}

Result<arrow::fs::FileInfoVector> FaultInjectingFileSystem::GetFileInfo(
    const arrow::fs::FileSelector& select) {
  std::string what = Name(select.base_dir);
  if (select.recursive) what += " (recursive)";
  return StorageFaults::Run("ListDir", what, [&] { return base_->GetFileInfo(select); });
}

Status FaultInjectingFileSystem::CreateDir(const std::string& path, bool recursive) {
  return StorageFaults::Run("CreateDir", Name(path),
                            [&] { return base_->CreateDir(path, recursive); });
}

Status FaultInjectingFileSystem::DeleteDir(const std::string& path) {
  return StorageFaults::Run("DeleteDir", Name(path), [&] { return base_->DeleteDir(path); });
}

Status FaultInjectingFileSystem::DeleteDirContents(const std::string& path, bool missing_dir_ok) {
  return StorageFaults::Run("DeleteDirContents", Name(path),
                            [&] { return base_->DeleteDirContents(path, missing_dir_ok); });
}

Status FaultInjectingFileSystem::DeleteRootDirContents() {
  return StorageFaults::Run("DeleteRootDirContents", Name(""),
                            [&] { return base_->DeleteRootDirContents(); });
}

Status FaultInjectingFileSystem::DeleteFile(const std::string& path) {
  return StorageFaults::Run("DeleteFile", Name(path), [&] { return base_->DeleteFile(path); });
}

Status FaultInjectingFileSystem::DeleteFiles(const std::vector<std::string>& paths) {
  // One operation per file, as Arrow's default does it (S3 included).
  Status st;
  for (const auto& path : paths) st &= DeleteFile(path);
  return st;
}

Status FaultInjectingFileSystem::Move(const std::string& src, const std::string& dest) {
  return StorageFaults::Run("Move", Name(src) + " -> " + Name(dest),
                            [&] { return base_->Move(src, dest); });
}

Status FaultInjectingFileSystem::CopyFile(const std::string& src, const std::string& dest) {
  return StorageFaults::Run("CopyFile", Name(src) + " -> " + Name(dest),
                            [&] { return base_->CopyFile(src, dest); });
}

Result<std::shared_ptr<arrow::io::InputStream>> FaultInjectingFileSystem::OpenInputStream(
    const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto stream, StorageFaults::Run("OpenInputStream", Name(path), [&] {
                          return base_->OpenInputStream(path);
                        }));
  return std::make_shared<CountedInputStream>(std::move(stream), Name(path));
}

Result<std::shared_ptr<arrow::io::InputStream>> FaultInjectingFileSystem::OpenInputStream(
    const arrow::fs::FileInfo& info) {
  ARROW_ASSIGN_OR_RAISE(auto stream, StorageFaults::Run("OpenInputStream", Name(info.path()), [&] {
                          return base_->OpenInputStream(info);
                        }));
  return std::make_shared<CountedInputStream>(std::move(stream), Name(info.path()));
}

Result<std::shared_ptr<arrow::io::RandomAccessFile>> FaultInjectingFileSystem::OpenInputFile(
    const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto file, StorageFaults::Run("OpenInputFile", Name(path), [&] {
                          return base_->OpenInputFile(path);
                        }));
  return std::make_shared<CountedRandomAccessFile>(std::move(file), Name(path));
}

Result<std::shared_ptr<arrow::io::RandomAccessFile>> FaultInjectingFileSystem::OpenInputFile(
    const arrow::fs::FileInfo& info) {
  ARROW_ASSIGN_OR_RAISE(auto file, StorageFaults::Run("OpenInputFile", Name(info.path()), [&] {
                          return base_->OpenInputFile(info);
                        }));
  return std::make_shared<CountedRandomAccessFile>(std::move(file), Name(info.path()));
}

Result<std::shared_ptr<arrow::io::OutputStream>> FaultInjectingFileSystem::OpenOutputStream(
    const std::string& path, const std::shared_ptr<const arrow::KeyValueMetadata>& metadata) {
  ARROW_ASSIGN_OR_RAISE(auto stream, StorageFaults::Run("OpenOutputStream", Name(path), [&] {
                          return base_->OpenOutputStream(path, metadata);
                        }));
  return std::make_shared<CountedOutputStream>(std::move(stream), Name(path));
}

Result<std::shared_ptr<arrow::io::OutputStream>> FaultInjectingFileSystem::OpenAppendStream(
    const std::string& path, const std::shared_ptr<const arrow::KeyValueMetadata>& metadata) {
  ARROW_ASSIGN_OR_RAISE(auto stream, StorageFaults::Run("OpenAppendStream", Name(path), [&] {
                          return base_->OpenAppendStream(path, metadata);
                        }));
  return std::make_shared<CountedOutputStream>(std::move(stream), Name(path));
}

}  // namespace s3c
