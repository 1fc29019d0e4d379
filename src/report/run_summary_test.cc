#include "report/run_summary.h"

#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "util/utf8.h"

namespace s3c {
namespace {

RunSummary WithPartitions(int n) {
  RunSummary summary;
  summary.version = "0.1.0";
  summary.run_id = "20260101T000000Z-aaaaaa";
  summary.table = "s3://bucket/t\xff";  // not UTF-8: escaped in both
  summary.notes = {"a note"};
  summary.recovered = {"run x: rolled back"};
  for (int i = 0; i < n; ++i) {
    PartitionOutcome p;
    p.partition = "day=" + std::to_string(i) + (i == 1 ? "/name=\xc3\x28" : "");
    p.status = i == 2 ? PartitionStatus::kFailed : PartitionStatus::kCompacted;
    p.reason = i == 2 ? "a \"quoted\"\nreason" : "";
    p.method = "pages";
    p.files_before = 10 + i;
    p.output_sizes = {1, 2, 3};
    p.histogram_before.Add(1000);
    p.sorted_rows = i;
    summary.partitions.push_back(p);
  }
  return summary;
}

TEST(RunSummaryTest, WriteJsonIsTheWholeDocumentDumped) {
  for (int n : {0, 1, 3}) {
    const RunSummary summary = WithPartitions(n);
    for (int indent : {2, 4}) {
      std::ostringstream written;
      summary.WriteJson(written, indent);
      EXPECT_EQ(written.str(), Utf8Safe(summary.ToJson()).dump(indent))
          << n << " partitions, indent " << indent;
      EXPECT_EQ(nlohmann::json::parse(written.str())["details"].size(), static_cast<size_t>(n));
    }
  }
}

}  // namespace
}  // namespace s3c
