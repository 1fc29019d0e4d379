#include "aws/aws_error.h"

#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "aws/xml.h"
#include "util/json_fields.h"

namespace s3c::aws {
namespace {

class AwsErrorDetail : public arrow::StatusDetail {
 public:
  explicit AwsErrorDetail(AwsErrorInfo info) : info_(std::move(info)) {}
  const char* type_id() const override { return "s3c::aws::AwsError"; }
  std::string ToString() const override { return info_.code; }
  const AwsErrorInfo& info() const { return info_; }

 private:
  AwsErrorInfo info_;
};

// "com.amazonaws.glue#EntityNotFoundException" or "EntityNotFoundException:http://..."
std::string CleanCode(std::string code) {
  auto hash = code.rfind('#');
  if (hash != std::string::npos) code = code.substr(hash + 1);
  auto colon = code.find(':');
  if (colon != std::string::npos) code = code.substr(0, colon);
  return code;
}

}  // namespace

AwsErrorInfo ParseError(const HttpResponse& response) {
  AwsErrorInfo info;
  info.http_status = response.status;
  auto json = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (auto fields = JsonFields::Of(json, "error body"); fields.ok()) {
    // An error body whose fields have other types still is an error: what cannot be read is
    // left out, and the HTTP status speaks instead.
    auto text = [&](const char* key) { return fields->StringOr(key, "").ValueOr(""); };
    info.code = CleanCode(text("__type"));
    if (info.code.empty()) info.code = CleanCode(text("code"));
    for (const char* key : {"message", "Message", "errorMessage"}) {
      info.message = text(key);
      if (!info.message.empty()) break;
    }
  } else if (response.body.find('<') != std::string::npos) {
    info.code = xml::FirstText(response.body, "Code");
    info.message = xml::FirstText(response.body, "Message");
  }
  if (info.code.empty()) {
    auto it = response.headers.find("x-amzn-errortype");
    if (it != response.headers.end()) info.code = CleanCode(it->second);
  }
  if (info.code.empty()) {
    info.code = response.status == 429          ? "TooManyRequests"
                : response.status == 403        ? "AccessDenied"
                : response.status == 404        ? "NotFound"
                : response.status >= 500        ? "ServiceError"
                                                : "HTTP" + std::to_string(response.status);
  }
  if (info.message.empty()) info.message = "HTTP " + std::to_string(response.status);
  return info;
}

bool IsRetryable(const AwsErrorInfo& error) {
  static const std::set<std::string> kRetryable = {
      "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
      "TooManyRequestsException", "ProvisionedThroughputExceededException",
      "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
      "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
      "EC2ThrottledException", "RequestTimeout", "RequestTimeoutException", "InternalError",
      "InternalServiceException", "InternalFailure", "ServiceUnavailable",
      "ServiceUnavailableException", "TooManyRequests", "IDPCommunicationError"};
  if (kRetryable.count(error.code)) return true;
  return error.http_status == 429 || error.http_status == 500 || error.http_status == 502 ||
         error.http_status == 503 || error.http_status == 504;
}

bool IsExpiredCredentials(const AwsErrorInfo& error) {
  return error.code == "ExpiredToken" || error.code == "ExpiredTokenException" ||
         error.code == "RequestExpired";
}

arrow::Status ToStatus(const std::string& what, const AwsErrorInfo& error) {
  return arrow::Status::IOError(what, ": ", error.code, ": ", error.message)
      .WithDetail(std::make_shared<AwsErrorDetail>(error));
}

std::string AwsErrorCode(const arrow::Status& status) {
  if (auto detail = status.detail()) {
    if (std::string_view(detail->type_id()) == "s3c::aws::AwsError") {
      return static_cast<const AwsErrorDetail&>(*detail).info().code;
    }
  }
  return "";
}

}  // namespace s3c::aws
