#include "storage/file_systems.h"

#include "storage/forwarding_file_system.h"

#include <arrow/util/future.h>
#include <arrow/util/iterator.h>

#include <algorithm>
#include <cctype>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>

#include <unistd.h>

#include <cerrno>

#include <arrow/filesystem/localfs.h>
#include <arrow/filesystem/s3fs.h>

#include "aws/tls_trust.h"
#include "storage/fault_injecting_file_system.h"
#include "storage/local_files.h"
#include "storage/refreshing_s3_file_system.h"
#include "storage/request_counting_file_system.h"
#include "storage/s3_batch_deleter.h"
#include "storage/s3_lister.h"
#include "storage/storage_faults.h"
#include "util/logging.h"
#include "util/parallel_for.h"

namespace s3c {
namespace {

std::atomic<bool> g_s3_initialized{false};

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// nullopt if every item passed the fence (`fence[i]` OK); otherwise one failed removal per item,
// touching none: the fence's error for those outside it, "not attempted" for the others.
std::optional<std::vector<FileRemoval>> Refusals(const std::vector<Location>& items,
                                                 const std::vector<arrow::Status>& fence) {
  auto outside = std::find_if(fence.begin(), fence.end(), [](const auto& st) { return !st.ok(); });
  if (outside == fence.end()) return std::nullopt;
  const Location& first = items[static_cast<size_t>(outside - fence.begin())];
  std::vector<FileRemoval> out;
  for (size_t i = 0; i < items.size(); ++i) {
    arrow::Status st = fence[i].ok() ? arrow::Status::Invalid("not attempted: the delete fence "
                                                              "refused ", first.uri(),
                                                              " of the same batch")
                                     : fence[i];
    out.push_back({items[i], RemovalOutcome::kFailed, std::move(st)});
  }
  return out;
}

}  // namespace

FileSystems::FileSystems(std::shared_ptr<aws::AwsContext> aws) : aws_(std::move(aws)) {}

FileSystems::~FileSystems() = default;

std::shared_ptr<aws::AwsContext> FileSystems::aws() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!aws_) aws_ = aws::AwsContext::FromEnvironment();
  return aws_;
}

arrow::Status FileSystems::DeleteFolder(const Location& folder, std::string_view last_name) {
  ARROW_RETURN_NOT_OK(CheckMayDelete(folder));
  arrow::fs::FileSelector selector;
  selector.base_dir = folder.path;
  selector.recursive = true;
  selector.allow_not_found = true;
  ARROW_ASSIGN_OR_RAISE(auto entries, folder.fs->GetFileInfo(selector));
  std::vector<Location> files, last;
  for (const auto& e : entries) {
    if (e.type() != arrow::fs::FileType::File) continue;
    (!last_name.empty() && BaseName(e.path()) == last_name ? last : files)
        .push_back({folder.fs, e.path()});
  }
  for (const auto* batch : {&files, &last}) {
    auto failures = DeleteFiles(*batch);
    if (!failures.empty()) return failures.front().second;
  }
  if (!folder.is_s3()) {
    auto info = folder.fs->GetFileInfo(folder.path);
    if (info.ok() && info->type() == arrow::fs::FileType::Directory) {
      ARROW_RETURN_NOT_OK(folder.fs->DeleteDir(folder.path));
    }
  }
  return arrow::Status::OK();
}

void FileSystems::RemoveEmptyFolders(const Location& folder, std::string_view last) {
  if (folder.is_s3()) return;
  // Only below a folder named exactly `last`: never climb into folders the tool does not own.
  const std::string segment = "/" + std::string(last);
  const std::string with_slash = folder.path + "/";
  if (with_slash.find(segment + "/") == std::string::npos) return;
  std::string dir = folder.path;
  while (!dir.empty()) {
    // rmdir removes a folder only if it is empty, in one step: a file another run creates in
    // it meanwhile (its lease, its journal) makes it fail, and stays. (Arrow's DeleteDir would
    // remove the folder with whatever it holds.)
    auto removed = StorageFaults::Run("Rmdir", dir, [&]() -> arrow::Status {
      if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return arrow::Status::OK();
      return arrow::Status::IOError("not empty, or not removable");
    });
    if (!removed.ok()) return;
    if (BaseName(dir) == last) return;
    auto slash = dir.rfind('/');
    if (slash == std::string::npos || slash == 0) return;
    dir.resize(slash);
  }
}

