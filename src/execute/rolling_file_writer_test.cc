#include "execute/rolling_file_writer.h"

#include <filesystem>
#include <random>

#include <arrow/api.h>
#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>

#include "util/test_util.h"
#include "util/testing/temp_dir.h"

namespace s3c {
namespace {

class RollingFileWriterTest : public ::testing::Test {
 protected:
  // Rows with moderately compressible strings.
  std::shared_ptr<arrow::RecordBatch> Batch(int64_t first, int64_t rows) {
    arrow::Int64Builder ids;
    arrow::StringBuilder strings;
    std::mt19937 rng(static_cast<unsigned>(first));
    for (int64_t i = 0; i < rows; ++i) {
      EXPECT_TRUE(ids.Append(first + i).ok());
      EXPECT_TRUE(strings.Append("value-" + std::to_string(rng() % 5000)).ok());
    }
    return arrow::RecordBatch::Make(schema_, rows, {ids.Finish().ValueOrDie(),
                                                    strings.Finish().ValueOrDie()});
  }

  RollingFileWriter::OpenOutput Opener() {
    return [this](int index) -> arrow::Result<std::pair<Location, std::shared_ptr<arrow::io::OutputStream>>> {
      Location out{fs_, (dir_ / ("f" + std::to_string(index) + ".parquet")).string()};
      ARROW_ASSIGN_OR_RAISE(auto stream, fs_->OpenOutputStream(out.path));
      return std::make_pair(out, stream);
    };
  }

  std::unique_ptr<RollingFileWriter> Writer(int64_t target, int64_t expected_rows,
                                            bool exact = true) {
    RollingWriterOptions options;
    options.expected_rows_exact = exact;
    options.size.target_bytes = target;
    options.row_group_bytes = target / 4;
    options.expected_rows = expected_rows;
    options.initial_bytes_per_row = 30;  // deliberately off: the writer must learn
    parquet::WriterProperties::Builder props;
    props.compression(arrow::Compression::SNAPPY);
    props.max_row_group_length(1 << 30);
    return std::make_unique<RollingFileWriter>(schema_, props.build(),
                                               parquet::default_arrow_writer_properties(),
                                               options, Opener());
  }

