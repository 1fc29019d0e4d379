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
    : ForwardingFileSystem(base->io_context()), base_(std::move(base)) {}

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

Status FaultInjectingFileSystem::Call(
    Kind kind, std::string_view op, const std::string& object,
    const std::function<Status(arrow::fs::FileSystem&)>& call) const {
  if (kind == Kind::kPure) return call(*base_);
  return StorageFaults::Run(op, object, [&] { return call(*base_); });
}

std::shared_ptr<arrow::io::InputStream> FaultInjectingFileSystem::Wrap(
    std::shared_ptr<arrow::io::InputStream> stream, const std::string& path) const {
  return std::make_shared<CountedInputStream>(std::move(stream), Name(path));
}
std::shared_ptr<arrow::io::RandomAccessFile> FaultInjectingFileSystem::Wrap(
    std::shared_ptr<arrow::io::RandomAccessFile> file, const std::string& path) const {
  return std::make_shared<CountedRandomAccessFile>(std::move(file), Name(path));
}
std::shared_ptr<arrow::io::OutputStream> FaultInjectingFileSystem::Wrap(
    std::shared_ptr<arrow::io::OutputStream> stream, const std::string& path) const {
  return std::make_shared<CountedOutputStream>(std::move(stream), Name(path));
}

}  // namespace s3c
