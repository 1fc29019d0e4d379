#pragma once
// RequestCountingFileSystem: an arrow::fs::FileSystem decorator that counts the storage requests
// each call of the wrapped filesystem makes (StorageRequests), and changes nothing else: every
// call is forwarded once, as made, with its result. FileSystems wraps every filesystem it makes
// in one (inside FaultInjectingFileSystem, so a call failed on purpose is never counted).
//
// On S3 a call counts the requests Arrow's S3FileSystem sends for it (Arrow 26, s3fs.cc, for
// AWS S3 and stores like it; MinIO takes an extra HEAD here and there). Elsewhere (local disk)
// the same call counts as one operation of the kind S3 would bill for it, and calls on folders
// are not counted (S3 has no folders; the tool makes none there).
//
//   call                          S3                                      local
//   GetFileInfo(path)             HEAD (HeadBucket for a bucket, nothing  HEAD
//                                 for ""); + LIST when no object has the
//                                 name (Arrow then asks if it is a folder)
//   GetFileInfo(selector)         LIST per page: 1,000 entries (files     same
//                                 and subfolders; files alone when
//                                 recursive), at least one
//   OpenInputFile/Stream(path)    HEAD (the size)                         same
//   OpenInputFile/Stream(info)    nothing; HEAD if the info has no size   same
//   Read/ReadAt of an input       GET each, unless it returned no bytes   same
//                                 without an error (Arrow sends nothing
//                                 for an empty range)
//   an output stream              at Close: one PutObject (PUT); past     PUT at Close
//                                 10 MiB a multipart upload instead:
//                                 Create, each 10 MiB part as written,
//                                 the last part and Complete, a PUT each
//                                 (Arrow's buffering replayed); Abort of
//                                 a started upload: DELETE
//   CopyFile                      COPY                                    COPY
//   Move                          COPY + DELETE + PUT (a folder marker    COPY (a rename)
//                                 Arrow puts back)
//   DeleteFile                    HEAD + DELETE + PUT (marker)            DELETE
//   CreateDir                     recursive: HeadBucket + PUT per folder  not counted
//                                 level; else LIST + PUT
//   DeleteDir, DeleteDirContents  LIST + DELETE (+ DELETE of the marker)  not counted
//                                 + PUT: one page and one batch assumed
//
// GetFileInfoGenerator counts each batch it yields as the pages it holds (a page on S3), and a
// listing that yields none as one LIST.
//
// A call that fails counts what it would have sent (the request was made and failed), except
// GetFileInfo's extra LIST, counted only when the HEAD found nothing. Calls Arrow's defaults
// route through the ones above (the vector GetFileInfo, DeleteFiles, GetFileInfoGenerator, the
// async variants, ReadAsync on an input) are counted there, once.
//
// type_name() is the wrapped one's; Equals compares the wrapped filesystems. Thread-safe as the
// wrapped filesystem is.

#include <memory>
#include <string>

#include "storage/forwarding_file_system.h"
#include "storage/storage_requests.h"

namespace s3c {

class RequestCountingFileSystem final : public ForwardingFileSystem {
 public:
  RequestCountingFileSystem(std::shared_ptr<arrow::fs::FileSystem> base,
                            std::shared_ptr<StorageRequests> requests);

  const std::shared_ptr<arrow::fs::FileSystem>& base() const { return base_; }

  std::string type_name() const override { return base_->type_name(); }
  bool Equals(const arrow::fs::FileSystem& other) const override;

  using ForwardingFileSystem::CreateDir;
  using ForwardingFileSystem::DeleteDirContents;
  using ForwardingFileSystem::GetFileInfo;
  arrow::Result<arrow::fs::FileInfo> GetFileInfo(const std::string& path) override;
  arrow::Result<arrow::fs::FileInfoVector> GetFileInfo(
      const arrow::fs::FileSelector& select) override;
  /// Each batch counted as the pages it holds; an empty listing as one.
  arrow::fs::FileInfoGenerator GetFileInfoGenerator(
      const arrow::fs::FileSelector& select) override;
  arrow::Status CreateDir(const std::string& path, bool recursive) override;
  arrow::Status DeleteDir(const std::string& path) override;
  arrow::Status DeleteDirContents(const std::string& path, bool missing_dir_ok) override;
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

  /// List requests of a listing that returned `entries` (pages of 1,000, at least one).
  static int64_t ListPages(const arrow::fs::FileInfoVector& entries, bool recursive);

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

  bool s3() const { return s3_; }
  void Add(RequestKind kind, int64_t n = 1) const { requests_->Add(kind, n); }

  std::shared_ptr<arrow::fs::FileSystem> base_;
  std::shared_ptr<StorageRequests> requests_;
  bool s3_;
};

}  // namespace s3c