S3BatchDeleter& FileSystems::Deleter() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!aws_) aws_ = aws::AwsContext::FromEnvironment();
  if (!deleter_) deleter_ = std::make_unique<S3BatchDeleter>(aws_, requests_);
  return *deleter_;
}

S3Lister& FileSystems::Lister() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!aws_) aws_ = aws::AwsContext::FromEnvironment();
  if (!lister_) lister_ = std::make_unique<S3Lister>(aws_, requests_);
  return *lister_;
}

arrow::Result<std::vector<ListedFile>> FileSystems::ListWithIdentities(const Location& folder) {
  if (!folder.is_s3()) {
    requests_->Add(RequestKind::kList);
    return ListLocalFolder(folder);
  }
  ARROW_ASSIGN_OR_RAISE(auto objects, Lister().List(folder.path));
  const std::string bucket = folder.path.substr(0, folder.path.find('/'));
  std::vector<ListedFile> files;
  for (auto& object : objects) {
    FileIdentity identity;
    identity.size = object.size;
    identity.mtime_ns = object.last_modified_ns;
    identity.etag = std::move(object.etag);
    files.push_back({Location{folder.fs, bucket + "/" + object.key}, std::move(identity), false});
  }
  return files;
}

std::vector<FileRemoval> FileSystems::RemoveExactly(const std::vector<ExpectedFile>& files) {
  std::vector<Location> locations;
  std::vector<arrow::Status> fence;
  for (const auto& file : files) {
    locations.push_back(file.location);
    fence.push_back(CheckMayDelete(file.location));
  }
  if (auto refused = Refusals(locations, fence)) return *refused;  // a bug upstream

  std::vector<FileRemoval> out(files.size());
  std::vector<S3BatchDeleter::ExpectedObject> objects;
  std::vector<size_t> object_index;  // objects[j] is files[object_index[j]]
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].location.is_s3()) {
      objects.push_back({files[i].location.path, files[i].identity.etag});
      object_index.push_back(i);
    } else {
      requests_->Add(RequestKind::kDelete);
      out[i] = RemoveLocalIfSame(files[i]);
    }
  }
  if (!objects.empty()) {
    std::vector<FileRemoval> removals;
    if (HonoursConditionalDeletes(files[object_index.front()].location)) {
      for (auto& r : Deleter().DeleteExactly(objects)) {
        removals.push_back({Location{}, r.outcome, std::move(r.status), /*sent=*/true});
      }
    } else {
      std::vector<ExpectedFile> s3_files;
      for (size_t i : object_index) s3_files.push_back(files[i]);
      removals = RemoveAfterRecheck(s3_files);
    }
    for (size_t j = 0; j < removals.size(); ++j) {
      const size_t i = object_index[j];
      out[i] = {files[i].location, removals[j].outcome, std::move(removals[j].status),
                removals[j].sent};
    }
  }
  return out;
}

bool FileSystems::HonoursConditionalDeletes(const Location& near) {
  const std::string bucket = near.path.substr(0, near.path.find('/'));
  std::lock_guard<std::mutex> probing(probe_mutex_);  // one probe per bucket, whoever asks
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = conditional_deletes_.find(bucket); it != conditional_deletes_.end()) {
      return it->second;
    }
  }
  // A conditional delete of a name that does not exist, with an ETag no object has: a store
  // that evaluates the condition says NoSuchKey or PreconditionFailed; one that ignores it says
  // it deleted it. (Readers skip the hidden name; nothing is created, except a delete marker on
  // a versioned bucket of a store that ignores the condition.)
  const std::string folder = near.path.substr(0, near.path.rfind('/'));
  const std::string probe = folder + "/_s3_compaction_probe";
  auto result = Deleter().DeleteExactly({{probe, "\"00000000000000000000000000000000\""}});
  const bool honours = result.empty() || result.front().outcome != RemovalOutcome::kRemoved;
  if (!honours) {
    log::Warn("s3://", bucket, " ignores the ETag condition of DeleteObjects: originals are "
              "checked again right before each delete instead (a replacement landing in between "
              "would be deleted)");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  conditional_deletes_[bucket] = honours;
  return honours;
}

