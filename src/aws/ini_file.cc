#include "aws/ini_file.h"

#include <fstream>
#include <sstream>

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
  std::ifstream in(path);
  if (!in) return IniFile{};
  std::stringstream buffer;
  buffer << in.rdbuf();
  return Parse(buffer.str());
}

const IniFile::Section* IniFile::Find(const std::string& section) const {
  auto it = sections_.find(section);
  return it == sections_.end() ? nullptr : &it->second;
}

}  // namespace s3c::aws
