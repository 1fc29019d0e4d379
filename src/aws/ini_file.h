#pragma once
// IniFile: the AWS shared config and credentials file format. "[section]" headers, "key = value"
// lines, '#' and ';' comments, keys case-sensitive as the SDKs read them. Indented lines
// (sub-properties such as "s3 =\n  max_concurrent_requests = 10") belong to the key above and
// are kept out of the flat view.

#include <map>
#include <optional>
#include <string>

namespace s3c::aws {

class IniFile {
 public:
  using Section = std::map<std::string, std::string>;

  static IniFile Parse(const std::string& text);
  /// An empty file when the path does not exist or cannot be read; also (with a warning) when
  /// it holds more than 16 MiB (a device such as /dev/zero never ends).
  static IniFile Load(const std::string& path);

  const Section* Find(const std::string& section) const;
  bool empty() const { return sections_.empty(); }
  /// Load found more than 16 MiB and read none of it.
  bool oversized() const { return oversized_; }

 private:
  std::map<std::string, Section> sections_;
  bool oversized_ = false;
};

}  // namespace s3c::aws
