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

bool SamePath(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameColumnName(a[i], b[i])) return false;
  }
  return true;
}

// a <= b (or a < b when `strict`), when both are known and comparable.
bool Before(const std::shared_ptr<arrow::Scalar>& a, const std::shared_ptr<arrow::Scalar>& b,
            bool strict) {
  if (!a || !b || !a->is_valid || !b->is_valid || !a->type->Equals(*b->type)) return false;
  auto result = arrow::compute::CallFunction(strict ? "less" : "less_equal", {a, b});
  if (!result.ok() || !result->is_scalar()) return false;
  const auto& boolean = static_cast<const arrow::BooleanScalar&>(*result->scalar());
  return boolean.is_valid && boolean.value;
}

// Statistics that order as the sort does: not floating point (NaN is left out of them), not
// FIXED_LEN_BYTE_ARRAY (float16 and others compared as bytes), not INT96.
bool StatisticsOrderLikeTheSort(const parquet::ColumnDescriptor& column) {
  switch (column.physical_type()) {
    case parquet::Type::FLOAT:
    case parquet::Type::DOUBLE:
    case parquet::Type::FIXED_LEN_BYTE_ARRAY:
    case parquet::Type::INT96:
      return false;
    default:
      return true;
  }
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
      std::vector<std::string> path = schema->Column(column.column_idx)->path()->ToDotVector();
      // Another leaf spelled the same but for case: no reader can tell which one is sorted.
      for (int i = 0; i < schema->num_columns(); ++i) {
        if (i != column.column_idx && SamePath(schema->Column(i)->path()->ToDotVector(), path)) {
          return DeclaredSort{};
        }
      }
      out.columns.push_back(Column{std::move(path), column.descending, column.nulls_first});
    }
    if (!StatisticsOrderLikeTheSort(*schema->Column(first[0].column_idx))) return out;
    std::vector<Range> ranges;
    for (int rg = 0; rg < metadata.num_row_groups(); ++rg) {
      auto chunk = metadata.RowGroup(rg)->ColumnChunk(first[0].column_idx);
      auto stats = chunk->statistics();
      if (!stats || !stats->HasNullCount()) return out;
      Range range;
      range.nulls = stats->null_count() > 0;
      if (stats->HasMinMax()) {
        if (!parquet::arrow::StatisticsAsScalars(*stats, &range.min, &range.max).ok()) return out;
      } else if (stats->null_count() != chunk->num_values()) {
        return out;  // values, but no range for them
      }
      ranges.push_back(std::move(range));
    }
    out.row_groups = std::move(ranges);
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
      const Column& has = file->columns[i];
      if (!SamePath(has.path, want.path) || has.descending != want.descending ||
          has.nulls_first != want.nulls_first) {
        return false;
      }
    }
  }
  if (files.size() == 1 && files[0]->row_groups.size() <= 1) return true;  // the declaration
  for (const DeclaredSort* file : files) {
    if (file->row_groups.empty()) return false;  // ranges unknown
  }
  const bool descending = spec.columns[0].descending;
  const bool strict = spec.columns.size() > 1;  // the next keys are unknown where ranges touch
  // a's values all come before b's in the sort's order.
  auto apart = [&](const Range& a, const Range& b) {
    return descending ? Before(b.max, a.min, strict) : Before(a.max, b.min, strict);
  };
  // The files in the order of their first row group's leading values.
  std::vector<const DeclaredSort*> ordered = files;
  for (const DeclaredSort* file : ordered) {
    if (!file->row_groups.front().min) return false;
  }
  std::sort(ordered.begin(), ordered.end(), [&](const DeclaredSort* a, const DeclaredSort* b) {
    const Range& x = a->row_groups.front();
    const Range& y = b->row_groups.front();
    return descending ? Before(y.max, x.max, true) : Before(x.min, y.min, true);
  });
  std::vector<const Range*> sequence;
  for (const DeclaredSort* file : ordered) {
    for (const Range& range : file->row_groups) sequence.push_back(&range);
  }
  // Nulls only in the first row group (NULLS FIRST) or the last, and there only.
  for (size_t i = 0; i < sequence.size(); ++i) {
    if (!sequence[i]->nulls) continue;
    const size_t allowed = spec.columns[0].nulls_first ? 0 : sequence.size() - 1;
    if (i != allowed) return false;
  }
  for (size_t i = 1; i < sequence.size(); ++i) {
    if (!sequence[i - 1]->min || !sequence[i]->min) return false;  // an all-null row group
    if (!apart(*sequence[i - 1], *sequence[i])) return false;
  }
  return true;
}

}  // namespace s3c
