#pragma once
// FileSystems: turns what the user typed (a local path, file://, s3://bucket/prefix) into a
// Location, creating each Arrow filesystem once and sharing it for the whole run.
//
// S3 follows the standard AWS environment, as every AWS SDK does:
//   region      AWS_REGION, else AWS_DEFAULT_REGION, else the SDK's own resolution
//   endpoint    AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL (path-style addressing when set)
//   credentials our chain (aws::CredentialsChain: environment, web identity, profile,
//               container, IMDS), the one Glue uses; never the SDK's own, never anonymous
// and retries throttling and 5xx errors with the AWS standard retry strategy.
//
// Every storage request the process makes through these filesystems, through FileSystems' own
// calls (listings with identities, batched and exact deletes) and through the lease is counted
// in requests() (StorageRequests; RequestCountingFileSystem wraps each filesystem).
//
// S3 support is initialised on first use; FinalizeS3IfUsed() must run before the process
// exits (the CLI does it in main). Thread-safe.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <arrow/result.h>

#include "aws/aws_context.h"
#include "storage/exact_removal.h"
#include "storage/file_identity.h"
#include "storage/location.h"
#include "storage/storage_requests.h"

namespace s3c {

class S3BatchDeleter;
class S3Lister;

/// What is directly in `folder` (or, `recursive`, below it, at most `max_depth` folders deep):
/// files and folders. A folder that does not exist lists as empty. Errors name the folder
/// ("listing <uri>: ..."). Locally, folders linked to a folder above them are followed (Arrow
/// does): `max_depth` is what bounds such a loop.
arrow::Result<std::vector<arrow::fs::FileInfo>> ListFolder(const Location& folder,
                                                           bool recursive = false,
                                                           int max_depth = 64);

/// The same listing a batch at a time (of up to 1,000 entries: a page on S3), each handed to
/// `each` as it comes, so that a listing of millions of objects is never held whole. Errors
/// as ListFolder's, or the first `each` returns (the listing stops there).
arrow::Status ListFolderInBatches(
    const Location& folder, bool recursive, int max_depth,
    const std::function<arrow::Status(std::vector<arrow::fs::FileInfo>&&)>& each);

/// `path` made absolute, its symbolic links resolved as far as it exists, "." and ".." gone.
arrow::Result<std::string> CanonicalLocalPath(const std::string& path);

class FileSystems {
 public:
  /// `aws` supplies configuration and credentials for the S3 calls we make ourselves (batch and
  /// conditional deletes, listings with ETags); null creates one from the environment on first
  /// use.
  explicit FileSystems(std::shared_ptr<aws::AwsContext> aws = nullptr);
  ~FileSystems();

  /// Checks a path or URI as written, touching nothing: a known scheme, an S3 bucket, no
  /// empty, "." or ".." S3 key segment. Resolve checks it too; the command line checks every
  /// path flag with it before anything happens.
  static arrow::Status CheckSpelling(const std::string& uri_or_path);

  /// Resolves `uri_or_path` to its one canonical spelling: local paths absolute, with symbolic
  /// links resolved (as far as the path exists) and "." and ".." gone; s3a:// and s3n:// are
  /// s3://; a trailing '/' is dropped. Errors: Invalid for an s3:// URI without a bucket, with
  /// an empty, "." or ".." segment (S3 keys are literal), or an unsupported scheme.
  arrow::Result<Location> Resolve(const std::string& uri_or_path);

  /// Deletes exactly these files, never by prefix: on S3 with DeleteObjects, 1,000 a request;
  /// elsewhere one by one. Returns the files that could not be deleted, each with why. A file
  /// already gone counts as deleted. For the tool's own files (staging, journal); other
  /// writers' files go with RemoveExactly.
  std::vector<std::pair<Location, arrow::Status>> DeleteFiles(const std::vector<Location>& files);

  /// The files directly in `folder`, each with its identity (FileIdentity), for a later
  /// RemoveExactly or MoveExactly of exactly those versions.
  ///   S3: S3Lister (ListObjectsV2): size, ETag as S3 returns it (quoted), LastModified (ms);
  ///       the folder's marker object and subfolders are left out.
  ///   Local: ListLocalFolder: size, mtime (ns), device and inode, by lstat; regular files and
  ///       symbolic links (`symlink` set, the link's own identity), not folders.
  /// Sorted by name (S3: by key, its own order). A missing folder lists as empty. Hidden names
  /// are included. Errors name the folder ("ListObjectsV2 s3://bucket/prefix/: ...").
  arrow::Result<std::vector<ListedFile>> ListWithIdentities(const Location& folder);

