#include "report/report_file.h"

#include <unistd.h>

#include <iostream>
#include <iterator>

#include <arrow/buffer.h>
#include <arrow/filesystem/filesystem.h>
#include <arrow/io/interfaces.h>

#include "storage/file_systems.h"

namespace s3c {
namespace {

arrow::Result<std::string> ReadStandardInput() {
  std::string text;
  char buf[1 << 16];
  while (std::cin.read(buf, sizeof(buf)) || std::cin.gcount() > 0) {
    text.append(buf, static_cast<size_t>(std::cin.gcount()));
    if (static_cast<int64_t>(text.size()) > kMaxReportInputBytes) {
      return arrow::Status::IOError("standard input: larger than ", kMaxReportInputBytes,
                                    " bytes");
    }
  }
  if (std::cin.bad()) return arrow::Status::IOError("standard input: could not be read");
  return text;
}

arrow::Result<std::string> ReadAll(const Location& file) {
  ARROW_ASSIGN_OR_RAISE(const arrow::fs::FileInfo info, file.fs->GetFileInfo(file.path));
  if (info.type() == arrow::fs::FileType::NotFound) {
    return arrow::Status::IOError("no such file");
  }
  if (info.type() != arrow::fs::FileType::File) return arrow::Status::IOError("not a file");
  if (info.size() > kMaxReportInputBytes) {
    return arrow::Status::IOError("larger than ", kMaxReportInputBytes, " bytes");
  }
  ARROW_ASSIGN_OR_RAISE(auto stream, file.fs->OpenInputStream(info));
  std::string text;
  while (true) {
    ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::Buffer> chunk, stream->Read(1 << 20));
    if (chunk->size() == 0) break;
    text.append(reinterpret_cast<const char*>(chunk->data()), static_cast<size_t>(chunk->size()));
    if (static_cast<int64_t>(text.size()) > kMaxReportInputBytes) {
      return arrow::Status::IOError("larger than ", kMaxReportInputBytes, " bytes");
    }
  }
  ARROW_RETURN_NOT_OK(stream->Close());
  return text;
}

arrow::Status WriteAll(const Location& file, std::string_view content) {
  ARROW_ASSIGN_OR_RAISE(auto out, file.fs->OpenOutputStream(file.path));
  ARROW_RETURN_NOT_OK(out->Write(content.data(), static_cast<int64_t>(content.size())));
  return out->Close();
}

// Locally, a temporary file in the same folder renamed over the report.
arrow::Status WriteLocal(const Location& file, std::string_view content) {
  const Location temp{file.fs, file.path + ".tmp-" + std::to_string(::getpid())};
  arrow::Status st = WriteAll(temp, content);
  if (st.ok()) st = file.fs->Move(temp.path, file.path);
  if (!st.ok()) (void)file.fs->DeleteFile(temp.path);
  return st;
}

}  // namespace

arrow::Result<std::string> ReadReportInput(FileSystems& file_systems,
                                           const std::string& path_or_uri) {
  if (path_or_uri == "-") return ReadStandardInput();
  ARROW_ASSIGN_OR_RAISE(const Location file, file_systems.Resolve(path_or_uri));
  auto text = ReadAll(file);
  if (!text.ok()) {
    return arrow::Status::IOError("reading ", file.uri(), ": ", text.status().message());
  }
  return text;
}

arrow::Status WriteReport(FileSystems& file_systems, const std::string& path_or_uri,
                          std::string_view content) {
  ARROW_ASSIGN_OR_RAISE(const Location file, file_systems.Resolve(path_or_uri));
  const arrow::Status st = file.is_s3() ? WriteAll(file, content) : WriteLocal(file, content);
  if (!st.ok()) return arrow::Status::IOError("writing report ", file.uri(), ": ", st.message());
  return arrow::Status::OK();
}

}  // namespace s3c
