#pragma once
// Reading a saved report document and writing a rendered report, where the user said: a local
// path or an s3:// URI (through FileSystems), or "-" for standard input.
//
// Errors name the file or object ("writing report s3://bucket/r.html: ..."); a path spelt
// wrongly (FileSystems::CheckSpelling) is Invalid, anything that fails on the way is IOError.
// Thread-safe as FileSystems is.

#include <cstdint>
#include <string>
#include <string_view>

#include <arrow/result.h>
#include <arrow/status.h>

namespace s3c {

class FileSystems;

/// Documents larger than this are refused (a saved summary of 10,000 partitions is ~10 MiB; a
/// parsed document takes about 20 times its text in memory).
inline constexpr int64_t kMaxReportInputBytes = int64_t{128} << 20;

/// The whole of `path_or_uri` as bytes; "-" reads standard input to its end.
arrow::Result<std::string> ReadReportInput(FileSystems& file_systems,
                                           const std::string& path_or_uri);

/// Writes `content` to `path_or_uri`, replacing what was there. Locally through a temporary
/// file beside it, renamed over it once complete, so a reader never sees half a report; on S3
/// one PUT (complete or absent). The folder must exist locally (S3 has none).
arrow::Status WriteReport(FileSystems& file_systems, const std::string& path_or_uri,
                          std::string_view content);

}  // namespace s3c
