#pragma once
// ReportSections: the parts of a report page that runs and inspections share: the file-size
// histogram, the requests table and the words for a change of a number. Read from a document
// leniently (JsonView): what is missing is left out, said so in words where a reader would
// look for it. Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "report/json_view.h"

namespace s3c {

class ReportSections {
 public:
  struct HistogramSource {
    JsonView histogram;               // {"buckets", "before", "after"}; may be absent
    std::vector<JsonView> partitions;  // each with "histogram_before"/"histogram_after": the
                                       // fallback when `histogram` is absent
    int64_t target_bytes = 0;          // its bucket is marked (none when 0)
    std::string after_name = "after";  // "after (estimate)"
  };
  /// The histogram chart (class "chart chart-sizes") with a table of its numbers; or a
  /// paragraph saying the document has none. Bucket labels are the document's, else
  /// SizeHistogram's.
  static std::string FileSizes(const HistogramSource& source);

  /// A table of storage requests by kind (list, head, get, put, copy, delete, then any other,
  /// and the total); empty when `requests` is not an object.
  static std::string RequestsTable(JsonView requests, bool estimated);

  /// The sum of the numbers in `requests` (an object of kind -> count).
  static int64_t TotalRequests(JsonView requests);

  /// "4,000 → 8": a value before and after.
  static std::string Arrow(const std::string& before, const std::string& after);

  /// "-99.8%" (after against before), "" when before is 0 or nothing changed.
  static std::string PercentChange(int64_t before, int64_t after);

  /// "1 journal", "2 journals": `n` with its noun, "s" added unless n is 1.
  static std::string Counted(int64_t n, const std::string& noun);

  /// "12.5%" of `share` (0..1).
  static std::string Percent(double share);
};

}  // namespace s3c
