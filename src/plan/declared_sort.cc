#include "plan/declared_sort.h"

#include <algorithm>

#include <arrow/compute/api_scalar.h>
#include <arrow/scalar.h>
#include <parquet/arrow/reader.h>
#include <parquet/schema.h>
#include <parquet/statistics.h>

#include "plan/column_name.h"

namespace s3c {
namespace {

bool SameDeclaration(const std::vector<parquet::SortingColumn>& a,
                     const std::vector<parquet::SortingColumn>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].column_idx != b[i].column_idx || a[i].descending != b[i].descending ||
        a[i].nulls_first != b[i].nulls_first) {
      return false;
    }
  }
  return true;
}

// a <= b, when both are known and comparable.
bool LessOrEqual(const std::shared_ptr<arrow::Scalar>& a, const std::shared_ptr<arrow::Scalar>& b) {
  if (!a || !b || !a->is_valid || !b->is_valid || !a->type->Equals(*b->type)) return false;
  auto result = arrow::compute::CallFunction("less_equal", {a, b});
  if (!result.ok() || !result->is_scalar()) return false;
  const auto& boolean = static_cast<const arrow::BooleanScalar&>(*result->scalar());
  return boolean.is_valid && boolean.value;
}

}  // namespace

DeclaredSort DeclaredSort::Of(const parquet::FileMetaData& metadata) {
  DeclaredSort out;
  try {
    if (metadata.num_row_groups() == 0) return out;
    const std::vector<parquet::SortingColumn> first = metadata.RowGroup(0)->sorting_columns();
    if (first.empty()) return out;
    for (int rg = 1; rg < metadata.num_row_groups(); ++rg) {
      if (!SameDeclaration(first, metadata.RowGroup(rg)->sorting_columns())) return out;
    }
    const parquet::SchemaDescriptor* schema = metadata.schema();
    for (const auto& column : first) {
      if (column.column_idx < 0 || column.column_idx >= schema->num_columns()) return DeclaredSort{};
      out.columns.push_back(Column{schema->Column(column.column_idx)->path()->ToDotString(),
                                   column.descending, column.nulls_first});
    }
    // The leading column's range over every row group.
    int64_t nulls = 0;
    for (int rg = 0; rg < metadata.num_row_groups(); ++rg) {
      auto chunk = metadata.RowGroup(rg)->ColumnChunk(first[0].column_idx);
      auto stats = chunk->statistics();
      if (!stats || !stats->HasMinMax() || !stats->HasNullCount()) {
        if (chunk->num_values() == 0) continue;
        out.min = out.max = nullptr;
        return out;
      }
      nulls += stats->null_count();
      std::shared_ptr<arrow::Scalar> min, max;
      if (!parquet::arrow::StatisticsAsScalars(*stats, &min, &max).ok()) {
        out.min = out.max = nullptr;
        return out;
      }
      if (!out.min || LessOrEqual(min, out.min)) out.min = min;
      if (!out.max || LessOrEqual(out.max, max)) out.max = max;
    }
    out.leading_nulls = nulls > 0;
  } catch (const std::exception&) {
    return DeclaredSort{};
  }
  return out;
}

bool DeclaredSort::AlreadySorted(const std::vector<const DeclaredSort*>& files,
                                 const SortSpec& spec) {
  if (files.empty() || spec.columns.empty()) return false;
  for (const DeclaredSort* file : files) {
    if (file->columns.size() < spec.columns.size()) return false;
    for (size_t i = 0; i < spec.columns.size(); ++i) {
      const SortColumn& want = spec.columns[i];
      std::string path;
      for (const auto& part : want.path) path += (path.empty() ? "" : ".") + part;
      const Column& has = file->columns[i];
      if (!SameColumnName(has.path, path) || has.descending != want.descending ||
          has.nulls_first != want.nulls_first) {
        return false;
      }
    }
  }
  if (files.size() == 1) return true;
  const bool descending = spec.columns[0].descending;
  std::vector<const DeclaredSort*> ordered = files;
  int with_nulls = 0;
  for (const DeclaredSort* file : ordered) {
    if (!file->min || !file->max) return false;
    with_nulls += file->leading_nulls ? 1 : 0;
  }
  if (with_nulls > 1) return false;
  // In the order a reader would take them: by the leading key's first value.
  std::sort(ordered.begin(), ordered.end(), [&](const DeclaredSort* a, const DeclaredSort* b) {
    return descending ? LessOrEqual(b->max, a->max) && !LessOrEqual(a->max, b->max)
                      : LessOrEqual(a->min, b->min) && !LessOrEqual(b->min, a->min);
  });
  // The nulls of the leading key, if any, in the file that comes first or last.
  if (with_nulls == 1) {
    const DeclaredSort* holder = spec.columns[0].nulls_first ? ordered.front() : ordered.back();
    if (!holder->leading_nulls) return false;
  }
  for (size_t i = 1; i < ordered.size(); ++i) {
    const DeclaredSort& before = *ordered[i - 1];
    const DeclaredSort& after = *ordered[i];
    const bool apart = descending ? LessOrEqual(after.max, before.min)
                                  : LessOrEqual(before.max, after.min);
    if (!apart) return false;
  }
  return true;
}

}  // namespace s3c
