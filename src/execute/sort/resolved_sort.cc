#include "execute/sort/resolved_sort.h"

#include <parquet/schema.h>

namespace s3c {
namespace {

arrow::compute::SortKey MakeKey(arrow::FieldRef target, const ResolvedSortKey& key) {
  return arrow::compute::SortKey(
      std::move(target),
      key.descending ? arrow::compute::SortOrder::Descending : arrow::compute::SortOrder::Ascending,
      key.nulls_first ? arrow::compute::NullPlacement::AtStart : arrow::compute::NullPlacement::AtEnd);
}

// The leaf column index of the primitive node reached from `root` by `names`, or -1.
int LeafIndex(const parquet::SchemaDescriptor& schema, const std::vector<std::string>& names) {
  const parquet::schema::Node* node = schema.group_node();
  for (const std::string& name : names) {
    if (node == nullptr || !node->is_group()) return -1;
    const auto* group = static_cast<const parquet::schema::GroupNode*>(node);
    const parquet::schema::Node* found = nullptr;
    for (int i = 0; i < group->field_count(); ++i) {
      if (group->field(i)->name() != name) continue;
      if (found != nullptr) return -1;
      found = group->field(i).get();
    }
    if (found == nullptr || found->is_repeated()) return -1;
    node = found;
  }
  if (node == nullptr || !node->is_primitive()) return -1;
  return schema.GetColumnIndex(*static_cast<const parquet::schema::PrimitiveNode*>(node));
}

}  // namespace

std::string ResolvedSortKey::DisplayName() const {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += '.';
    out += name;
  }
  return out;
}

arrow::compute::SortOptions ResolvedSort::SortOptions() const {
  std::vector<arrow::compute::SortKey> sort_keys;
  for (const ResolvedSortKey& key : keys_) sort_keys.push_back(MakeKey(arrow::FieldRef(key.path), key));
  return arrow::compute::SortOptions(std::move(sort_keys));
}

arrow::compute::SortOptions ResolvedSort::KeySortOptions() const {
  std::vector<arrow::compute::SortKey> sort_keys;
  for (size_t i = 0; i < keys_.size(); ++i) {
    sort_keys.push_back(MakeKey(arrow::FieldRef(static_cast<int>(i)), keys_[i]));
  }
  return arrow::compute::SortOptions(std::move(sort_keys));
}

std::vector<parquet::SortingColumn> ResolvedSort::ParquetSortingColumns(
    const parquet::SchemaDescriptor& schema) const {
  std::vector<parquet::SortingColumn> out;
  for (const ResolvedSortKey& key : keys_) {
    const int leaf = LeafIndex(schema, key.names);
    if (leaf < 0) return {};
    out.push_back(parquet::SortingColumn{leaf, key.descending, key.nulls_first});
  }
  return out;
}

std::string ResolvedSort::ToString() const {
  std::string out;
  for (const ResolvedSortKey& key : keys_) {
    if (!out.empty()) out += ", ";
    out += key.DisplayName();
    out += key.descending ? " DESC" : " ASC";
    out += key.nulls_first ? " NULLS FIRST" : " NULLS LAST";
  }
  return out;
}

}  // namespace s3c
