#include "commit/table_lease.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include <nlohmann/json.hpp>

#include "storage/file_systems.h"
#include "storage/run_layout.h"
#include "util/clock.h"
#include "util/json_fields.h"
#include "util/logging.h"
#include "util/utf8.h"

namespace s3c {
namespace {

std::string ReadFirstLine(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// What must match for a pid in a lease to mean a process we can see: the boot (boot_id) and
// the pid namespace (containers on one host may share a host name).
std::string ThisMachine() {
  char ns[128] = {0};
  ssize_t n = ::readlink("/proc/self/ns/pid", ns, sizeof(ns) - 1);
  return ReadFirstLine("/proc/sys/kernel/random/boot_id") + "/" +
         (n > 0 ? std::string(ns, static_cast<size_t>(n)) : std::string());
}

std::string HostName() {
  char buf[256] = {0};
  ::gethostname(buf, sizeof(buf) - 1);
  return buf;
}

}  // namespace

std::string TableLease::Holder::ToJson() const {
  return nlohmann::json({{"run_id", run_id}, {"host", EscapeInvalidUtf8(host)}, {"pid", pid},
                         {"acquired_unix", acquired_unix}, {"expires_unix", expires_unix},
                         {"expires", IsoUtc(expires_unix)}, {"machine", machine}})
      .dump();
}

arrow::Result<TableLease::Holder> TableLease::Holder::FromJson(const std::string& text) {
  // Every field is optional (a lease of an older version may lack some), but one of another
  // type makes the lease unreadable.
  ARROW_ASSIGN_OR_RAISE(auto j, ParseJsonObject(text, "unreadable lease"));
  ARROW_ASSIGN_OR_RAISE(auto fields, JsonFields::Of(j, "unreadable lease"));
  Holder h;
  ARROW_ASSIGN_OR_RAISE(h.run_id, fields.StringOr("run_id", ""));
  ARROW_ASSIGN_OR_RAISE(h.host, fields.StringOr("host", ""));
  ARROW_ASSIGN_OR_RAISE(h.pid, fields.IntOr("pid", 0));
  ARROW_ASSIGN_OR_RAISE(h.acquired_unix, fields.IntOr("acquired_unix", 0));
  ARROW_ASSIGN_OR_RAISE(h.expires_unix, fields.IntOr("expires_unix", 0));
  ARROW_ASSIGN_OR_RAISE(h.machine, fields.StringOr("machine", ""));
  // A lease no run of ours could have written is unreadable, so it counts as expired: a pid
  // that is no process, or an expiry further ahead than any lease is ever renewed to (a
  // forged lease would otherwise lock the table for good).
  if (h.pid < 0) return fields.FieldError("pid", "is not a process id");
  if (h.expires_unix > NowUnix() + kMaxTtl.count()) {
    return fields.FieldError("expires_unix", "is further ahead than any lease is renewed to");
  }
  return h;
}

bool TableLease::Holder::ProcessIsGone() const {
  if (pid <= 0 || host != HostName() || machine.empty() || machine != ThisMachine()) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

std::string TableLease::Holder::Describe() const {
  return "run " + run_id + " (host " + host + ", pid " + std::to_string(pid) + ") since " +
         IsoUtc(acquired_unix) + ", until " + IsoUtc(expires_unix);
}

TableLease::TableLease(ConditionalObject object, Holder holder, std::string tag,
                       std::chrono::seconds ttl)
    : object_(std::move(object)), ttl_(ttl), holder_(std::move(holder)), tag_(std::move(tag)) {
  renewer_ = std::thread([this] { Renew(); });
}

TableLease::~TableLease() {
  auto st = Release();
  if (!st.ok()) log::Warn("releasing the lease ", object_.location().uri(), ": ", st.message());
}

arrow::Result<std::unique_ptr<TableLease>> TableLease::Acquire(ConditionalObject object,
                                                               std::string run_id,
                                                               std::chrono::seconds ttl,
                                                               LeasePolicy policy) {
  const bool force = policy.force_unlock;
  Holder mine{run_id, HostName(), static_cast<int64_t>(::getpid()), NowUnix(),
              NowUnix() + ttl.count(), ThisMachine()};
  const std::string where = object.location().uri();
  for (int attempt = 0; attempt < 5; ++attempt) {
    ARROW_ASSIGN_OR_RAISE(auto created, object.CreateIfAbsent(mine.ToJson()));
    if (created) {
      std::unique_ptr<TableLease> lease(new TableLease(std::move(object), mine, *created, ttl));
      ARROW_RETURN_NOT_OK(lease->CheckStore(policy));  // else ~TableLease releases it
      return lease;
    }
    ARROW_ASSIGN_OR_RAISE(auto current, object.Read());
    if (!current) continue;  // released meanwhile: try to create again
    auto holder = Holder::FromJson(current->body);
    const bool expired = !holder.ok() || holder->expires_unix < NowUnix();
    const bool dead = holder.ok() && holder->ProcessIsGone();
    if (!expired && !dead && !force) {
      return arrow::Status::Invalid("the table is being compacted by ", holder->Describe(),
                                    " (lease ", where,
                                    "); wait for it to finish, or pass --force_unlock if that run "
                                    "is dead");
    }
    log::Warn("taking over the lease ", where, " of ",
              holder.ok() ? holder->Describe() : std::string("an unknown run"),
              expired ? ": it expired" : dead ? ": its process is gone" : ": --force_unlock");
    ARROW_ASSIGN_OR_RAISE(auto replaced, object.ReplaceIf(mine.ToJson(), current->tag));
    if (replaced) {
      std::unique_ptr<TableLease> lease(new TableLease(std::move(object), mine, *replaced, ttl));
      ARROW_RETURN_NOT_OK(lease->CheckStore(policy));
      return lease;
    }
    // Someone else changed it between our read and write: look again.
  }
  return arrow::Status::IOError("could not take the lease ", where, ": it keeps changing");
}

arrow::Status TableLease::CheckStore(const LeasePolicy& policy) {
  std::lock_guard<std::mutex> lock(mutex_);  // the renewer must not use the tag meanwhile
  ARROW_ASSIGN_OR_RAISE(std::string ignored,
                        object_.IgnoredCondition(holder_.ToJson(), &tag_));
  if (ignored.empty()) return arrow::Status::OK();
  const std::string what = "the store at " + object_.endpoint_url() + " ignores " + ignored +
                           " (a conditional write to " + object_.location().uri() +
                           " that had to fail succeeded), so the lease cannot keep two runs "
                           "apart";
  if (policy.accept_unconditional_store) {
    static std::once_flag warned;
    std::call_once(warned, [&] {
      log::Warn(what, "; going on as --accept_unconditional_store says: the scheduler must "
                "guarantee that only one run at a time works on this table");
    });
    return arrow::Status::OK();
  }
  return arrow::Status::IOError(what, "; use a store that honours conditional writes, or pass "
                                "--accept_unconditional_store if your scheduler guarantees "
                                "that only one run at a time works on this table");
}

arrow::Status TableLease::CheckNoConflict(
    const Location& tool_folder, const Location& own, std::shared_ptr<aws::AwsContext> aws,
    const std::function<bool(const std::string&)>& compatible,
    std::shared_ptr<StorageRequests> requests) {
  ARROW_ASSIGN_OR_RAISE(auto listed, ListFolder(tool_folder));
  for (const auto& info : listed) {
    const std::string name = info.base_name();
    if (!info.IsFile() || info.path() == own.path || !RunLayout::LeaseScope(name) ||
        compatible(*RunLayout::LeaseScope(name))) {
      continue;
    }
    auto holder = LiveHolder(tool_folder.Child(name), aws, requests);
    if (!holder.ok() || !*holder) continue;  // released meanwhile, or not live
    return arrow::Status::Invalid("the table is being compacted by ", (*holder)->Describe(),
                                  " (lease ", tool_folder.Child(name).uri(),
                                  "), which this run cannot run beside (only shards of one N "
                                  "run at once); wait for it to finish");
  }
  return arrow::Status::OK();
}

arrow::Result<std::optional<TableLease::Holder>> TableLease::LiveHolder(
    const Location& file, std::shared_ptr<aws::AwsContext> aws,
    std::shared_ptr<StorageRequests> requests) {
  ARROW_ASSIGN_OR_RAISE(auto current,
                        ConditionalObject(file, std::move(aws), std::move(requests)).Read());
  if (!current) return std::nullopt;
  auto holder = Holder::FromJson(current->body);
  if (!holder.ok() || holder->expires_unix < NowUnix() || holder->ProcessIsGone()) {
    return std::nullopt;
  }
  return *holder;
}

void TableLease::Renew() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    if (stop_cv_.wait_for(lock, ttl_ / 3, [this] { return stop_; })) break;
    Holder renewed = holder_;
    renewed.expires_unix = NowUnix() + ttl_.count();
    auto replaced = object_.ReplaceIf(renewed.ToJson(), tag_);
    if (!replaced.ok()) {
      log::Warn("renewing the lease ", object_.location().uri(), ": ", replaced.status().message());
      continue;  // transient: try again at the next beat, well before it expires
    }
    if (!*replaced) {
      log::Error("the lease ", object_.location().uri(),
                 " was taken by another run; stopping before any further change");
      held_ = false;
      return;
    }
    tag_ = **replaced;
    holder_ = renewed;
  }
}

arrow::Result<bool> TableLease::Confirm() {
  // Under the lock, so that a renewal cannot change the tag between our read and compare.
  std::lock_guard<std::mutex> lock(mutex_);
  if (!held_) return false;
  ARROW_ASSIGN_OR_RAISE(auto current, object_.Read());
  if (!current || current->tag != tag_) {
    log::Error("the lease ", object_.location().uri(),
               " was taken by another run; stopping before any further change");
    held_ = false;
  }
  return held_;
}

bool TableLease::held() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return held_;
}

arrow::Status TableLease::Release() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stop_) return arrow::Status::OK();
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (renewer_.joinable()) renewer_.join();
  if (!held_) return arrow::Status::OK();
  // Only our own lease is deleted: someone may have taken it over (--force_unlock).
  ARROW_ASSIGN_OR_RAISE(auto current, object_.Read());
  if (!current || current->tag != tag_) return arrow::Status::OK();
  return object_.Delete();
}

}  // namespace s3c
