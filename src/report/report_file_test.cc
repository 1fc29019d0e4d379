#include "report/report_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "storage/file_systems.h"
#include "util/testing/temp_dir.h"

namespace s3c {
namespace {

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ReportFile, WritesAndReplacesALocalFile) {
  testing::TempDir dir;
  FileSystems file_systems;
  const std::string path = (dir.path() / "report.html").string();
  ASSERT_TRUE(WriteReport(file_systems, path, "<p>one</p>").ok());
  EXPECT_EQ(Slurp(path), "<p>one</p>");
  ASSERT_TRUE(WriteReport(file_systems, path, "<p>two</p>").ok());
  EXPECT_EQ(Slurp(path), "<p>two</p>");
  // Nothing left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
  auto read = ReadReportInput(file_systems, path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "<p>two</p>");
}

TEST(ReportFile, ErrorsNameTheFile) {
  testing::TempDir dir;
  FileSystems file_systems;
  const std::string missing = (dir.path() / "missing.json").string();
  auto read = ReadReportInput(file_systems, missing);
  ASSERT_FALSE(read.ok());
  EXPECT_TRUE(read.status().IsIOError());
  EXPECT_NE(read.status().message().find(missing), std::string::npos) << read.status();
  EXPECT_NE(read.status().message().find("no such file"), std::string::npos) << read.status();

  auto folder = ReadReportInput(file_systems, dir.path().string());
  ASSERT_FALSE(folder.ok());
  EXPECT_NE(folder.status().message().find("not a file"), std::string::npos) << folder.status();

  const std::string nowhere = (dir.path() / "no" / "such" / "folder" / "r.html").string();
  const arrow::Status written = WriteReport(file_systems, nowhere, "x");
  ASSERT_FALSE(written.ok());
  EXPECT_TRUE(written.IsIOError());
  EXPECT_NE(written.message().find("writing report " + nowhere), std::string::npos) << written;

  EXPECT_TRUE(WriteReport(file_systems, "s3://", "x").IsInvalid());
}

}  // namespace
}  // namespace s3c
