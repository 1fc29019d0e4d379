#pragma once
// ContentSettlement: when a journal cannot say what a partition holds (a conflict with another
// run or writer, a record or plan that cannot be read or trusted), decides by the rows
// themselves which files to remove so that every row is there once, and removes only files
// whose every row is verified to be present in the files that stay.
//
// Given a run's outputs in a partition, the planned originals still there (known by their
// identity from the run's plan), and the partition's other files:
//   every row of the outputs is in the other files    -> the outputs go (they only double rows
//   and originals                                        published or still there elsewhere)
//   else, each original lies wholly within the         -> those originals go, deleted or
//   outputs' rows, and no other file shares a row        archived as the run's policy says
//   with them                                            (the run was removing them)
//   else                                               -> nothing goes: unsettled, reported
// Only originals are ever removed for being within the outputs: a file the run did not plan
// may hold the same rows on purpose (an at-least-once writer's duplicate), and stays. Rows are
// compared as multisets (RowMultiset). Removal is exact (FileSystems::RemoveExactly): a file
// that changed since it was listed stays. Files no trusted record vouches for (`unvouched`)
// are weighed as other files but never make the outputs removable: without a journal that
// says the run did not finish, its outputs may be the only copy of rows another file holds on
// purpose (an at-least-once writer's re-delivery, an older duplicate). An other file that is
// not Parquet (or is corrupt) holds no row readers see, and is passed over. Stateless.

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

  /// More rows than this in the outputs are not compared (the row multisets take ~50 bytes a
  /// distinct row, twice: about 1 GiB at the limit).
  static constexpr int64_t kRowLimit = 10'000'000;

  enum class Prefer {
    kEither,       // settle: remove the outputs, or the other files, whichever the rows allow
    kKeepOutputs,  // roll forward: the outputs stay; only originals wholly within them go,
                   // and any other is left where it is (reported, kUnsettled)
  };

  /// `remover` removes originals (by the run's policy) into `archive`. `unvouched`: other files
  /// that never make the outputs removable (see above).
  /// REQUIRES: `outputs` is not empty and readable as Parquet. Errors: a file cannot be read.
  static arrow::Result<Outcome> Settle(FileSystems& file_systems,
                                       const PartitionPublisher& remover,
                                       const Location& archive,
                                       const std::vector<ExpectedFile>& outputs,
                                       const std::vector<ExpectedFile>& originals,
                                       const std::vector<ExpectedFile>& others,
                                       Prefer prefer = Prefer::kEither,
                                       const std::vector<ExpectedFile>& unvouched = {});

 private:
  static Outcome RemoveOutputs(FileSystems& file_systems,
                               const std::vector<ExpectedFile>& outputs, const std::string& rows);
  static Outcome RemoveWithin(const PartitionPublisher& remover, const Location& archive,
                              const std::vector<ExpectedFile>& within, const std::string& partial);
};

}  // namespace s3c
