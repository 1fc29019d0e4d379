#include "storage/request_counting_file_system.h"

#include <algorithm>
#include <type_traits>

#include <arrow/buffer.h>
#include <arrow/io/interfaces.h>
#include <arrow/util/future.h>
#include <arrow/util/iterator.h>

namespace s3c {
namespace {

using arrow::Buffer;
using arrow::Result;
using arrow::Status;

// Arrow's S3 output stream: parts of this size; one request below it (allow_delayed_open).
constexpr int64_t kPartBytes = 10LL << 20;
constexpr int64_t kListPage = 1000;

// A read is a GET unless it came back empty without an error (Arrow's S3 file sends nothing for
// an empty range or at the end of the object).
template <typename T>
int64_t GetsOf(const Result<T>& result) {
  if (!result.ok()) return 1;
  if constexpr (std::is_same_v<T, int64_t>) {
    return *result > 0 ? 1 : 0;
  } else {
    return *result && (*result)->size() > 0 ? 1 : 0;
  }
}

// What an InputStream and a RandomAccessFile share: each Read counts, the rest is delegated.
template <typename Interface>
class MeteredInput : public Interface {
 public:
  Status Close() override { return base_->Close(); }
  Status Abort() override { return base_->Abort(); }
  Result<int64_t> Tell() const override { return base_->Tell(); }
  bool closed() const override { return base_->closed(); }
  const arrow::io::IOContext& io_context() const override { return base_->io_context(); }

  Result<int64_t> Read(int64_t nbytes, void* out) override {
    return Counted(base_->Read(nbytes, out));
  }
  Result<std::shared_ptr<Buffer>> Read(int64_t nbytes) override {
    return Counted(base_->Read(nbytes));
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
  MeteredInput(std::shared_ptr<Interface> base, std::shared_ptr<StorageRequests> requests)
      : base_(std::move(base)), requests_(std::move(requests)) {}

  template <typename T>
  Result<T> Counted(Result<T> result) const {
    if (int64_t n = GetsOf(result)) requests_->Add(RequestKind::kGet, n);
    return result;
  }

  std::shared_ptr<Interface> base_;
  std::shared_ptr<StorageRequests> requests_;
};

class MeteredInputStream final : public MeteredInput<arrow::io::InputStream> {
 public:
  MeteredInputStream(std::shared_ptr<arrow::io::InputStream> base,
                     std::shared_ptr<StorageRequests> requests)
      : MeteredInput(std::move(base), std::move(requests)) {}
};

// ReadAsync is not overridden: Arrow's default runs ReadAt on this object, so it counts once.
class MeteredRandomAccessFile final : public MeteredInput<arrow::io::RandomAccessFile> {
 public:
  MeteredRandomAccessFile(std::shared_ptr<arrow::io::RandomAccessFile> base,
                          std::shared_ptr<StorageRequests> requests)
      : MeteredInput(std::move(base), std::move(requests)) {}

  Result<int64_t> GetSize() override { return base_->GetSize(); }
  Status Seek(int64_t position) override { return base_->Seek(position); }
  Status WillNeed(const std::vector<arrow::io::ReadRange>& ranges) override {
    return base_->WillNeed(ranges);
  }

  Result<int64_t> ReadAt(int64_t position, int64_t nbytes, bool allow_short_read,
                         void* out) override {
    return Counted(base_->ReadAt(position, nbytes, allow_short_read, out));
  }
  Result<int64_t> ReadAt(int64_t position, int64_t nbytes, void* out) override {
    return Counted(base_->ReadAt(position, nbytes, out));
  }
  Result<std::shared_ptr<Buffer>> ReadAt(int64_t position, int64_t nbytes,
                                         bool allow_short_read) override {
    return Counted(base_->ReadAt(position, nbytes, allow_short_read));
  }
  Result<std::shared_ptr<Buffer>> ReadAt(int64_t position, int64_t nbytes) override {
    return Counted(base_->ReadAt(position, nbytes));
  }
};

// Writes are delegated; the PUTs are counted as Arrow's S3 stream sends them: parts while
// writing once 10 MiB are buffered (Create before the first), then at Close the last part and
// Complete, or a single PutObject for a smaller file. Locally, Close is one PUT.
class MeteredOutputStream final : public arrow::io::OutputStream {
 public:
  MeteredOutputStream(std::shared_ptr<arrow::io::OutputStream> base,
                      std::shared_ptr<StorageRequests> requests, bool s3)
      : base_(std::move(base)), requests_(std::move(requests)), s3_(s3) {
    set_mode(arrow::io::FileMode::WRITE);
  }

  // The wrapped stream's destructor would close it (Arrow's S3 stream then uploads): closed
  // here, so that it is counted.
  ~MeteredOutputStream() override {
    if (!base_->closed()) {
      auto st = Close();
      (void)st;  // as in Arrow's destructors: nobody is left to tell
    }
  }

