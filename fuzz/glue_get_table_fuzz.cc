// Fuzz target: a Glue GetTable answer, read as GlueCatalog::LoadTable reads it: the body as
// JSON (GlueClient::ParseAnswer), its Table (GlueClient::TableOf), CheckCompactable and the
// location, typed keys and columns (GlueCatalog::ReadDefinition).
#include <cstdint>
#include <string>

#include "catalog/glue/glue_catalog.h"
#include "catalog/glue/glue_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto answer = s3c::GlueClient::ParseAnswer(body, "GetTable db.t");
  if (!answer.ok()) return 0;
  auto table = s3c::GlueClient::TableOf(std::move(*answer), "db.t");
  if (!table.ok()) return 0;
  auto definition = s3c::GlueCatalog::ReadDefinition(*table, "db.t");
  // The refusal's message is built by libarrow from our std::string: the wheel's C++ ABI.
  if (!definition.ok()) (void)definition.status().ToString();
  return 0;
}