  /// Removes each file only if it is still exactly the version its identity names, and says
  /// what became of each, one FileRemoval per file in the order given: removed; gone (nothing
  /// was there: NOT a success); changed (another version is there: left in place); failed
  /// (with the status; it may still be there). Idempotent in effect: run again, a removed
  /// file reports gone (and on S3 so can one whose DeleteObjects was retried after a lost
  /// response: gone means "not there", never "removed").
  ///   S3: S3BatchDeleter::DeleteExactly: DeleteObjects with each object's ETag, which S3
  ///       compares atomically with the delete. A file given without an ETag fails untouched.
  ///   Local: RemoveLocalIfSame: lstat compared (SameFile) right before each unlink; a
  ///       replacement landing between the two calls is not detected (local_files.h).
  /// The fence applies as in DeleteFiles: if any file lies outside it, none is touched; those
  /// outside fail with the fence's error, the others fail as not attempted.
  /// On S3 whether the store evaluates DeleteObjects' <ETag> (as AWS S3 does) is probed once
  /// per bucket (HonoursConditionalDeletes); where it does not (moto, some S3 imitations), each
  /// folder is listed again right before its batch and only unchanged objects are deleted
  /// (unconditionally: a replacement landing in that round trip would be deleted).
  std::vector<FileRemoval> RemoveExactly(const std::vector<ExpectedFile>& files);

  /// Moves each file to its `to` only if it is still exactly the version its identity names
  /// (MoveLocalIfSame: lstat compared right before the rename, the destination never replaced,
  /// its folders created), with outcomes as RemoveExactly's. Both the source and the destination
  /// must lie inside the fence, or nothing is moved. Local disk only: on S3, where a move is a
  /// copy and a delete, every move fails with NotImplemented (archive there by copying, then
  /// RemoveExactly the sources, then deleting the copies of those not removed).
  std::vector<FileRemoval> MoveExactly(const std::vector<ExpectedMove>& moves);

  /// Deletes every file under `folder`, by name (never a prefix delete, which on S3 would leave
  /// folder markers), then the folder itself locally. Only for folders the tool owns: staging,
  /// the journal's run folders. Not an error if the folder does not exist. Files named
  /// `last_name`, if given, go only after all the others are gone (a run's plan.json, so that an
  /// interrupted deletion leaves a run that is found again).
  arrow::Status DeleteFolder(const Location& folder, std::string_view last_name = {});

  /// On local disk, removes `folder` if it is empty, then each empty folder above it, up to and
  /// including the nearest one named `last` (the tool's own folder). Nothing on S3, which has
  /// no folders. Best effort: a folder that is not empty, or cannot go, stops it.
  static void RemoveEmptyFolders(const Location& folder, std::string_view last);

  /// The safety fence: once any folder is registered, DeleteFiles, DeleteFolder, RemoveExactly
  /// and MoveExactly refuse (report as failed, delete nothing) any path outside every
  /// registered folder. A local path is checked where it really leads (its folders' symbolic
  /// links resolved). The job registers only what its own arguments and the catalog name: the
  /// table's and its partitions' locations, the target, the archive and the journal root,
  /// before its first change; never anything read from a journal. With none registered there
  /// is no fence (unit tests).
  void AllowDeletesUnder(const Location& folder);
  /// OK, or the error DeleteFiles would report for `file`.
  arrow::Status CheckMayDelete(const Location& file) const;

  /// The AWS configuration and credentials this process uses.
  std::shared_ptr<aws::AwsContext> aws();

  /// The storage requests made so far through these filesystems, FileSystems' own calls and
  /// whatever else is handed this counter (ConditionalObject: the lease).
  const std::shared_ptr<StorageRequests>& requests() const { return requests_; }

  /// Finalises Arrow's S3 support if this process initialised it. Idempotent.
  static void FinalizeS3IfUsed();

 private:
  arrow::Result<std::shared_ptr<arrow::fs::FileSystem>> S3();
  S3BatchDeleter& Deleter();
  S3Lister& Lister();
  /// Whether the bucket of `near` evaluates the ETag of a conditional DeleteObjects (probed
  /// once, with a name in `near`'s folder that does not exist).
  bool HonoursConditionalDeletes(const Location& near);
  /// RemoveExactly for a store that ignores the condition: list, compare, then delete.
  std::vector<FileRemoval> RemoveAfterRecheck(const std::vector<ExpectedFile>& files);

  std::shared_ptr<aws::AwsContext> aws_;
  const std::shared_ptr<StorageRequests> requests_ = std::make_shared<StorageRequests>();
  std::unique_ptr<S3BatchDeleter> deleter_;
  std::unique_ptr<S3Lister> lister_;

  mutable std::mutex mutex_;
  std::mutex probe_mutex_;  // held while a bucket is probed
  std::map<std::string, bool> conditional_deletes_;  // bucket -> honours the ETag condition
  std::vector<Location> deletable_;
  std::shared_ptr<arrow::fs::FileSystem> local_;
  std::shared_ptr<arrow::fs::FileSystem> s3_;
};

}  // namespace s3c