std::vector<FileRemoval> FileSystems::RemoveAfterRecheck(const std::vector<ExpectedFile>& files) {
  // Each folder listed again, right before its delete: what changed or went meanwhile stays.
  std::map<std::string, std::map<std::string, FileIdentity>> now;  // folder -> path -> identity
  std::vector<FileRemoval> out(files.size());
  std::vector<std::string> paths;
  std::vector<size_t> index;
  for (size_t i = 0; i < files.size(); ++i) {
    const Location& file = files[i].location;
    const Location folder{file.fs, file.path.substr(0, file.path.rfind('/'))};
    if (!now.count(folder.path)) {
      auto listed = ListWithIdentities(folder);
      auto& identities = now[folder.path];
      if (listed.ok()) {
        for (auto& f : *listed) identities[f.location.path] = std::move(f.identity);
      }
    }
    const auto& identities = now[folder.path];
    auto it = identities.find(file.path);
    if (it == identities.end()) {
      out[i] = {file, RemovalOutcome::kGone, arrow::Status::OK()};
    } else if (!SameFile(files[i].identity, it->second)) {
      out[i] = {file, RemovalOutcome::kChanged, arrow::Status::OK()};
    } else {
      paths.push_back(file.path);
      index.push_back(i);
    }
  }
  std::map<std::string, arrow::Status> failed;
  for (auto& [path, st] : Deleter().Delete(paths)) failed[path] = st;
  for (size_t k = 0; k < paths.size(); ++k) {
    auto it = failed.find(paths[k]);
    out[index[k]] = {files[index[k]].location,
                     it == failed.end() ? RemovalOutcome::kRemoved : RemovalOutcome::kFailed,
                     it == failed.end() ? arrow::Status::OK() : it->second, /*sent=*/true};
  }
  return out;
}

std::vector<FileRemoval> FileSystems::MoveExactly(const std::vector<ExpectedMove>& moves) {
  std::vector<Location> sources;
  std::vector<arrow::Status> fence;
  for (const auto& move : moves) {
    sources.push_back(move.from);
    arrow::Status st = CheckMayDelete(move.from);
    if (st.ok()) {
      st = CheckMayDelete(move.to);
      if (!st.ok()) {
        st = st.WithMessage("moving ", move.from.uri(), " to ", move.to.uri(), ": ", st.message());
      }
    }
    fence.push_back(std::move(st));
  }
  if (auto refused = Refusals(sources, fence)) return *refused;

  std::vector<FileRemoval> out;
  for (const auto& move : moves) {
    if (move.from.is_s3() || move.to.is_s3()) {
      out.push_back({move.from, RemovalOutcome::kFailed,
                     arrow::Status::NotImplemented("moving ", move.from.uri(), " to ",
                                                   move.to.uri(), " only if unchanged: on S3, "
                                                   "copy it, then RemoveExactly")});
    } else {
      requests_->Add(RequestKind::kCopy);  // a rename, S3's copy
      out.push_back(MoveLocalIfSame(move));
    }
  }
  return out;
}

void FileSystems::AllowDeletesUnder(const Location& folder) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& known : deletable_) {
    if (known.Contains(folder)) return;
  }
  deletable_.push_back(folder);
}