  testing::TempDir temp_;
  const std::filesystem::path dir_ = temp_.path();
  std::shared_ptr<arrow::fs::FileSystem> fs_ = std::make_shared<arrow::fs::LocalFileSystem>();
  std::shared_ptr<arrow::Schema> schema_ =
      arrow::schema({arrow::field("id", arrow::int64()), arrow::field("s", arrow::utf8())});
};

TEST_F(RollingFileWriterTest, FilesLandOnTargetAndKeepEveryRow) {
  constexpr int64_t kTarget = 512 << 10;
  constexpr int64_t kRows = 600000;
  auto writer = Writer(kTarget, kRows);
  for (int64_t first = 0; first < kRows; first += 7000) {
    ASSERT_OK(writer->Add(Batch(first, std::min<int64_t>(7000, kRows - first))));
  }
  ASSERT_OK(writer->Finish());
  const auto& files = writer->files();
  ASSERT_GE(files.size(), 5u);
  int64_t rows = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    EXPECT_TRUE(f.complete);
    EXPECT_EQ(static_cast<int64_t>(std::filesystem::file_size(f.location.path)), f.bytes);
    auto reader = parquet::ParquetFileReader::OpenFile(f.location.path);
    EXPECT_EQ(reader->metadata()->num_rows(), f.rows);
    EXPECT_EQ(reader->metadata()->num_row_groups(), f.row_groups);
    EXPECT_GE(f.row_groups, 2) << "row groups aim at a quarter of the target";
    rows += f.rows;
    if (i + 1 < files.size()) {
      EXPECT_NEAR(static_cast<double>(f.bytes), kTarget, 0.10 * kTarget) << "file " << i;
    }
  }
  EXPECT_EQ(rows, kRows);
}

TEST_F(RollingFileWriterTest, SmallStreamIsOneFile) {
  auto writer = Writer(8 << 20, 1000);
  ASSERT_OK(writer->Add(Batch(0, 1000)));
  ASSERT_OK(writer->Finish());
  ASSERT_EQ(writer->files().size(), 1u);
  EXPECT_EQ(writer->files()[0].rows, 1000);
}

TEST_F(RollingFileWriterTest, NoRowsNoFiles) {
  auto writer = Writer(8 << 20, 0);
  ASSERT_OK(writer->Finish());
  EXPECT_TRUE(writer->files().empty());
}

TEST_F(RollingFileWriterTest, AbandonListsWhatItCreatedAndCompletesNothing) {
  auto writer = Writer(64 << 10, 100000);
  ASSERT_OK(writer->Add(Batch(0, 50000)));
  writer->Abandon();
  ASSERT_FALSE(writer->files().empty());
  EXPECT_FALSE(writer->files().back().complete);
  EXPECT_FALSE(writer->Add(Batch(0, 10)).ok());  // sticky
  EXPECT_FALSE(writer->Finish().ok());
}

TEST_F(RollingFileWriterTest, WrongEstimateOfRowsCostsEvennessNotRows) {
  auto writer = Writer(256 << 10, 1000);  // told 1,000 rows, given 200,000
  for (int64_t first = 0; first < 200000; first += 10000) {
    ASSERT_OK(writer->Add(Batch(first, 10000)));
  }
  ASSERT_OK(writer->Finish());
  int64_t rows = 0;
  const auto& files = writer->files();
  for (size_t i = 0; i < files.size(); ++i) {
    rows += files[i].rows;
    // The first file ends at the 1,000 rows it was promised; rows beyond the count then fill
    // files to the target (once, every row beyond it made a file of its own).
    if (i > 0 && i + 1 < files.size()) {
      EXPECT_NEAR(static_cast<double>(files[i].bytes), 256 << 10, 0.10 * (256 << 10)) << i;
    }
  }
  EXPECT_EQ(rows, 200000);
  EXPECT_GT(files.size(), 1u);
}

TEST_F(RollingFileWriterTest, AnEstimateTooLowMakesNoRuntFile) {
  // Deferred footers: rows are estimated from file sizes and corrected as each input's footer
  // is read, a few inputs ahead of the writer. Rows beyond the estimate must join the last file,
  // not start a tiny one.
  constexpr int64_t kTarget = 512 << 10;
  constexpr int64_t kRows = 300000;
  constexpr int64_t kBatch = 5000;
  const int64_t estimated_rows_per_batch = kBatch * 97 / 100;  // every input estimated 3% low
  auto exact = Writer(kTarget, kRows);
  auto estimated = Writer(kTarget, kRows / kBatch * estimated_rows_per_batch, /*exact=*/false);
  for (int64_t first = 0; first < kRows; first += kBatch) {
    // This input's footer is read (three inputs ahead of the one written, here: its own).
    const bool last_footer = first + kBatch >= kRows;
    estimated->AdjustExpectedRows(kBatch - estimated_rows_per_batch, last_footer);
    ASSERT_OK(exact->Add(Batch(first, kBatch)));
    ASSERT_OK(estimated->Add(Batch(first, kBatch)));
  }
  ASSERT_OK(exact->Finish());
  ASSERT_OK(estimated->Finish());
  ASSERT_GE(exact->files().size(), 2u);
  EXPECT_EQ(estimated->files().size(), exact->files().size());
  int64_t rows = 0;
  const auto& files = estimated->files();
  for (size_t i = 0; i < files.size(); ++i) {
    rows += files[i].rows;
    if (i + 1 < files.size()) {
      EXPECT_NEAR(static_cast<double>(files[i].bytes), kTarget, 0.10 * kTarget) << i;
    }
  }
  EXPECT_EQ(rows, kRows);
  // The last file took the rows the estimate missed (balanced files here are ~7% over).
  EXPECT_NEAR(static_cast<double>(files.back().bytes), kTarget, 0.15 * kTarget);
}

TEST_F(RollingFileWriterTest, AnEstimateTooLowMakesNoRuntRowGroup) {
  // A partition that fits in one file and one row group, whose row count is estimated a
  // little low and corrected only at the end (the last footers are read while the writer
  // works): one row group, not one plus a runt of the rows the estimate missed.
  constexpr int64_t kTarget = 8 << 20;
  constexpr int64_t kRows = 60000;
  for (int64_t missed : {1, 37, 600}) {
    auto writer = Writer(kTarget, kRows - missed, /*exact=*/false);
    for (int64_t first = 0; first < kRows; first += 3000) {
      if (first + 3000 >= kRows) writer->AdjustExpectedRows(missed, /*exact=*/true);
      ASSERT_OK(writer->Add(Batch(first, 3000)));
    }
    ASSERT_OK(writer->Finish());
    ASSERT_EQ(writer->files().size(), 1u);
    auto reader = parquet::ParquetFileReader::OpenFile(writer->files()[0].location.path);
    auto metadata = reader->metadata();
    EXPECT_EQ(metadata->num_rows(), kRows);
    EXPECT_EQ(metadata->num_row_groups(), 1) << "missed " << missed << ": second row group of "
        << (metadata->num_row_groups() > 1 ? metadata->RowGroup(1)->num_rows() : 0) << " rows";
  }
}

TEST_F(RollingFileWriterTest, RowsBeyondAnUncorrectedEstimateFillTheLastFile) {
  // What is still uncorrected at the end is the estimate of the few inputs read ahead: a
  // fraction of a percent of a partition's rows. Those rows join the last file.
  constexpr int64_t kTarget = 512 << 10;
  constexpr int64_t kRows = 300000;
  auto writer = Writer(kTarget, kRows * 995 / 1000, /*exact=*/false);  // never corrected
  for (int64_t first = 0; first < kRows; first += 5000) {
    ASSERT_OK(writer->Add(Batch(first, 5000)));
  }
  ASSERT_OK(writer->Finish());
  int64_t rows = 0;
  for (const auto& f : writer->files()) {
    rows += f.rows;
    EXPECT_LE(static_cast<double>(f.bytes), 1.11 * kTarget);
  }
  EXPECT_EQ(rows, kRows);
  EXPECT_GT(static_cast<double>(writer->files().back().bytes), 0.5 * kTarget);
}

TEST_F(RollingFileWriterTest, CorrectedEstimateBalancesLikeAnExactOne) {
  constexpr int64_t kTarget = 512 << 10;
  constexpr int64_t kRows = 300000;
  auto writer = Writer(kTarget, kRows * 90 / 100, /*exact=*/false);
  ASSERT_OK(writer->Add(Batch(0, 50000)));
  writer->AdjustExpectedRows(kRows - kRows * 90 / 100, /*exact=*/true);
  for (int64_t first = 50000; first < kRows; first += 5000) {
    ASSERT_OK(writer->Add(Batch(first, 5000)));
  }
  ASSERT_OK(writer->Finish());
  int64_t rows = 0;
  for (const auto& f : writer->files()) {
    rows += f.rows;
    EXPECT_NEAR(static_cast<double>(f.bytes), kTarget, 0.10 * kTarget);
  }
  EXPECT_EQ(rows, kRows);
}

}  // namespace
}  // namespace s3c
