#pragma once
// SortKeyColumns: the sort keys of a batch as columns Arrow's sort and our RowComparator both
// order the same way (see resolved_sort.h): key i of the ResolvedSort is column i, flattened out
// of its structs (a null struct makes the field null), a dictionary decoded to its values,
// float16 widened to float32, string_view/binary_view cast to large_string/large_binary and
// decimal32/64 widened to decimal128. Every cast is exact, so the order is the order of the
// original values. Columns that need none of this are shared with the batch, not copied.
//
// Stateless functions: thread-safe.

#include <memory>

#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "execute/sort/resolved_sort.h"

namespace s3c {

/// The type a key of `type` is ordered as (the identity for most types).
std::shared_ptr<arrow::DataType> SortKeyType(const std::shared_ptr<arrow::DataType>& type);

/// The normalized key columns of `batch` (whose schema `sort` was resolved against), named
/// "k0", "k1", ... REQUIRES: batch has the schema `sort` was resolved against.
arrow::Result<std::shared_ptr<arrow::RecordBatch>> SortKeyColumns(const arrow::RecordBatch& batch,
                                                                  const ResolvedSort& sort,
                                                                  arrow::MemoryPool* pool);

}  // namespace s3c