  Status Close() override {
    if (base_->closed()) return base_->Close();  // idempotent, no storage touched
    if (!s3_) {
      requests_->Add(RequestKind::kPut);
    } else if (parts_ > 0) {
      // The buffered rest as the last part, then CompleteMultipartUpload.
      requests_->Add(RequestKind::kPut, (buffered_ > 0 ? 1 : 0) + 1);
    } else {
      requests_->Add(RequestKind::kPut);  // PutObject
    }
    return base_->Close();
  }
  Status Abort() override {
    if (s3_ && parts_ > 0 && !base_->closed()) requests_->Add(RequestKind::kDelete);
    return base_->Abort();
  }
  Result<int64_t> Tell() const override { return base_->Tell(); }
  bool closed() const override { return base_->closed(); }

  Status Write(const void* data, int64_t nbytes) override {
    ARROW_RETURN_NOT_OK(base_->Write(data, nbytes));
    Wrote(nbytes);
    return Status::OK();
  }
  Status Write(const std::shared_ptr<Buffer>& data) override {
    ARROW_RETURN_NOT_OK(base_->Write(data));
    Wrote(data->size());
    return Status::OK();
  }
  using arrow::io::Writable::Write;
  Status Flush() override { return base_->Flush(); }

 private:
  // Replays ObjectOutputStream::DoWrite: fill the buffered part, upload it when full, upload
  // whole parts of a large write directly, buffer the rest.
  void Wrote(int64_t nbytes) {
    if (!s3_ || nbytes <= 0) return;
    int64_t uploads = 0;
    if (buffered_ > 0) {
      const int64_t fill = std::min(nbytes, kPartBytes - buffered_);
      buffered_ += fill;
      nbytes -= fill;
      if (buffered_ < kPartBytes) return;
      buffered_ = 0;
      ++uploads;
    }
    uploads += nbytes / kPartBytes;
    buffered_ = nbytes % kPartBytes;
    if (uploads == 0) return;
    requests_->Add(RequestKind::kPut, uploads + (parts_ == 0 ? 1 : 0));  // + Create, first
    parts_ += uploads;
  }

