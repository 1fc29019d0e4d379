#include "plan/physical_schema.h"

#include <sstream>

#include <parquet/schema.h>

namespace s3c {

std::string PhysicalSchema::Fingerprint(const parquet::FileMetaData& metadata) {
  std::ostringstream out;
  const parquet::SchemaDescriptor* schema = metadata.schema();
  for (int i = 0; i < schema->num_columns(); ++i) {
    const parquet::ColumnDescriptor* c = schema->Column(i);
    const auto& logical = c->logical_type();
    out << c->path()->ToDotString() << '|' << parquet::TypeToString(c->physical_type()) << '|'
        << c->type_length() << '|' << c->max_definition_level() << '|'
        << c->max_repetition_level() << '|'
        << static_cast<int>(c->schema_node()->repetition()) << '|'
        << (logical ? logical->ToString() : "none") << '|'
        << parquet::ConvertedTypeToString(c->converted_type()) << '\n';
  }
  return out.str();
}

bool PhysicalSchema::HasPageIndex(const parquet::FileMetaData& metadata) {
  for (int g = 0; g < metadata.num_row_groups(); ++g) {
    auto row_group = metadata.RowGroup(g);
    if (row_group->num_rows() == 0) continue;  // no pages to index (Arrow writes none)
    for (int c = 0; c < row_group->num_columns(); ++c) {
      if (!row_group->ColumnChunk(c)->GetOffsetIndexLocation()) return false;
    }
  }
  return true;
}

std::optional<std::string> PhysicalSchema::PagesRefused(const parquet::FileMetaData& metadata) {
  if (metadata.is_encryption_algorithm_set()) return "encrypted";
  for (int g = 0; g < metadata.num_row_groups(); ++g) {
    auto row_group = metadata.RowGroup(g);
    for (int c = 0; c < row_group->num_columns(); ++c) {
      auto chunk = row_group->ColumnChunk(c);
      if (chunk->crypto_metadata()) return "encrypted columns";
    }
  }
  return std::nullopt;
}

}  // namespace s3c
