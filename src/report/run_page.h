#pragma once
// RunPage: the HTML report of one run (a run's --json summary, "kind": "run", a dry run too):
// header and key-number cards, the file-size histogram before and after, the partitions with
// the most files removed, the stage timeline, failures, the partitions (worst first: failures,
// then those left for a later run, then the most files left), storage requests and notes.
// Renders whatever part of the document is there. Pure; thread-safe.

#include <string>

#include "report/json_view.h"

namespace s3c {

class RunPage {
 public:
  static std::string Render(JsonView doc);
};

}  // namespace s3c
