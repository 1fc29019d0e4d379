#pragma once
// ReadLines: the lines of a small text file a test wrote or had written (an op log, say),
// without their line breaks; empty when the file does not exist.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace s3c::testing {

inline std::vector<std::string> ReadLines(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace s3c::testing
