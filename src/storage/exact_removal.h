#pragma once
// The value types of conditional removal (FileSystems::RemoveExactly and MoveExactly): a file
// to remove only if it is still exactly the version identified, and what became of it.
//
// "Removed" is the only success. A file that was already gone is not one: someone else
// removed or renamed it, and a caller that meant to remove exactly that version must not
// count it as done (it may be in a reader's listing of a backup, or on its way elsewhere).

#include <string_view>

#include <arrow/status.h>

#include "storage/file_identity.h"
#include "storage/location.h"

namespace s3c {

enum class RemovalOutcome {
  kRemoved,  // it was exactly the version identified, and now it is gone (deleted, or moved)
  kGone,     // nothing was there: not a success
  kChanged,  // another version is there: left in place
  kFailed,   // an error (see the status); it may still be there
};

/// "removed", "gone", "changed", "failed".
std::string_view ToString(RemovalOutcome outcome);

/// A file to remove only if it is still the version `identity` names.
struct ExpectedFile {
  Location location;
  FileIdentity identity;
};

/// A file to move to `to` only if it is still the version `identity` names.
struct ExpectedMove {
  Location from;
  FileIdentity identity;
  Location to;
};

/// What became of one file of a conditional removal or move.
struct FileRemoval {
  Location location;  // the file asked for (the source of a move)
  RemovalOutcome outcome = RemovalOutcome::kFailed;
  arrow::Status status;  // why, for kFailed; OK otherwise
  /// A delete request for it went to the store (S3): kGone or kFailed may then be our own
  /// request's doing, its answer lost (a retry finds it gone, or every answer was cut).
  bool sent = false;

  bool removed() const { return outcome == RemovalOutcome::kRemoved; }
};

}  // namespace s3c
