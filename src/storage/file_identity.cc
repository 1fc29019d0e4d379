#include "storage/file_identity.h"

namespace s3c {

std::string UnquotedETag(const std::string& etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    return etag.substr(1, etag.size() - 2);
  }
  return etag;
}

bool SameFile(const FileIdentity& then, const FileIdentity& now) {
  if (then.size < 0 || now.size < 0 || then.size != now.size) return false;
  if (then.is_s3() || now.is_s3()) {
    return then.is_s3() && now.is_s3() && UnquotedETag(then.etag) == UnquotedETag(now.etag);
  }
  return then.inode != 0 && then.device == now.device && then.inode == now.inode &&
         then.mtime_ns == now.mtime_ns;
}

std::string FileIdentity::ToString() const {
  std::string out = std::to_string(size) + " bytes";
  if (is_s3()) return out + ", ETag " + etag;
  return out + ", mtime " + std::to_string(mtime_ns) + " ns, inode " + std::to_string(device) +
         ":" + std::to_string(inode);
}

}  // namespace s3c
