#include "execute/int96_guard.h"

#include <cstring>
#include <vector>

#include <parquet/column_reader.h>
#include <parquet/exception.h>
#include <parquet/metadata.h>
#include <parquet/schema.h>
#include <parquet/types.h>

namespace s3c {

arrow::Status Int96Guard::CheckMicrosecondExact(parquet::ParquetFileReader& file,
                                                const std::string& uri) {
  const auto metadata = file.metadata();
  const parquet::SchemaDescriptor* schema = metadata->schema();
  std::vector<int> columns;
  for (int i = 0; i < schema->num_columns(); ++i) {
    if (schema->Column(i)->physical_type() == parquet::Type::INT96) columns.push_back(i);
  }
  if (columns.empty()) return arrow::Status::OK();

  constexpr int64_t kBatch = 4096;
  std::vector<int16_t> def_levels(kBatch), rep_levels(kBatch);
  std::vector<parquet::Int96> values(kBatch);
  try {
    for (int rg = 0; rg < metadata->num_row_groups(); ++rg) {
      auto row_group = file.RowGroup(rg);
      for (int column : columns) {
        auto reader = std::static_pointer_cast<parquet::Int96Reader>(row_group->Column(column));
        while (reader->HasNext()) {
          int64_t values_read = 0;
          reader->ReadBatch(kBatch, def_levels.data(), rep_levels.data(), values.data(),
                            &values_read);
          for (int64_t v = 0; v < values_read; ++v) {
            uint64_t nanos_of_day;
            std::memcpy(&nanos_of_day, &values[v].value, sizeof(nanos_of_day));
            if (nanos_of_day % 1000 != 0) {
              return arrow::Status::Invalid(
                  "INT96 timestamps with sub-microsecond digits in column '",
                  schema->Column(column)->path()->ToDotString(), "' of ", uri,
                  " (not supported: they would lose those digits)");
            }
          }
        }
      }
    }
  } catch (const parquet::ParquetException& e) {
    return arrow::Status::Invalid("corrupt Parquet file ", uri, ": ", e.what());
  }
  return arrow::Status::OK();
}

}  // namespace s3c