  std::shared_ptr<arrow::io::OutputStream> base_;
  std::shared_ptr<StorageRequests> requests_;
  const bool s3_;
  int64_t buffered_ = 0;  // bytes of the part not yet uploaded
  int64_t parts_ = 0;     // parts uploaded while writing
};

// The number of folder levels of an S3 path "bucket/a/b" (2), as CreateDir puts markers for.
int64_t KeyLevels(const std::string& path) {
  const auto slash = path.find('/');
  if (slash == std::string::npos) return 0;
  int64_t levels = 1;
  for (size_t i = slash + 1; i < path.size(); ++i) levels += path[i] == '/' ? 1 : 0;
  return levels;
}

}  // namespace

RequestCountingFileSystem::RequestCountingFileSystem(std::shared_ptr<arrow::fs::FileSystem> base,
                                                     std::shared_ptr<StorageRequests> requests)
    : ForwardingFileSystem(base->io_context()),
      base_(std::move(base)),
      requests_(std::move(requests)),
      s3_(base_->type_name() == "s3") {}

bool RequestCountingFileSystem::Equals(const arrow::fs::FileSystem& other) const {
  if (this == &other) return true;
  const auto* wrapper = dynamic_cast<const RequestCountingFileSystem*>(&other);
  return wrapper != nullptr && base_->Equals(*wrapper->base_);
}

Status RequestCountingFileSystem::Call(
    Kind, std::string_view, const std::string&,
    const std::function<Status(arrow::fs::FileSystem&)>& call) const {
  return call(*base_);  // counted by the overrides, which see what each call returned
}

int64_t RequestCountingFileSystem::ListPages(const arrow::fs::FileInfoVector& entries,
                                             bool recursive) {
  int64_t keys = 0;
  for (const auto& e : entries) {
    // A recursive listing has no delimiter: its folders are inferred from the keys, not listed.
    if (!recursive || !e.IsDirectory()) ++keys;
  }
  return std::max<int64_t>(1, (keys + kListPage - 1) / kListPage);
}

Result<arrow::fs::FileInfo> RequestCountingFileSystem::GetFileInfo(const std::string& path) {
  auto info = ForwardingFileSystem::GetFileInfo(path);
  if (!s3()) {
    Add(RequestKind::kHead);
  } else if (!path.empty()) {
    Add(RequestKind::kHead);  // HeadObject, or HeadBucket for a bucket
    const bool key = path.find('/') != std::string::npos;
    if (key && info.ok() && !info->IsFile()) Add(RequestKind::kList);  // a folder?
  }
  return info;
}

Result<arrow::fs::FileInfoVector> RequestCountingFileSystem::GetFileInfo(
    const arrow::fs::FileSelector& select) {
  auto listed = ForwardingFileSystem::GetFileInfo(select);
  Add(RequestKind::kList, listed.ok() ? ListPages(*listed, select.recursive) : 1);
  return listed;
}

arrow::fs::FileInfoGenerator RequestCountingFileSystem::GetFileInfoGenerator(
    const arrow::fs::FileSelector& select) {
  auto forwarded = ForwardingFileSystem::GetFileInfoGenerator(select);
  auto counted = std::make_shared<bool>(false);  // a batch counted already
  auto requests = requests_;
  const bool recursive = select.recursive;
  return [forwarded, counted, requests, recursive]() -> arrow::Future<arrow::fs::FileInfoVector> {
    auto batch = forwarded().result();
    if (!batch.ok() || !arrow::IsIterationEnd(*batch)) {
      requests->Add(RequestKind::kList, batch.ok() ? ListPages(*batch, recursive) : 1);
      *counted = true;
    } else if (!*counted) {
      requests->Add(RequestKind::kList);  // the one request that found nothing
      *counted = true;
    }
    return arrow::Future<arrow::fs::FileInfoVector>::MakeFinished(std::move(batch));
  };
}

Status RequestCountingFileSystem::CreateDir(const std::string& path, bool recursive) {
  if (s3()) {
    if (recursive) {
      Add(RequestKind::kHead);  // does the bucket exist
      Add(RequestKind::kPut, KeyLevels(path));
    } else {
      Add(RequestKind::kList);  // does the parent exist
      Add(RequestKind::kPut);
    }
  }
  return ForwardingFileSystem::CreateDir(path, recursive);
}

Status RequestCountingFileSystem::DeleteDir(const std::string& path) {
  if (s3()) {
    Add(RequestKind::kList);
    Add(RequestKind::kDelete, 2);  // the contents, the marker
    Add(RequestKind::kPut);        // the parent's marker
  }
  return ForwardingFileSystem::DeleteDir(path);
}

Status RequestCountingFileSystem::DeleteDirContents(const std::string& path,
                                                    bool missing_dir_ok) {
  if (s3()) {
    Add(RequestKind::kList);
    Add(RequestKind::kDelete);
    Add(RequestKind::kPut);  // the folder's marker
  }
  return ForwardingFileSystem::DeleteDirContents(path, missing_dir_ok);
}

Status RequestCountingFileSystem::DeleteFile(const std::string& path) {
  if (s3()) {
    Add(RequestKind::kHead);
    Add(RequestKind::kPut);  // the parent's marker, put back
  }
  Add(RequestKind::kDelete);
  return ForwardingFileSystem::DeleteFile(path);
}

Status RequestCountingFileSystem::Move(const std::string& src, const std::string& dest) {
  Add(RequestKind::kCopy);
  if (s3()) {
    Add(RequestKind::kDelete);
    Add(RequestKind::kPut);  // the source's parent marker
  }
  return ForwardingFileSystem::Move(src, dest);
}

Status RequestCountingFileSystem::CopyFile(const std::string& src, const std::string& dest) {
  Add(RequestKind::kCopy);
  return ForwardingFileSystem::CopyFile(src, dest);
}

Result<std::shared_ptr<arrow::io::InputStream>> RequestCountingFileSystem::OpenInputStream(
    const std::string& path) {
  Add(RequestKind::kHead);
  return ForwardingFileSystem::OpenInputStream(path);
}
Result<std::shared_ptr<arrow::io::InputStream>> RequestCountingFileSystem::OpenInputStream(
    const arrow::fs::FileInfo& info) {
  if (info.size() < 0) Add(RequestKind::kHead);
  return ForwardingFileSystem::OpenInputStream(info);
}
Result<std::shared_ptr<arrow::io::RandomAccessFile>> RequestCountingFileSystem::OpenInputFile(
    const std::string& path) {
  Add(RequestKind::kHead);
  return ForwardingFileSystem::OpenInputFile(path);
}
Result<std::shared_ptr<arrow::io::RandomAccessFile>> RequestCountingFileSystem::OpenInputFile(
    const arrow::fs::FileInfo& info) {
  if (info.size() < 0) Add(RequestKind::kHead);
  return ForwardingFileSystem::OpenInputFile(info);
}

std::shared_ptr<arrow::io::InputStream> RequestCountingFileSystem::Wrap(
    std::shared_ptr<arrow::io::InputStream> stream, const std::string&) const {
  return std::make_shared<MeteredInputStream>(std::move(stream), requests_);
}
std::shared_ptr<arrow::io::RandomAccessFile> RequestCountingFileSystem::Wrap(
    std::shared_ptr<arrow::io::RandomAccessFile> file, const std::string&) const {
  return std::make_shared<MeteredRandomAccessFile>(std::move(file), requests_);
}
std::shared_ptr<arrow::io::OutputStream> RequestCountingFileSystem::Wrap(
    std::shared_ptr<arrow::io::OutputStream> stream, const std::string&) const {
  return std::make_shared<MeteredOutputStream>(std::move(stream), requests_, s3());
}

}  // namespace s3c
