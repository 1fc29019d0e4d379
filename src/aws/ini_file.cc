#include "aws/ini_file.h"

#include <fstream>
#include <sstream>

#include "util/logging.h"

namespace s3c::aws {
namespace {

std::string Trim(const std::string& s) {
  auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

}  // namespace

IniFile IniFile::Parse(const std::string& text) {
  IniFile file;
  std::istringstream in(text);
  std::string line;
  Section* current = nullptr;
  while (std::getline(in, line)) {
    const bool indented = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    std::string trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#' || trimmed[0] == ';') continue;
    if (trimmed.front() == '[' && trimmed.back() == ']') {
      current = &file.sections_[Trim(trimmed.substr(1, trimmed.size() - 2))];
      continue;
    }
    if (!current || indented) continue;
    auto eq = trimmed.find('=');
    if (eq == std::string::npos) continue;
    std::string value = Trim(trimmed.substr(eq + 1));
    // An inline comment needs whitespace before it: "key = value # note".
    for (const char* marker : {" #", "\t#", " ;", "\t;"}) {
      auto at = value.find(marker);
      if (at != std::string::npos) value = Trim(value.substr(0, at));
    }
    (*current)[Trim(trimmed.substr(0, eq))] = value;
  }
  return file;
}

IniFile IniFile::Load(const std::string& path) {
  // Read at most 16 MiB: /dev/zero or /dev/urandom named as the config (or linked to) would
  // otherwise be read until the memory runs out. (/dev/null reads as an empty file.)
  constexpr size_t kMaxBytes = 16 << 20;
  std::ifstream in(path, std::ios::binary);
  if (!in) return IniFile{};
  std::string text;
  char chunk[1 << 16];
  while (text.size() <= kMaxBytes && in.read(chunk, sizeof(chunk)).gcount() > 0) {
    text.append(chunk, static_cast<size_t>(in.gcount()));
  }
  if (text.size() > kMaxBytes) {
    log::Warn("AWS config file ", path, " is larger than 16 MiB; ignored");
    IniFile none;
    none.oversized_ = true;
    return none;
  }
  return Parse(text);
}

const IniFile::Section* IniFile::Find(const std::string& section) const {
  auto it = sections_.find(section);
  return it == sections_.end() ? nullptr : &it->second;
}

}  // namespace s3c::aws
