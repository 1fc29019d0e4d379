#include "storage/location.h"

namespace s3c {

std::string JoinPath(std::string_view base, std::string_view relative) {
  while (!base.empty() && base.back() == '/' && base.size() > 1) base.remove_suffix(1);
  while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
  if (relative.empty()) return std::string(base);
  if (base.empty()) return std::string(relative);
  std::string out(base);
  if (out.back() != '/') out += '/';
  out += relative;
  return out;
}

std::string_view BaseName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool Location::is_s3() const { return fs && fs->type_name() == "s3"; }

std::string Location::uri() const { return is_s3() ? "s3://" + path : path; }

Location Location::Child(std::string_view relative) const {
  return Location{fs, JoinPath(path, relative)};
}

bool Location::Contains(const Location& other) const {
  if (!fs || !other.fs || fs->type_name() != other.fs->type_name()) return false;
  std::string base = path;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  if (other.path == base) return true;
  return other.path.size() > base.size() && other.path.compare(0, base.size(), base) == 0 &&
         (base.back() == '/' || other.path[base.size()] == '/');
}

}  // namespace s3c
