#include "util/error_kind.h"

#include <memory>

namespace s3c {
namespace {

class ErrorKindDetail : public arrow::StatusDetail {
 public:
  explicit ErrorKindDetail(ErrorKind kind) : kind_(kind) {}
  const char* type_id() const override { return "s3c::ErrorKind"; }
  std::string ToString() const override { return ""; }
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace

arrow::Status WithKind(const arrow::Status& status, ErrorKind kind) {
  if (status.ok()) return status;
  return status.WithDetail(std::make_shared<ErrorKindDetail>(kind));
}

ErrorKind KindOf(const arrow::Status& status) {
  if (auto detail = status.detail()) {
    if (std::string_view(detail->type_id()) == "s3c::ErrorKind") {
      return static_cast<const ErrorKindDetail&>(*detail).kind();
    }
  }
  if (status.IsIOError() || status.IsInvalid() || status.IsKeyError()) return ErrorKind::kInput;
  return ErrorKind::kInternal;
}

}  // namespace s3c
