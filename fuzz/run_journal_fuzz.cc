// Fuzz target: the run journal's readers (commit/run_journal.h): plan.json
// (RunJournal::PlanFromJson), a partition's record (RecordFromJson) and deferred catalog
// updates (CatalogUpdatesFromJson), each on the same input. A plan or record that reads back
// must write out as JSON that reads back the same.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "commit/run_journal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using s3c::RunJournal;
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto plan = RunJournal::PlanFromJson(text); plan.ok()) {
    const std::string written = RunJournal::ToJson(*plan);
    auto again = RunJournal::PlanFromJson(written);
    if (!again.ok() || RunJournal::ToJson(*again) != written) {
      std::fprintf(stderr, "run_journal: a plan read back does not round-trip\n");
      std::abort();
    }
  }
  if (auto record = RunJournal::RecordFromJson(text); record.ok()) {
    const std::string written = RunJournal::ToJson(*record);
    auto again = RunJournal::RecordFromJson(written);
    if (!again.ok() || RunJournal::ToJson(*again) != written) {
      std::fprintf(stderr, "run_journal: a record read back does not round-trip\n");
      std::abort();
    }
  }
  (void)RunJournal::CatalogUpdatesFromJson(text, "catalog.json");
  return 0;
}
