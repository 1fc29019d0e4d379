#include "execute/batch_aligner.h"

#include <arrow/array/util.h>
#include <arrow/compute/cast.h>

#include "plan/column_name.h"

namespace s3c {
namespace {

using arrow::ArrayData;
using arrow::DataType;
using arrow::Type;

// Aligns one column's data to `to`. Nested types are rebuilt around their aligned children
// (sharing the validity and offset buffers), so a struct missing a field or a list of a
// widened type needs no copy of the rest.
arrow::Result<std::shared_ptr<ArrayData>> AlignData(const std::shared_ptr<ArrayData>& data,
                                                    const std::shared_ptr<DataType>& to) {
  const std::shared_ptr<DataType>& from = data->type;
  if (from->Equals(*to, /*check_metadata=*/false)) {
    if (from->Equals(*to, /*check_metadata=*/true)) return data;
    auto copy = data->Copy();
    copy->type = to;
    return copy;
  }
  if (from->id() == Type::NA) {
    ARROW_ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(to, data->offset + data->length));
    return nulls->data()->Slice(data->offset, data->length);
  }
  if (from->id() == Type::STRUCT && to->id() == Type::STRUCT) {
    const auto& from_struct = static_cast<const arrow::StructType&>(*from);
    auto copy = data->Copy();
    copy->type = to;
    copy->child_data.clear();
    // Children span the parent's offset + length: the struct's own offset applies to them.
    const int64_t child_length = data->offset + data->length;
    for (const auto& field : to->fields()) {
      const std::vector<int> found = FieldIndicesIgnoringCase(from_struct.fields(), field->name());
      const int index = found.size() == 1 ? found.front() : -1;
      if (index < 0) {
        ARROW_ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(field->type(), child_length));
        copy->child_data.push_back(nulls->data());
      } else {
        ARROW_ASSIGN_OR_RAISE(auto child, AlignData(data->child_data[index], field->type()));
        copy->child_data.push_back(child);
      }
    }
    return copy;
  }
  const auto is_list = [](Type::type id) { return id == Type::LIST || id == Type::LARGE_LIST; };
  if (is_list(from->id()) && is_list(to->id())) {
    // The values are aligned here, by our rules (struct fields by name ignoring case): Arrow's
    // cast would match struct fields by exact name and fill the others with nulls.
    const auto& to_list = static_cast<const arrow::BaseListType&>(*to);
    auto copy = data->Copy();
    ARROW_ASSIGN_OR_RAISE(auto values, AlignData(data->child_data[0], to_list.value_type()));
    copy->child_data = {values};
    if (from->id() == to->id()) {
      copy->type = to;
      return copy;
    }
    // list <-> large_list: only the offsets change now, which the cast checks.
    copy->type = from->id() == Type::LIST ? arrow::list(to_list.value_field())
                                          : arrow::large_list(to_list.value_field());
    ARROW_ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(arrow::MakeArray(copy), to,
                                                          arrow::compute::CastOptions::Safe()));
    return cast.make_array()->data();
  }
  if (from->id() == Type::MAP && to->id() == Type::MAP) {
    // Keys and items by position (their field names vary between writers), each aligned by
    // our rules, for the same reason as lists.
    const auto& to_map = static_cast<const arrow::MapType&>(*to);
    const auto& entries = data->child_data[0];
    auto entries_copy = entries->Copy();
    entries_copy->type = to_map.value_type();
    ARROW_ASSIGN_OR_RAISE(auto keys, AlignData(entries->child_data[0], to_map.key_type()));
    ARROW_ASSIGN_OR_RAISE(auto items, AlignData(entries->child_data[1], to_map.item_type()));
    entries_copy->child_data = {keys, items};
    auto copy = data->Copy();
    copy->type = to;
    copy->child_data = {entries_copy};
    return copy;
  }
  // Everything else, including dictionary -> values and every scalar widening, is a checked
  // cast: an overflow is an error, not a silent change.
  ARROW_ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(arrow::MakeArray(data), to,
                                                        arrow::compute::CastOptions::Safe()));
  return cast.make_array()->data();
}

}  // namespace

arrow::Result<BatchAligner> BatchAligner::Make(std::shared_ptr<arrow::Schema> from,
                                               std::shared_ptr<arrow::Schema> to,
                                               std::string source_uri) {
  BatchAligner aligner;
  aligner.from_ = std::move(from);
  aligner.to_ = std::move(to);
  aligner.source_uri_ = std::move(source_uri);
  aligner.identity_ = aligner.from_->num_fields() == aligner.to_->num_fields();
  for (int i = 0; i < aligner.to_->num_fields(); ++i) {
    const auto& field = aligner.to_->field(i);
    std::vector<int> indices = FieldIndicesIgnoringCase(aligner.from_->fields(), field->name());
    if (indices.size() > 1) {
      return arrow::Status::Invalid("column '", field->name(), "' appears more than once in ",
                                    aligner.source_uri_, " (names compared ignoring case)");
    }
    int index = indices.empty() ? -1 : indices.front();
    aligner.source_index_.push_back(index);
    if (index != i || !aligner.from_->field(index)->type()->Equals(*field->type())) {
      aligner.identity_ = false;
    }
  }
  return aligner;
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> BatchAligner::Align(
    const std::shared_ptr<arrow::RecordBatch>& batch) const {
  if (identity_) return batch->ReplaceSchema(to_);
  std::vector<std::shared_ptr<ArrayData>> columns;
  columns.reserve(to_->num_fields());
  for (int i = 0; i < to_->num_fields(); ++i) {
    const auto& field = to_->field(i);
    int index = source_index_[i];
    if (index < 0) {
      ARROW_ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(field->type(), batch->num_rows()));
      columns.push_back(nulls->data());
      continue;
    }
    auto aligned = AlignData(batch->column_data(index), field->type());
    if (!aligned.ok()) {
      return arrow::Status::Invalid("column '", field->name(), "' of ", source_uri_,
                                    ": cannot convert ", batch->schema()->field(index)->type()->ToString(),
                                    " to ", field->type()->ToString(), ": ",
                                    aligned.status().message());
    }
    columns.push_back(std::move(aligned).ValueOrDie());
  }
  return arrow::RecordBatch::Make(to_, batch->num_rows(), std::move(columns));
}

}  // namespace s3c
