#include "commit/content_settlement.h"

#include <parquet/arrow/schema.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>

#include "commit/row_multiset.h"
#include "plan/file_inspector.h"

namespace s3c {
namespace {

arrow::Result<std::shared_ptr<arrow::Schema>> SchemaOf(const Location& file) {
  try {
    ARROW_ASSIGN_OR_RAISE(auto source, file.fs->OpenInputFile(file.path));
    auto metadata = parquet::ParquetFileReader::Open(source)->metadata();
    std::shared_ptr<arrow::Schema> schema;
    ARROW_RETURN_NOT_OK(parquet::arrow::FromParquetSchema(metadata->schema(),
                                                          FileInspector::ArrowReadProperties(),
                                                          metadata->key_value_metadata(), &schema));
    return schema;
  } catch (const std::exception& e) {
    return arrow::Status::IOError("reading ", file.uri(), ": ", e.what());
  }
}

// Removes `files` exactly; the URIs of those that stayed.
std::vector<std::string> RemoveAll(FileSystems& file_systems, const std::vector<ExpectedFile>& files) {
  std::vector<std::string> stayed;
  for (const auto& r : file_systems.RemoveExactly(files)) {
    if (!r.removed() && r.outcome != RemovalOutcome::kGone) stayed.push_back(r.location.uri());
  }
  return stayed;
}

}  // namespace

arrow::Result<ContentSettlement::Outcome> ContentSettlement::Settle(
    FileSystems& file_systems, const PartitionPublisher& remover, const Location& archive,
    const std::vector<ExpectedFile>& outputs, const std::vector<ExpectedFile>& originals,
    const std::vector<ExpectedFile>& others, Prefer prefer) {
  Outcome out;
  for (const auto* files : {&originals, &others}) {
    for (const auto& f : *files) {
      for (const auto& o : outputs) {
        if (f.location.path == o.location.path) {
          out.detail = f.location.uri() + " is named both as an output and as another file";
          return out;
        }
      }
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto schema, SchemaOf(outputs.front().location));
  RowMultiset rows(schema);
  for (const auto& o : outputs) {
    ARROW_RETURN_NOT_OK(rows.Add(o.location));
    if (rows.size() > kRowLimit) {
      out.too_large = true;
      out.detail = "its new files hold more than " + std::to_string(kRowLimit) +
                   " rows, more than recovery compares";
      return out;
    }
  }
  const int64_t total = rows.size();
  if (prefer == Prefer::kEither) {
    // Are the outputs' rows all elsewhere? Then they only double them.
    RowMultiset elsewhere = rows;
    for (const auto* files : {&originals, &others}) {
      for (const auto& f : *files) ARROW_RETURN_NOT_OK(elsewhere.Take(f.location).status());
    }
    if (elsewhere.size() == 0) {
      auto stayed = RemoveAll(file_systems, outputs);
      if (!stayed.empty()) {
        out.detail = "could not remove " + stayed.front();
        return out;
      }
      out.kind = Kind::kRemovedOutputs;
      out.removed = static_cast<int64_t>(outputs.size());
      out.detail = "every one of the " + std::to_string(total) + " rows of its " +
                   std::to_string(outputs.size()) + " new file(s) is in the partition's other "
                   "files; the new files were removed";
      return out;
    }
  }
  // Which originals lie wholly within the outputs; and does any other file share their rows?
  std::vector<ExpectedFile> within;
  std::string partial, shared;
  for (const auto& f : originals) {
    ARROW_ASSIGN_OR_RAISE(RowMultiset::Taken taken, rows.Take(f.location));
    if (taken.taken == taken.rows && taken.rows > 0) {
      within.push_back(f);
    } else if (partial.empty()) {
      partial = f.location.uri() + " has " + std::to_string(taken.rows - taken.taken) + " of its " +
                std::to_string(taken.rows) + " rows outside them";
    }
  }
  for (const auto& f : others) {
    ARROW_ASSIGN_OR_RAISE(RowMultiset::Taken taken, rows.Take(f.location));
    if (taken.taken > 0 && shared.empty()) {
      shared = f.location.uri() + ", which the run did not plan, shares " +
               std::to_string(taken.taken) + " of its rows with them";
    }
  }
  if (prefer == Prefer::kEither && (!partial.empty() || !shared.empty())) {
    out.detail = std::to_string(total) + " rows in its new files, not all elsewhere, and " +
                 (shared.empty() ? partial : shared) +
                 "; nothing removed (rows may be doubled): check the partition by hand";
    return out;
  }
  if (!within.empty()) {
    auto removed = remover.RemoveFiles(within, archive);
    if (!removed.ok()) {
      out.detail = removed.status().message();
      return out;
    }
    out.removed = removed->removed;
    out.removal = *removed;
    if (removed->removed != static_cast<int64_t>(within.size())) {
      out.detail = "only " + std::to_string(removed->removed) + " of " +
                   std::to_string(within.size()) + " originals whose rows its new files all hold "
                   "could be removed";
      return out;
    }
  }
  const std::string verb = remover.policy() == OriginalsAction::kDelete ? "deleted" : "archived";
  if (!partial.empty()) {  // kKeepOutputs: that original stays where it is
    out.detail = std::to_string(within.size()) + " original(s) " + verb + "; " + partial +
                 ", so it was left where it is";
    return out;
  }
  out.kind = Kind::kRemovedOthers;
  out.detail = "the rows of its new files are not all elsewhere, so they stay; " +
               std::to_string(within.size()) + " original(s) whose rows they all hold were " + verb;
  return out;
}

}  // namespace s3c
