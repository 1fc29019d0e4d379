// Fuzz target: a journal pointer file, {"journal_root": "<uri>"}, as RunExclusion reads it
// (RunExclusion::JournalRootOf).
#include <cstdint>
#include <string>

#include "commit/run_exclusion.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)s3c::RunExclusion::JournalRootOf(text);
  return 0;
}
