#pragma once
// TableLease: at most one run compacts a table at a time.
//
// The lease is an object in the table's tool folder (<table>/_s3_compaction/lease.json, whatever
// --journal_path says: runs over the same data must meet at one place) naming the run that
// holds it, its host and process, and when it expires. It is created only if absent
// (ConditionalObject: S3's If-None-Match, or an exclusive create), renewed every third of its
// lifetime while the run lasts (compare-and-swap on its version), and deleted at the end. A run
// that finds a live lease stops with a message naming the holder. An expired lease, or one whose
// holder was a process on this machine (same host, boot and pid namespace) that no longer
// exists, is taken over, as any lease is with --force_unlock. A holder whose renewal finds the
// lease taken by someone else has lost it: held() turns false and the run must stop making
// visible changes.
//
// All of this rests on the store honouring conditional writes; some S3-compatible stores
// ignore If-None-Match or If-Match, and there two runs would both "hold" the lease. So once a
// lease on S3 is taken, the store is probed (ConditionalObject::IgnoredCondition: two PUTs,
// once per store and bucket in a process) and a store that ignores either condition stops the
// run, the lease released, unless the policy accepts the risk
// (--accept_unconditional_store: then the scheduler must guarantee one run at a time).
// Thread-safe.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <arrow/result.h>

#include "storage/conditional_object.h"
#include "storage/location.h"

namespace s3c {

/// How a lease is taken.
struct LeasePolicy {
  /// --force_unlock: take it even if another run holds it (a dead run's).
  bool force_unlock = false;
  /// --accept_unconditional_store: go on, with a warning, on a store that ignores
  /// conditional writes.
  bool accept_unconditional_store = false;
};

class TableLease {
 public:
  struct Holder {
    std::string run_id, host;
    int64_t pid = 0;
    int64_t acquired_unix = 0;
    int64_t expires_unix = 0;
    std::string machine;  // boot id and pid namespace: where `pid` means something
    std::string ToJson() const;
    /// True only when the holder ran here and its process is certainly gone.
    bool ProcessIsGone() const;
    /// Unreadable (an error naming the field) when a field has another type, the pid is
    /// negative, or the expiry is more than kMaxTtl ahead.
    static arrow::Result<Holder> FromJson(const std::string& text);
    std::string Describe() const;  // "run R (host H, pid P) since T, until E"
  };

  static constexpr std::chrono::seconds kDefaultTtl{600};
  /// No lease is renewed further ahead than this (clock skew between hosts included); a lease
  /// that claims more was not written by a run, and reads as unreadable (expired).
  static constexpr std::chrono::seconds kMaxTtl{86400};

  /// Takes the lease for `run_id`, or returns Invalid naming who holds it; on S3, then probes
  /// the store (above): IOError naming the store and the ignored condition, the lease
  /// released, unless `policy` accepts it.
  static arrow::Result<std::unique_ptr<TableLease>> Acquire(ConditionalObject object,
                                                            std::string run_id,
                                                            std::chrono::seconds ttl,
                                                            LeasePolicy policy);
  /// After Acquire: the other leases in `tool_folder` (RunLayout::LeaseFile names) whose
  /// holders are alive (not expired, not a process known to be gone) and whose scope
  /// `compatible(scope)` does not allow beside `own`. Invalid naming the first such holder; OK when there is none.
  /// (Shards of one N hold leases side by side; any other pair of live leases conflicts.)
  /// `requests` counts the reads (may be null).
  static arrow::Status CheckNoConflict(const Location& tool_folder, const Location& own,
                                       std::shared_ptr<aws::AwsContext> aws,
                                       const std::function<bool(const std::string&)>& compatible,
                                       std::shared_ptr<StorageRequests> requests = nullptr);

  /// The holder of the lease at `file` if it is live (not expired, not a process known to be
  /// gone); nullopt when there is none or it is not live. Read-only.
  static arrow::Result<std::optional<Holder>> LiveHolder(
      const Location& file, std::shared_ptr<aws::AwsContext> aws,
      std::shared_ptr<StorageRequests> requests = nullptr);

  ~TableLease();

  bool held() const;
  /// The folder the lease object is in.
  Location folder() const {
    Location folder = object_.location();
    folder.path = folder.path.substr(0, folder.path.rfind('/'));
    return folder;
  }
  /// Reads the lease and checks it is still this run's (a --force_unlock elsewhere takes it at
  /// once, without waiting for our next renewal). One GET; callers confirm before each
  /// partition's first visible change. False also turns held() false.
  arrow::Result<bool> Confirm();
  /// Stops renewing and deletes the lease if still ours. Idempotent.
  arrow::Status Release();

 private:
  TableLease(ConditionalObject object, Holder holder, std::string tag, std::chrono::seconds ttl);
  void Renew();
  arrow::Status CheckStore(const LeasePolicy& policy);

  ConditionalObject object_;
  std::chrono::seconds ttl_;
  mutable std::mutex mutex_;  // guards the fields below
  std::condition_variable stop_cv_;
  bool stop_ = false;
  bool held_ = true;
  Holder holder_;
  std::string tag_;
  std::thread renewer_;
};

}  // namespace s3c
