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

namespace {

bool Disjoint(const std::vector<ExpectedFile>& outputs,
              std::initializer_list<const std::vector<ExpectedFile>*> lists, std::string* both) {
  for (const auto* files : lists) {
    for (const auto& f : *files) {
      for (const auto& o : outputs) {
        if (f.location.path == o.location.path) {
          *both = f.location.uri();
          return false;
        }
      }
    }
  }
  return true;
}

// How the other files fall against the outputs' rows.
struct Weighed {
  std::vector<ExpectedFile> within;  // originals whose every row the outputs hold
  std::string partial;               // an original with rows outside them, if any
  std::string shared;                // a file the run did not plan sharing rows, if any
};

arrow::Result<Weighed> Weigh(RowMultiset rows, const std::vector<ExpectedFile>& originals,
                             const std::vector<ExpectedFile>& others,
                             const std::vector<ExpectedFile>& unvouched, bool trust_versions) {
  Weighed out;
  for (const auto& f : originals) {
    ARROW_ASSIGN_OR_RAISE(RowMultiset::Taken taken, rows.Take(f.location));
    if ((taken.comparable && taken.taken == taken.rows) ||
        (!taken.comparable && trust_versions)) {
      // Within; or, where the types cannot be compared row by row (an INT96 output of an
      // INT64 timestamp input, say), a planned original whose version was checked.
      out.within.push_back(f);
    } else if (out.partial.empty()) {
      out.partial = f.location.uri() + " has " + std::to_string(taken.rows - taken.taken) +
                    " of its " + std::to_string(taken.rows) + " rows outside them";
    }
  }
  for (const auto* files : {&others, &unvouched}) {
    for (const auto& f : *files) {
      auto took = rows.Take(f.location);
      if (!took.ok() && took.status().IsInvalid()) continue;  // not Parquet: no rows to share
      ARROW_ASSIGN_OR_RAISE(RowMultiset::Taken taken, std::move(took));
      if (taken.taken > 0 && out.shared.empty()) {
        out.shared = f.location.uri() +
                     (files == &others ? ", which the run did not plan,"
                                       : ", which no record of the run vouches for,") +
                     " shares " + std::to_string(taken.taken) + " of its rows with them";
      }
    }
  }
  return out;
}

// True when every row of `rows` is in `originals` and `others` together.
arrow::Result<bool> AllElsewhere(RowMultiset rows, const std::vector<ExpectedFile>& originals,
                                 const std::vector<ExpectedFile>& others) {
  for (const auto& f : originals) ARROW_RETURN_NOT_OK(rows.Take(f.location).status());
  for (const auto& f : others) {
    auto took = rows.Take(f.location);
    if (!took.ok() && !took.status().IsInvalid()) return took.status();  // Invalid: no rows
  }
  return rows.size() == 0;
}

}  // namespace

arrow::Result<ContentSettlement::Outcome> ContentSettlement::Settle(
    FileSystems& file_systems, const PartitionPublisher& remover, const Location& archive,
    const std::vector<ExpectedFile>& outputs, const std::vector<ExpectedFile>& originals,
    const std::vector<ExpectedFile>& others, Prefer prefer,
    const std::vector<ExpectedFile>& unvouched) {
  Outcome out;
  if (std::string both; !Disjoint(outputs, {&originals, &others, &unvouched}, &both)) {
    out.detail = both + " is named both as an output and as another file";
    return out;
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
  const std::string total = std::to_string(rows.size());
  if (prefer == Prefer::kEither) {
    ARROW_ASSIGN_OR_RAISE(bool doubled, AllElsewhere(rows, originals, others));
    if (doubled) return RemoveOutputs(file_systems, outputs, total);
  }
  ARROW_ASSIGN_OR_RAISE(Weighed weighed, Weigh(std::move(rows), originals, others, unvouched,
                                                /*trust_versions=*/prefer == Prefer::kKeepOutputs));
  if (prefer == Prefer::kEither && (!weighed.partial.empty() || !weighed.shared.empty())) {
    out.detail = total + " rows in its new files, not all elsewhere, and " +
                 (weighed.shared.empty() ? weighed.partial : weighed.shared) +
                 "; nothing removed (rows may be doubled): check the partition by hand";
    return out;
  }
  return RemoveWithin(remover, archive, weighed.within, weighed.partial);
}

ContentSettlement::Outcome ContentSettlement::RemoveOutputs(
    FileSystems& file_systems, const std::vector<ExpectedFile>& outputs, const std::string& rows) {
  Outcome out;
  auto stayed = RemoveAll(file_systems, outputs);
  if (!stayed.empty()) {
    out.detail = "could not remove " + stayed.front();
    return out;
  }
  out.kind = Kind::kRemovedOutputs;
  out.removed = static_cast<int64_t>(outputs.size());
  out.detail = "every one of the " + rows + " rows of its " + std::to_string(outputs.size()) +
               " new file(s) is in the partition's other files; the new files were removed";
  return out;
}

ContentSettlement::Outcome ContentSettlement::RemoveWithin(const PartitionPublisher& remover,
                                                           const Location& archive,
                                                           const std::vector<ExpectedFile>& within,
                                                           const std::string& partial) {
  Outcome out;
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
