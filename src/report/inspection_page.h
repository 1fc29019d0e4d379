#pragma once
// InspectionPage: the HTML report of an inspection (`s3-compaction inspect --json`, "kind":
// "inspection"): header and key-number cards, the file-size histogram now and after a run (an
// estimate), the partitions with the most small files, the partitions in the document's order
// (worst first), schema drift, pending journals and leases, the last run and notes. Renders
// whatever part of the document is there. Pure; thread-safe.

#include <string>

#include "report/json_view.h"

namespace s3c {

class InspectionPage {
 public:
  static std::string Render(JsonView doc);
};

}  // namespace s3c
