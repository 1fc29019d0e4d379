#include "storage/s3_lister.h"

#include <cctype>
#include <charconv>
#include <optional>
#include <set>

#include "aws/credentials.h"
#include "aws/uri_encode.h"
#include "aws/xml.h"

namespace s3c {
namespace {

// encoding-type=url as S3 applies it: %XX escapes, and '+' for a space (botocore decodes the
// same way, with unquote_plus).
std::string UrlDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() &&
               std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::optional<int64_t> ParseInt(const std::string& text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

S3Lister::S3Lister(std::shared_ptr<aws::AwsContext> context,
                   std::shared_ptr<StorageRequests> requests)
    : context_(std::move(context)),
      client_(context_->credentials(), aws::RetryOptions::From(context_->config())),
      requests_(std::move(requests)) {
  endpoint_.region = context_->config().Region().ValueOr("us-east-1");
  endpoint_.url = context_->config().Endpoint("s3", endpoint_.region, &endpoint_.custom);
}

std::string S3Lister::Query(const std::string& prefix, const std::string& token) {
  std::string query;
  if (!token.empty()) query += "continuation-token=" + aws::UriEncode(token) + "&";
  return query + "delimiter=%2F&encoding-type=url&list-type=2&prefix=" + aws::UriEncode(prefix);
}

std::optional<int64_t> S3Lister::ParseTimeNs(const std::string& text) {
  auto seconds = aws::ParseIso8601(text);
  if (!seconds) return std::nullopt;
  int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                   seconds->time_since_epoch()).count();
  // ParseIso8601 keeps whole seconds; the fraction (S3 gives milliseconds) is added here.
  if (text.size() > 19 && text[19] == '.') {
    int64_t scale = 100000000;
    for (size_t i = 20; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      ns += (text[i] - '0') * scale;
      scale /= 10;
    }
  }
  return ns;
}

arrow::Result<S3Lister::Page> S3Lister::ParsePage(std::string_view body,
                                                  const std::string& prefix) {
  Page page;
  const bool url_encoded = xml::FirstText(body, "EncodingType") == "url";
  auto decode = [&](std::string text) { return url_encoded ? UrlDecode(text) : text; };
  for (std::string_view contents : xml::Elements(body, "Contents")) {
    Object object;
    object.key = decode(xml::FirstText(contents, "Key"));
    auto size = ParseInt(xml::FirstText(contents, "Size"));
    if (object.key.empty() || !size) {
      return arrow::Status::Invalid("an object without a Key or a Size: ", std::string(contents));
    }
    object.size = *size;
    object.etag = xml::FirstText(contents, "ETag");
    const std::string modified = xml::FirstText(contents, "LastModified");
    auto time = ParseTimeNs(modified);
    if (!time) return arrow::Status::Invalid("LastModified '", modified, "' of ", object.key);
    object.last_modified_ns = *time;
    const bool direct = object.key.size() > prefix.size() &&
                        object.key.compare(0, prefix.size(), prefix) == 0 &&
                        object.key.find('/', prefix.size()) == std::string::npos;
    if (direct) page.objects.push_back(std::move(object));
  }
  if (xml::FirstText(body, "IsTruncated") == "true") {
    page.next_token = xml::FirstText(body, "NextContinuationToken");
    if (page.next_token.empty()) {
      return arrow::Status::Invalid("a truncated page without a NextContinuationToken");
    }
  }
  return page;
}

arrow::Result<std::vector<S3Lister::Object>> S3Lister::List(const std::string& folder) const {
  std::string path = folder;
  while (!path.empty() && path.back() == '/') path.pop_back();
  const auto slash = path.find('/');
  const std::string bucket = path.substr(0, slash);
  const std::string prefix = slash == std::string::npos ? "" : path.substr(slash + 1) + "/";
  const std::string what = "ListObjectsV2 s3://" + bucket + "/" + prefix;
  if (bucket.empty()) return arrow::Status::Invalid(what, ": no bucket");

  std::vector<Object> objects;
  std::set<std::string> tokens_seen;
  std::string token;
  do {
    aws::HttpRequest request;
    request.method = "GET";
    request.url = S3BucketUrl(endpoint_, bucket, Query(prefix, token));
    request.service = "s3";
    request.region = endpoint_.region;
    if (requests_) requests_->Add(RequestKind::kList);
    ARROW_ASSIGN_OR_RAISE(auto response, client_.Send(request, what));
    auto page = ParsePage(response.body, prefix);
    if (!page.ok()) {
      return arrow::Status::IOError(what, ": malformed response: ", page.status().message());
    }
    for (auto& object : page->objects) objects.push_back(std::move(object));
    token = page->next_token;
    if (!token.empty() && !tokens_seen.insert(token).second) {
      return arrow::Status::IOError(what, ": malformed response: continuation token '", token,
                                    "' came back twice");
    }
  } while (!token.empty());
  return objects;
}

}  // namespace s3c
