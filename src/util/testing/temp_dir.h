#pragma once
// TempDir: a fresh, empty folder for one test, removed with everything in it when the TempDir is
// destroyed. It is made under the system temp dir by mkdtemp(3), named after the running gtest
// test (suite and name, unsafe characters replaced), this process's id and a random suffix, so
// two test processes never share one, even when they run the same test at the same moment (ctest
// -j runs each test in its own process; other checkouts may run the same suite). Construct it
// while a test runs (in a test body, or as a member of its fixture); outside one, the name says
// "no_test". A folder that cannot be made is a fatal error (abort), not a silent shared path.
// Not copyable or movable: the folder belongs to the one object. Not thread-safe to destroy while
// another thread still writes into the folder.

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>

namespace s3c::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / Prefix()).string() + "XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) {
      std::perror(("TempDir: mkdtemp " + pattern).c_str());
      std::abort();
    }
    path_ = buffer.data();
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// path() / rel: a path inside the folder (nothing is created).
  std::filesystem::path operator/(const std::filesystem::path& rel) const { return path_ / rel; }

 private:
  // "s3c_<Suite>.<Name>_<pid>_": gtest names may hold '/' (parameterised tests) and more.
  static std::string Prefix() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "no_test";
    for (char& c : name) {
      const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '-';
      if (!safe) c = '_';
    }
    return "s3c_" + name.substr(0, 120) + "_" + std::to_string(::getpid()) + "_";
  }

  std::filesystem::path path_;
};

}  // namespace s3c::testing
