#pragma once
// FileIdentity: which version of a file a name held when it was looked at, so that a later
// step can act on that version only ("delete this input only if it is still the one we read").
// Size and modification time, plus a store-specific tag: on S3 the object's ETag, on local
// disk the device and inode numbers. Two identities compare with SameFile.
//
// A value type.

#include <cstdint>
#include <string>

#include "storage/location.h"

namespace s3c {

struct FileIdentity {
  int64_t size = -1;     // bytes; -1: unknown (a default identity is never the same as any)
  int64_t mtime_ns = 0;  // ns since the epoch; S3 lists it to the millisecond

  // S3: the ETag exactly as S3 returns it, surrounding quotes included ("\"9b2cf5...\"", or
  // "\"...-3\"" for a multipart upload). Empty on local disk.
  std::string etag;

  // Local disk, from lstat: st_dev and st_ino (of the link itself for a symbolic link).
  // Zero on S3.
  uint64_t device = 0;
  uint64_t inode = 0;

  bool is_s3() const { return !etag.empty(); }

  /// For messages: "12345 bytes, ETag \"9b2c...\"" or "12345 bytes, mtime <ns>, inode 2049:1234".
  std::string ToString() const;
};

/// True iff `now` is the very version `then` identified.
///   S3: both carry an ETag, the ETags are equal (compared without surrounding quotes) and the
///       sizes are equal. The modification time is not compared: S3's own condition
///       (DeleteObjects' <ETag>) is the ETag alone, and the time's precision depends on the API
///       that reported it (milliseconds in listings, seconds in HEAD). A rewrite with the very
///       same bytes keeps a single-part upload's ETag and counts as the same file.
///   Local disk: device, inode, size and mtime_ns all equal. A file replaced by another (a
///       rename over it, or delete and re-create) has a new inode even with the same size and
///       time; a file rewritten in place changes its mtime.
/// An identity of one store is never the same as one of the other; a default one (size -1,
/// or local with inode 0) is never the same as anything.
bool SameFile(const FileIdentity& then, const FileIdentity& now);

/// One file of a listing with identities (FileSystems::ListWithIdentities).
struct ListedFile {
  Location location;
  FileIdentity identity;
  bool symlink = false;  // local disk: a symbolic link (the identity is the link's own)
};

/// `etag` without one pair of surrounding double quotes, if it has them.
std::string UnquotedETag(const std::string& etag);

}  // namespace s3c
