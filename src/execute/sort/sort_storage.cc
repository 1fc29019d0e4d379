#include "execute/sort/sort_storage.h"

#include <arrow/compute/api_scalar.h>
#include <arrow/compute/api_vector.h>
#include <arrow/compute/cast.h>

namespace s3c {
namespace {

std::shared_ptr<arrow::DataType> ViewFree(const std::shared_ptr<arrow::DataType>& type);

std::shared_ptr<arrow::Field> ViewFree(const std::shared_ptr<arrow::Field>& field) {
  auto type = ViewFree(field->type());
  return type == field->type() ? field : field->WithType(type);
}

std::shared_ptr<arrow::DataType> ViewFree(const std::shared_ptr<arrow::DataType>& type) {
  switch (type->id()) {
    case arrow::Type::STRING_VIEW:
      return arrow::large_utf8();
    case arrow::Type::BINARY_VIEW:
      return arrow::large_binary();
    case arrow::Type::STRUCT: {
      arrow::FieldVector fields;
      bool changed = false;
      for (const auto& field : type->fields()) {
        fields.push_back(ViewFree(field));
        changed = changed || fields.back() != field;
      }
      return changed ? arrow::struct_(fields) : type;
    }
    case arrow::Type::LIST: {
      auto value = ViewFree(type->field(0));
      return value == type->field(0) ? type : arrow::list(value);
    }
    case arrow::Type::LARGE_LIST: {
      auto value = ViewFree(type->field(0));
      return value == type->field(0) ? type : arrow::large_list(value);
    }
    case arrow::Type::DICTIONARY: {
      const auto& dictionary = static_cast<const arrow::DictionaryType&>(*type);
      auto value = dictionary.value_type()->id() == arrow::Type::HALF_FLOAT
                       ? arrow::float32()
                       : ViewFree(dictionary.value_type());
      return value == dictionary.value_type() ? type : arrow::dictionary(dictionary.index_type(), value);
    }
    case arrow::Type::FIXED_SIZE_LIST: {
      auto value = ViewFree(type->field(0));
      const int32_t size = static_cast<const arrow::FixedSizeListType&>(*type).list_size();
      return value == type->field(0) ? type : arrow::fixed_size_list(value, size);
    }
    default:
      return type;
  }
}

// `array` (a dictionary array) without null values in its dictionary; see the header.
arrow::Result<std::shared_ptr<arrow::Array>> WithoutNullValues(const std::shared_ptr<arrow::Array>& array,
                                                                arrow::compute::ExecContext* context) {
  const auto& dictionary_array = static_cast<const arrow::DictionaryArray&>(*array);
  const std::shared_ptr<arrow::Array>& dictionary = dictionary_array.dictionary();
  if (dictionary->null_count() == 0) return array;
  const std::shared_ptr<arrow::Array>& indices = dictionary_array.indices();
  ARROW_ASSIGN_OR_RAISE(arrow::Datum valid_values, arrow::compute::IsValid(dictionary, context));
  ARROW_ASSIGN_OR_RAISE(arrow::Datum valid_rows,
                        arrow::compute::Take(valid_values, indices, arrow::compute::TakeOptions::Defaults(), context));
  ARROW_ASSIGN_OR_RAISE(arrow::Datum new_indices,
                        arrow::compute::IfElse(valid_rows, indices, arrow::MakeNullScalar(indices->type()), context));
  // No index points at a null value any more: the slots may as well be valid. Their bytes are
  // well-formed (offsets of null slots are valid too), and nothing reads them.
  std::shared_ptr<arrow::ArrayData> values = dictionary->data()->Copy();
  values->buffers[0] = nullptr;
  values->null_count = 0;
  std::shared_ptr<arrow::Array> new_dictionary = arrow::MakeArray(values);
  return arrow::DictionaryArray::FromArrays(array->type(), new_indices.make_array(), new_dictionary);
}

// `data` with every dictionary in it (at the top or inside structs) free of null values.
arrow::Result<std::shared_ptr<arrow::ArrayData>> WithoutNullValues(
    const std::shared_ptr<arrow::ArrayData>& data, arrow::compute::ExecContext* context) {
  if (data->type->id() == arrow::Type::DICTIONARY) {
    ARROW_ASSIGN_OR_RAISE(auto fixed, WithoutNullValues(arrow::MakeArray(data), context));
    return fixed->data();
  }
  if (data->type->id() != arrow::Type::STRUCT) return data;
  std::shared_ptr<arrow::ArrayData> copy;
  for (size_t i = 0; i < data->child_data.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(auto child, WithoutNullValues(data->child_data[i], context));
    if (child == data->child_data[i]) continue;
    if (copy == nullptr) copy = data->Copy();
    copy->child_data[i] = std::move(child);
  }
  return copy != nullptr ? copy : data;
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::RecordBatch>> ToStorage(
    const std::shared_ptr<arrow::RecordBatch>& batch,
    const std::shared_ptr<arrow::Schema>& storage_schema, arrow::MemoryPool* pool) {
  ARROW_ASSIGN_OR_RAISE(auto stored, CastColumns(batch, storage_schema, pool));
  arrow::compute::ExecContext context(pool);
  arrow::ArrayVector columns = stored->columns();
  bool changed = false;
  for (auto& column : columns) {
    ARROW_ASSIGN_OR_RAISE(auto rewritten, WithoutNullValues(column->data(), &context));
    if (rewritten == column->data()) continue;
    changed = true;
    column = arrow::MakeArray(std::move(rewritten));
  }
  if (!changed) return stored;
  return arrow::RecordBatch::Make(storage_schema, stored->num_rows(), std::move(columns));
}

std::shared_ptr<arrow::Schema> StorageSchema(const std::shared_ptr<arrow::Schema>& schema) {
  arrow::FieldVector fields;
  bool changed = false;
  for (const auto& field : schema->fields()) {
    fields.push_back(ViewFree(field));
    changed = changed || fields.back() != field;
  }
  return changed ? arrow::schema(fields, schema->metadata()) : schema;
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> CastColumns(
    const std::shared_ptr<arrow::RecordBatch>& batch, const std::shared_ptr<arrow::Schema>& schema,
    arrow::MemoryPool* pool) {
  if (batch->schema() == schema) return batch;
  arrow::compute::ExecContext context(pool);
  arrow::ArrayVector columns;
  for (int i = 0; i < batch->num_columns(); ++i) {
    std::shared_ptr<arrow::Array> column = batch->column(i);
    const auto& type = schema->field(i)->type();
    if (!column->type()->Equals(*type)) {
      ARROW_ASSIGN_OR_RAISE(column, arrow::compute::Cast(*column, type,
                                                         arrow::compute::CastOptions::Safe(), &context));
    }
    columns.push_back(std::move(column));
  }
  return arrow::RecordBatch::Make(schema, batch->num_rows(), std::move(columns));
}

}  // namespace s3c
