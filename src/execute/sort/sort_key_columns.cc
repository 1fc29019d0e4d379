#include "execute/sort/sort_key_columns.h"

#include <arrow/compute/api_scalar.h>
#include <arrow/compute/cast.h>

namespace s3c {

std::shared_ptr<arrow::DataType> SortKeyType(const std::shared_ptr<arrow::DataType>& type) {
  switch (type->id()) {
    case arrow::Type::DICTIONARY:
      return SortKeyType(static_cast<const arrow::DictionaryType&>(*type).value_type());
    case arrow::Type::HALF_FLOAT:
      return arrow::float32();
    case arrow::Type::STRING_VIEW:
      return arrow::large_utf8();
    case arrow::Type::BINARY_VIEW:
      return arrow::large_binary();
    case arrow::Type::DECIMAL32:
    case arrow::Type::DECIMAL64: {
      const auto& decimal = static_cast<const arrow::DecimalType&>(*type);
      // Precision 38, not the type's: a value wider than its declared precision still sorts.
      return arrow::decimal128(38, decimal.scale());
    }
    default:
      return type;
  }
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> SortKeyColumns(const arrow::RecordBatch& batch,
                                                                  const ResolvedSort& sort,
                                                                  arrow::MemoryPool* pool) {
  arrow::FieldVector fields;
  arrow::ArrayVector columns;
  arrow::compute::ExecContext context(pool);
  for (size_t i = 0; i < sort.keys().size(); ++i) {
    const ResolvedSortKey& key = sort.keys()[i];
    ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::Array> column, key.path.GetFlattened(batch, pool));
    std::shared_ptr<arrow::DataType> type = SortKeyType(column->type());
    if (!type->Equals(*column->type())) {
      ARROW_ASSIGN_OR_RAISE(column, arrow::compute::Cast(*column, type,
                                                         arrow::compute::CastOptions::Safe(),
                                                         &context));
    }
    fields.push_back(arrow::field("k" + std::to_string(i), type));
    columns.push_back(std::move(column));
  }
  return arrow::RecordBatch::Make(arrow::schema(std::move(fields)), batch.num_rows(),
                                  std::move(columns));
}

}  // namespace s3c
