#pragma once
// Sort storage: how ExternalSorter keeps rows so that Arrow 26's Take and Concatenate accept them.
//   - Views: Arrow 26 has no Take kernel for string_view and binary_view (at any depth). A sort
//     whose schema holds views keeps those columns cast to large_string/large_binary (exact, same
//     bytes) and casts them back on the way out: the caller sees its own schema. Views inside
//     structs and lists are handled; inside a map or union they are not (Take then fails with
//     NotImplemented, naming the type).
//   - Dictionaries of float16: Arrow 26's Concatenate, unifying two such dictionaries, turns
//     every value into the float of its bit pattern (1.5, bits 0x3E00, becomes 15872.0). The
//     sorter keeps them as dictionaries of float32 (exact) and casts them back on the way out.
//   - Dictionaries: batches of one dictionary column usually carry different dictionaries, which
//     Concatenate unifies, but it refuses ("Cannot yet unify dictionaries with nulls") a
//     dictionary holding null values. A dictionary column (top-level or in a struct) whose
//     dictionary holds nulls is rewritten: indices that point at a null value become null
//     indices and the dictionary's null slots are marked valid (no index points at them). Same values
//     row by row. (Inside a list or map such a dictionary is not rewritten, and the sort fails
//     with Arrow's message.)
//
// Stateless functions: thread-safe.

#include <memory>

#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/type.h>

namespace s3c {

/// `schema` with every view type (in structs, lists and dictionaries too) replaced by its large
/// type and dictionaries of float16 by dictionaries of float32; the same pointer when there is
/// nothing to replace.
std::shared_ptr<arrow::Schema> StorageSchema(const std::shared_ptr<arrow::Schema>& schema);

/// `batch` as the sorter keeps it: columns cast to `storage_schema` (StorageSchema of the
/// batch's schema) and dictionaries without null values.
arrow::Result<std::shared_ptr<arrow::RecordBatch>> ToStorage(
    const std::shared_ptr<arrow::RecordBatch>& batch,
    const std::shared_ptr<arrow::Schema>& storage_schema, arrow::MemoryPool* pool);

/// `batch` with its columns cast to `schema` (which differs from the batch's only in view versus
/// large types); the batch itself when its schema already is `schema`.
arrow::Result<std::shared_ptr<arrow::RecordBatch>> CastColumns(
    const std::shared_ptr<arrow::RecordBatch>& batch, const std::shared_ptr<arrow::Schema>& schema,
    arrow::MemoryPool* pool);

}  // namespace s3c
