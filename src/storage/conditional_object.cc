#include "storage/conditional_object.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>

#include "aws/aws_error.h"
#include "storage/storage_faults.h"
#include "util/fnv1a.h"

namespace s3c {
namespace {

std::string Hash(const std::string& text) {
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(Fnv1a(text)));
  return buf;
}

std::optional<std::string> ReadLocal(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

arrow::Status WriteLocal(const std::string& path, const std::string& body) {
  std::ofstream out(path, std::ios::trunc);
  out << body;
  out.close();
  if (!out) return arrow::Status::IOError("cannot write ", path);
  return arrow::Status::OK();
}

std::string TempName(const std::string& path) {
  std::random_device rd;
  return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
}

// An exclusive lock on <path>.lock for the life of the object.
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    fd_ = ::open((path + ".lock").c_str(), O_CREAT | O_RDWR, 0644);
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) {
      ::flock(fd_, LOCK_UN);
      ::close(fd_);
    }
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace

ConditionalObject::ConditionalObject(Location location, std::shared_ptr<aws::AwsContext> aws,
                                     std::shared_ptr<StorageRequests> requests)
    : location_(std::move(location)), aws_(std::move(aws)), requests_(std::move(requests)) {
  if (location_.is_s3()) {
    if (!aws_) aws_ = aws::AwsContext::FromEnvironment();
    client_ = std::make_unique<aws::AwsClient>(aws_->credentials(),
                                               aws::RetryOptions::From(aws_->config()));
    endpoint_.region = aws_->config().Region().ValueOr("us-east-1");
    endpoint_.url = aws_->config().Endpoint("s3", endpoint_.region, &endpoint_.custom);
    auto slash = location_.path.find('/');
    bucket_ = location_.path.substr(0, slash);
    key_ = slash == std::string::npos ? "" : location_.path.substr(slash + 1);
  }
}

arrow::Result<aws::HttpResponse> ConditionalObject::S3Send(
    const std::string& method, const std::string& body,
    std::vector<std::pair<std::string, std::string>> headers, const std::string& what,
    bool* precondition_failed) const {
  aws::HttpRequest request;
  request.method = method;
  request.url = S3ObjectUrl(endpoint_, bucket_, key_);
  request.body = body;
  request.headers = std::move(headers);
  request.service = "s3";
  request.region = endpoint_.region;
  // One request, one storage operation: `what` is "GetObject s3://bucket/key" (or PutObject,
  // DeleteObject).
  const std::string_view op(what);
  const auto space = op.find(' ');
  auto response = StorageFaults::Run(op.substr(0, space), op.substr(space + 1), [&] {
    Count(method == "GET" ? RequestKind::kGet
                          : method == "DELETE" ? RequestKind::kDelete : RequestKind::kPut);
    return client_->Send(request, what);
  });
  if (precondition_failed) {
    const std::string code = response.ok() ? "" : aws::AwsErrorCode(response.status());
    *precondition_failed = code == "PreconditionFailed" || code == "ConditionalRequestConflict";
  }
  return response;
}

arrow::Result<std::optional<ConditionalObject::Version>> ConditionalObject::Read() const {
  if (!location_.is_s3()) {
    return StorageFaults::Run(
        "ConditionalRead", location_.path, [&]() -> arrow::Result<std::optional<Version>> {
          Count(RequestKind::kGet);
          auto body = ReadLocal(location_.path);
          if (!body) return std::nullopt;
          return Version{*body, Hash(*body)};
        });
  }
  auto response = S3Send("GET", "", {}, "GetObject " + location_.uri(), nullptr);
  if (!response.ok()) {
    const std::string code = aws::AwsErrorCode(response.status());
    if (code == "NoSuchKey" || code == "NotFound") return std::nullopt;
    return response.status();
  }
  return Version{response->body, response->headers["etag"]};
}

arrow::Result<std::optional<std::string>> ConditionalObject::CreateIfAbsent(
    const std::string& body) const {
  if (!location_.is_s3()) {
    return StorageFaults::Run(
        "ConditionalCreate", location_.path, [&]() -> arrow::Result<std::optional<std::string>> {
          Count(RequestKind::kPut);
          std::error_code ec;
          std::filesystem::create_directories(
              std::filesystem::path(location_.path).parent_path(), ec);
          const std::string temp = TempName(location_.path);
          ARROW_RETURN_NOT_OK(WriteLocal(temp, body));
          int rc = ::link(temp.c_str(), location_.path.c_str());  // atomic; fails if it exists
          int err = errno;
          ::unlink(temp.c_str());
          if (rc == 0) return Hash(body);
          if (err == EEXIST) return std::nullopt;
          return arrow::Status::IOError("creating ", location_.uri(), ": ", std::strerror(err));
        });
  }
  bool exists = false;
  auto response = S3Send("PUT", body, {{"Content-Type", "application/json"}, {"If-None-Match", "*"}},
                         "PutObject " + location_.uri(), &exists);
  if (response.ok()) return response->headers["etag"];
  if (exists) return std::nullopt;
  return response.status();
}

arrow::Result<std::optional<std::string>> ConditionalObject::ReplaceIf(
    const std::string& body, const std::string& tag) const {
  if (!location_.is_s3()) {
    return StorageFaults::Run(
        "ConditionalReplace", location_.path, [&]() -> arrow::Result<std::optional<std::string>> {
          Count(RequestKind::kPut);
          FileLock lock(location_.path);
          if (!lock.ok()) return arrow::Status::IOError("cannot lock ", location_.uri());
          auto current = ReadLocal(location_.path);
          if (!current || Hash(*current) != tag) return std::nullopt;
          const std::string temp = TempName(location_.path);
          ARROW_RETURN_NOT_OK(WriteLocal(temp, body));
          if (::rename(temp.c_str(), location_.path.c_str()) != 0) {
            return arrow::Status::IOError("replacing ", location_.uri(), ": ",
                                          std::strerror(errno));
          }
          return Hash(body);
        });
  }
  bool changed = false;
  auto response = S3Send("PUT", body, {{"Content-Type", "application/json"}, {"If-Match", tag}},
                         "PutObject " + location_.uri(), &changed);
  if (response.ok()) return response->headers["etag"];
  if (changed || aws::AwsErrorCode(response.status()) == "NoSuchKey") return std::nullopt;
  return response.status();
}

arrow::Status ConditionalObject::Delete() const {
  if (!location_.is_s3()) {
    return StorageFaults::Run("ConditionalDelete", location_.path, [&] {
      Count(RequestKind::kDelete);
      if (::unlink(location_.path.c_str()) != 0 && errno != ENOENT) {
        return arrow::Status::IOError("deleting ", location_.uri(), ": ", std::strerror(errno));
      }
      ::unlink((location_.path + ".lock").c_str());
      return arrow::Status::OK();
    });
  }
  auto response = S3Send("DELETE", "", {}, "DeleteObject " + location_.uri(), nullptr);
  if (!response.ok() && aws::AwsErrorCode(response.status()) != "NoSuchKey") {
    return response.status();
  }
  return arrow::Status::OK();
}

arrow::Result<std::string> ConditionalObject::IgnoredCondition(const std::string& body,
                                                               std::string* tag) const {
  if (!location_.is_s3()) return std::string();
  // One probe per store and bucket: a run may hold several leases there.
  static std::mutex mutex;
  static std::map<std::string, std::string> probed;
  const std::string store = endpoint_.url + "\n" + bucket_;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto known = probed.find(store); known != probed.end()) return known->second;
  std::string ignored;
  ARROW_ASSIGN_OR_RAISE(auto created, CreateIfAbsent(body));
  if (created) {
    ignored = "If-None-Match";
    *tag = *created;
  }
  // A version no object has: S3 ETags are quoted hex digests.
  ARROW_ASSIGN_OR_RAISE(auto replaced, ReplaceIf(body, "\"s3c-probe-not-a-version\""));
  if (replaced) {
    if (ignored.empty()) ignored = "If-Match";
    *tag = *replaced;
  }
  probed[store] = ignored;
  return ignored;
}

}  // namespace s3c
