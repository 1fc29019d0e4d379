// Fuzz target: the lease file's reader (TableLease::Holder::FromJson) and the description
// that names its holder in messages.
#include <cstdint>
#include <string>

#include "commit/table_lease.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto holder = s3c::TableLease::Holder::FromJson(text);
  if (holder.ok()) {
    (void)holder->Describe();
    (void)holder->ToJson();
  }
  return 0;
}
