#pragma once
// PlanMismatch: marks the error a GroupCompactor returns when a file whose footer the planner
// deferred turns out not to be shaped like the partition's sample (another schema, codec, ...).
// Nothing of the file was written. The job discards the partition's staged files and re-plans
// it from every footer (Planner with defer_footers_up_to = 0) in the same run.

#include <memory>
#include <string>

#include <arrow/status.h>

namespace s3c {

class PlanMismatch : public arrow::StatusDetail {
 public:
  const char* type_id() const override { return "s3c::PlanMismatch"; }
  std::string ToString() const override { return "the partition must be re-planned"; }

  static arrow::Status Error(const std::string& message) {
    return arrow::Status(arrow::StatusCode::Invalid, message, std::make_shared<PlanMismatch>());
  }
  static bool Is(const arrow::Status& status) {
    return !status.ok() && status.detail() &&
           std::string(status.detail()->type_id()) == "s3c::PlanMismatch";
  }
};

}  // namespace s3c
