#include "storage/exact_removal.h"

namespace s3c {

std::string_view ToString(RemovalOutcome outcome) {
  switch (outcome) {
    case RemovalOutcome::kRemoved: return "removed";
    case RemovalOutcome::kGone: return "gone";
    case RemovalOutcome::kChanged: return "changed";
    case RemovalOutcome::kFailed: return "failed";
  }
  return "failed";
}

}  // namespace s3c
