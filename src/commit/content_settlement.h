#pragma once
// ContentSettlement: when a journal cannot say what a partition holds (a conflict with another
// run or writer, a record or plan that cannot be read or trusted), decides by the rows
// themselves which files to remove so that every row is there once, and removes only files
// whose every row is verified to be present in the files that stay.
//
// Given a run's outputs in a partition and the partition's other data files:
//   every row of the outputs is in the other files    -> the outputs go (they only double rows
//                                                        published or still there elsewhere)
//   else, each other file either lies wholly within   -> the files wholly within go, deleted or
//   the outputs' rows or shares none of them             archived as the run's policy says
//                                                        (left-over originals whose rows the
//                                                        outputs hold)
//   else (a file shares some rows, not all)           -> nothing goes: unsettled, reported
// Rows are compared as multisets (RowMultiset): a row twice in the outputs must be twice
// elsewhere. Removal is exact (FileSystems::RemoveExactly): a file that changed since it was
// listed stays. Stateless.

#include <string>
#include <vector>

#include <arrow/result.h>

#include "commit/partition_publisher.h"
#include "storage/exact_removal.h"
#include "storage/file_systems.h"

namespace s3c {

class ContentSettlement {
 public:
  enum class Kind {
    kRemovedOutputs,  // the outputs were removed
    kRemovedOthers,   // other files wholly within the outputs were removed (or there were none)
    kUnsettled,       // nothing removed; `detail` says why
  };
  struct Outcome {
    Kind kind = Kind::kUnsettled;
    int64_t removed = 0;   // files removed
    RemovalResult removal;  // of the other files (the originals' policy)
    bool too_large = false;  // more rows than kRowLimit: nothing compared, nothing removed
    std::string detail;    // for the report
  };

  /// More rows than this in the outputs are not compared (about 16 bytes a row in memory).
  static constexpr int64_t kRowLimit = 50'000'000;

  enum class Prefer {
    kEither,       // settle: remove the outputs, or the other files, whichever the rows allow
    kKeepOutputs,  // roll forward: the outputs stay; only other files wholly within them go,
                   // and any other is left where it is (reported, kUnsettled)
  };

  /// `originals`: removes other files (by the run's policy) into `archive`.
  /// REQUIRES: `outputs` is not empty and readable as Parquet. Errors: a file cannot be read.
  static arrow::Result<Outcome> Settle(FileSystems& file_systems,
                                       const PartitionPublisher& originals,
                                       const Location& archive,
                                       const std::vector<ExpectedFile>& outputs,
                                       const std::vector<ExpectedFile>& others,
                                       Prefer prefer = Prefer::kEither);
};

}  // namespace s3c
