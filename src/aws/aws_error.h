#pragma once
// AwsError: AWS service errors, translated once. An error becomes an arrow::Status whose message
// names the operation and the object ("GetPartitions my_db.my_table: AccessDeniedException:
// User is not authorized ...") and whose detail keeps the AWS error code for callers to branch
// on (EntityNotFoundException, InvalidInputException, ...).

#include <string>

#include <arrow/status.h>

#include "aws/http_client.h"

namespace s3c::aws {

struct AwsErrorInfo {
  std::string code;     // "ThrottlingException", "NoSuchKey", ...; empty if unknown
  std::string message;  // the service's own words
  long http_status = 0;
};

/// Reads the error out of a non-2xx response: JSON ("__type", "message"), XML (<Code>,
/// <Message>) or the x-amzn-ErrorType header.
AwsErrorInfo ParseError(const HttpResponse& response);

/// True for errors worth retrying: throttling, 5xx, request timeouts.
bool IsRetryable(const AwsErrorInfo& error);

/// True when the credentials were refused as expired (worth one refresh and retry).
bool IsExpiredCredentials(const AwsErrorInfo& error);

/// IOError "<what>: <code>: <message>" carrying the error for AwsErrorCode().
arrow::Status ToStatus(const std::string& what, const AwsErrorInfo& error);

/// The AWS error code a status carries, or "" if it carries none.
std::string AwsErrorCode(const arrow::Status& status);

}  // namespace s3c::aws