arrow::Status FileSystems::CheckMayDelete(const Location& file) const {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (deletable_.empty()) return arrow::Status::OK();
  }
  // Locally, where the path really leads: a folder on the way may be a symbolic link to a
  // place outside the fence. The name itself is not followed (removing a link removes the
  // link, not what it points at).
  Location real = file;
  if (!file.is_s3()) {
    const auto slash = file.path.rfind('/');
    const std::string parent = slash == 0 ? "/" : file.path.substr(0, slash);
    auto canonical = CanonicalLocalPath(parent);
    if (!canonical.ok()) return canonical.status();
    real.path = JoinPath(*canonical, BaseName(file.path));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& folder : deletable_) {
    if (folder.Contains(real) && !(real.path == folder.path)) return arrow::Status::OK();
  }
  return arrow::Status::Invalid(
      "refusing to delete ", file.uri(),
      real.path == file.path ? std::string() : " (which is " + real.uri() + ")",
      ": it lies outside the table's locations, the target, the archive and the journal "
      "(nothing deleted)");
}

std::vector<std::pair<Location, arrow::Status>> FileSystems::DeleteFiles(
    const std::vector<Location>& files) {
  std::vector<std::pair<Location, arrow::Status>> failures;
  std::vector<Location> allowed;
  for (const auto& file : files) {
    auto st = CheckMayDelete(file);
    if (st.ok()) {
      allowed.push_back(file);
    } else {
      failures.emplace_back(file, st);
    }
  }
  if (!failures.empty()) return failures;  // a bug upstream: delete none of them
  std::vector<std::string> s3_paths;
  std::shared_ptr<arrow::fs::FileSystem> s3_fs;
  std::vector<Location> others;
  for (const auto& file : allowed) {
    if (file.is_s3()) {
      s3_paths.push_back(file.path);
      s3_fs = file.fs;
    } else {
      others.push_back(file);
    }
  }
  if (!s3_paths.empty()) {
    for (auto& [path, status] : Deleter().Delete(s3_paths)) {
      failures.emplace_back(Location{s3_fs, path}, status);
    }
  }
  for (const auto& file : others) {
    auto st = file.fs->DeleteFile(file.path);
    if (st.ok()) continue;
    auto info = file.fs->GetFileInfo(file.path);
    if (info.ok() && info->type() == arrow::fs::FileType::NotFound) continue;
    failures.emplace_back(file, st.WithMessage("deleting ", file.uri(), ": ", st.message()));
  }
  return failures;
}

void FileSystems::FinalizeS3IfUsed() {
  if (g_s3_initialized.exchange(false)) {
    auto st = arrow::fs::FinalizeS3();
    (void)st;  // nothing useful to do with a failure at exit
  }
}

namespace {

// The AWS standard strategy, except for certificate failures, which it retries like any
// transport error: the same roots and the same server fail the same way, eight times over.
class NoRetryOfCertificateErrors : public arrow::fs::S3RetryStrategy {
 public:
  explicit NoRetryOfCertificateErrors(std::shared_ptr<arrow::fs::S3RetryStrategy> inner)
      : inner_(std::move(inner)) {}
  bool ShouldRetry(const AWSErrorDetail& error, int64_t attempted_retries) override {
    // curl's codes as the AWS SDK words them: 60 (peer verification), 77 (CA file), 58, 83.
    for (const char* code : {"curlCode: 60", "curlCode: 77", "curlCode: 58", "curlCode: 83"}) {
      const std::string needle(code);
      const size_t at = error.message.find(needle);
      if (at != std::string::npos &&
          (at + needle.size() == error.message.size() ||
           !std::isdigit(static_cast<unsigned char>(error.message[at + needle.size()])))) {
        return false;
      }
    }
    return inner_->ShouldRetry(error, attempted_retries);
  }
  int64_t CalculateDelayBeforeNextRetry(const AWSErrorDetail& error,
                                        int64_t attempted_retries) override {
    return inner_->CalculateDelayBeforeNextRetry(error, attempted_retries);
  }

 private:
  std::shared_ptr<arrow::fs::S3RetryStrategy> inner_;
};

}  // namespace

arrow::Result<std::shared_ptr<arrow::fs::FileSystem>> FileSystems::S3() {
  if (s3_) return s3_;
  if (!g_s3_initialized.exchange(true)) {
    arrow::fs::S3GlobalOptions global = arrow::fs::S3GlobalOptions::Defaults();
    global.log_level = arrow::fs::S3LogLevel::Fatal;
    ARROW_RETURN_NOT_OK(arrow::fs::InitializeS3(global));
  }
  // Not S3Options::Defaults(): that configures the AWS SDK's own credentials chain, which must
  // never sign for us. RefreshingS3FileSystem sets our chain's keys on every filesystem it makes.
  arrow::fs::S3Options options;
  std::string region = Env("AWS_REGION");
  if (region.empty()) region = Env("AWS_DEFAULT_REGION");
  if (!region.empty()) options.region = region;
  std::string endpoint = Env("AWS_ENDPOINT_URL_S3");
  if (endpoint.empty()) endpoint = Env("AWS_ENDPOINT_URL");
  if (!endpoint.empty()) {
    // S3Options wants host[:port] and the scheme apart; a custom endpoint (MinIO, moto, a
    // proxy) rarely serves virtual-hosted buckets, so address buckets by path.
    if (StartsWith(endpoint, "http://")) {
      options.scheme = "http";
      endpoint = endpoint.substr(7);
    } else if (StartsWith(endpoint, "https://")) {
      options.scheme = "https";
      endpoint = endpoint.substr(8);
    }
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    options.endpoint_override = endpoint;
    options.force_virtual_addressing = false;
  }
  // The roots our libcurl calls trust, for Arrow's own HTTP client too (its compiled-in
  // defaults are the wheel's build system's paths).
  if (options.scheme == "https") {
    const auto& trust = aws::TlsTrust::ForProcess();
    if (!trust.ok()) return trust.status().WithMessage("S3: ", trust.status().message());
    options.tls_ca_file_path = trust->ca_file;
    options.tls_ca_dir_path = trust->ca_dir;
    log::Debug("HTTPS trusts the CA certificates of ", trust->source);
  }
  // Arrow's default retries only connection errors; throttling (503 SlowDown) and 5xx deserve
  // the AWS standard strategy with back-off.
  // Signed with our credentials chain, the one Glue and batch deletes use.
  if (!aws_) aws_ = aws::AwsContext::FromEnvironment();
  ARROW_ASSIGN_OR_RAISE(int attempts, aws_->config().MaxAttempts());
  options.retry_strategy = std::make_shared<NoRetryOfCertificateErrors>(
      arrow::fs::S3RetryStrategy::GetAwsStandardRetryStrategy(attempts));
  // One PutObject for a file smaller than a part, instead of create + part + complete; a failure
  // then shows at Close, whose status every writer checks.
  options.allow_delayed_open = true;
  // Counted inside the fault injector: a call failed on purpose never reaches storage.
  s3_ = FaultInjectingFileSystem::WrapIfEnabled(std::make_shared<RequestCountingFileSystem>(
      std::make_shared<RefreshingS3FileSystem>(options, aws_->credentials()), requests_));
  return s3_;
}

namespace {

bool IsS3Uri(const std::string& uri_or_path) {
  return StartsWith(uri_or_path, "s3://") || StartsWith(uri_or_path, "s3a://") ||
         StartsWith(uri_or_path, "s3n://");
}

// "bucket/key" of an S3 URI, without trailing slashes.
std::string S3Rest(const std::string& uri) {
  std::string rest = uri.substr(uri.find("://") + 3);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  return rest;
}

}  // namespace

arrow::Status FileSystems::CheckSpelling(const std::string& uri_or_path) {
  if (uri_or_path.empty()) return arrow::Status::Invalid("empty path");
  if (!IsS3Uri(uri_or_path)) {
    if (!StartsWith(uri_or_path, "file://") && uri_or_path.find("://") != std::string::npos) {
      return arrow::Status::Invalid("unsupported URI scheme in '", uri_or_path,
                                    "' (use a local path or s3://bucket/prefix)");
    }
    return arrow::Status::OK();
  }
  const std::string rest = S3Rest(uri_or_path);
  if (rest.empty() || rest.front() == '/') {
    return arrow::Status::Invalid("S3 URI without a bucket: '", uri_or_path, "'");
  }
  // S3 keys are literal: "a/./b", "a/../b" and "a//b" name other objects than "a/b", and
  // Arrow refuses some of them. One spelling per place, so that two runs over the same data
  // meet at the same lease and the delete fence compares like with like.
  for (size_t start = 0; start <= rest.size();) {
    size_t slash = rest.find('/', start);
    if (slash == std::string::npos) slash = rest.size();
    std::string_view segment(rest.data() + start, slash - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return arrow::Status::Invalid("S3 URI '", uri_or_path, "' has an empty, '.' or '..' ",
                                    "segment; S3 keys are literal: write the path without it");
    }
    start = slash + 1;
  }
  return arrow::Status::OK();
}

arrow::Result<Location> FileSystems::Resolve(const std::string& uri_or_path) {
  ARROW_RETURN_NOT_OK(CheckSpelling(uri_or_path));
  std::lock_guard<std::mutex> lock(mutex_);
  if (IsS3Uri(uri_or_path)) {
    ARROW_ASSIGN_OR_RAISE(auto fs, S3());
    return Location{fs, S3Rest(uri_or_path)};
  }
  std::string path = uri_or_path;
  if (StartsWith(path, "file://")) path = path.substr(7);
  ARROW_ASSIGN_OR_RAISE(std::string canonical, CanonicalLocalPath(path));
  if (!local_) {
    local_ = FaultInjectingFileSystem::WrapIfEnabled(std::make_shared<RequestCountingFileSystem>(
        std::make_shared<arrow::fs::LocalFileSystem>(), requests_));
  }
  return Location{local_, canonical};
}

namespace {

arrow::Status Naming(const Location& folder, const arrow::Status& st) {
  // The detail holds the reason ("[errno 13] Permission denied"); message() leaves it out.
  const auto& detail = st.detail();
  return st.WithMessage("listing ", folder.uri(), ": ", st.message(),
                        detail ? " (" + detail->ToString() + ")" : "");
}

}  // namespace

arrow::Result<std::vector<arrow::fs::FileInfo>> ListFolder(const Location& folder,
                                                           bool recursive, int max_depth) {
  arrow::fs::FileSelector selector;
  selector.base_dir = folder.path;
  selector.allow_not_found = true;
  selector.recursive = recursive;
  selector.max_recursion = max_depth;
  auto listed = folder.fs->GetFileInfo(selector);
  if (!listed.ok()) return Naming(folder, listed.status());
  return listed;
}

arrow::Status ListFolderInBatches(
    const Location& folder, bool recursive, int max_depth,
    const std::function<arrow::Status(std::vector<arrow::fs::FileInfo>&&)>& each) {
  arrow::fs::FileSelector selector;
  selector.base_dir = folder.path;
  selector.allow_not_found = true;
  selector.recursive = recursive;
  selector.max_recursion = max_depth;
  arrow::fs::FileInfoGenerator next = folder.fs->GetFileInfoGenerator(selector);
  while (true) {
    auto batch = next().result();
    if (!batch.ok()) {
      DrainListing(next);
      return Naming(folder, batch.status());
    }
    if (arrow::IsIterationEnd(*batch)) return arrow::Status::OK();
    auto st = each(std::move(batch).ValueOrDie());
    if (!st.ok()) {
      DrainListing(next);  // never left part read (see DrainListing)
      return st;
    }
  }
}

arrow::Result<std::string> CanonicalLocalPath(const std::string& path) {
  // Symbolic links resolved as far as the path exists, the rest normalised: one spelling for
  // one place on disk, whatever link or "..", so that the fence and the lease see the real
  // folder a path leads to.
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  if (ec) return arrow::Status::IOError("cannot resolve path '", path, "': ", ec.message());
  std::filesystem::path canonical = std::filesystem::weakly_canonical(abs, ec);
  if (ec) return arrow::Status::IOError("cannot resolve path '", path, "': ", ec.message());
  std::string normalized = canonical.lexically_normal().string();
  while (normalized.size() > 1 && normalized.back() == '/') normalized.pop_back();
  return normalized;
}

}  // namespace s3c
