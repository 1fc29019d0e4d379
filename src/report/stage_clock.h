#pragma once
// StageClock: where a run's time goes, stage by stage. For each stage (recovery, listing,
// planning, reading, writing, verifying, publishing, removing, catalog) it keeps the busy
// seconds summed over every thread that worked in it, and when the stage was first entered and
// last left, in seconds after the run started (the clock's construction). Stages overlap in
// time: groups read and write in parallel while finished partitions verify and publish.
//
// A stage is timed by a Scope (RAII) on the thread doing the work. Scopes nest: an inner scope
// pauses the one around it on the same thread until it ends, so each moment of a thread counts
// for one stage only (a group's thread alternates reading and writing; the catalog step removes
// originals). The busy seconds of all stages add up to at most the threads' time.
//
// Cheap enough for every file, batch and commit step (never per row): a Scope reads
// steady_clock when it starts and ends (and when an inner scope ends) and updates three relaxed
// atomics of its stage when it ends. A null clock makes a Scope do nothing (unit tests, and
// code run outside a run).
//
// Passed, not global: the run owns its clock (RunContext::clock) and the planner's, executor's
// and committer's settings carry a pointer to it, so two runs in one process (unit tests) never
// mix their times, and code that is given no clock is not timed.
//
// Thread-safe. A Scope belongs to the thread that made it and must end on it (it is not movable).

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace s3c {

enum class Stage {
  kRecovery,    // what earlier runs left: deferred catalog updates, journals
  kListing,     // the table's partitions and their files
  kPlanning,    // footers read, partitions decided (and planned again on a mismatch)
  kReading,     // inputs fetched and decoded
  kWriting,     // outputs encoded and written (sorting and the content digest included)
  kVerifying,   // outputs read back; the inputs and the lease checked before publishing
  kPublishing,  // outputs moved into place (and undone when that fails)
  kRemoving,    // originals deleted or archived
  kCatalog,     // Glue updated (statistics, new locations)
};

inline constexpr size_t kStageCount = 9;

/// "recovery", "listing", ..., "catalog": the names the summary prints.
std::string_view StageName(Stage stage);

/// One stage's time, as the summary reports it.
struct StageTime {
  Stage stage = Stage::kRecovery;
  double seconds = 0;  // busy, summed over threads
  double start = 0;    // first entered, seconds after the run started
  double end = 0;      // last left, seconds after the run started
};

class StageClock {
 public:
  /// Starts the run's clock now.
  StageClock();
  StageClock(const StageClock&) = delete;
  StageClock& operator=(const StageClock&) = delete;

  /// Times `stage` on this thread from now until it ends (paused while an inner Scope runs).
  class Scope {
   public:
    /// `clock` may be null: then nothing is timed.
    Scope(StageClock* clock, Stage stage);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    StageClock* clock_;
    Stage stage_;
    Scope* outer_ = nullptr;  // the scope this one pauses, on the same thread
    int64_t entered_ns_ = 0;  // since the clock started
    int64_t resumed_ns_ = 0;  // when it last started counting
    int64_t busy_ns_ = 0;     // counted so far
  };

  /// Seconds since the run started.
  double Seconds() const;
  /// When the run started, in UTC: "2026-12-01T01:02:03Z".
  std::string StartedAt() const;
  /// The stages entered so far, in the order of Stage.
  std::vector<StageTime> Stages() const;

 private:
  int64_t NowNs() const;
  void Record(Stage stage, int64_t busy_ns, int64_t entered_ns, int64_t left_ns);

  struct Slot {
    std::atomic<int64_t> busy_ns{0};
    std::atomic<int64_t> first_ns{std::numeric_limits<int64_t>::max()};
    std::atomic<int64_t> last_ns{-1};  // -1: never entered
  };

  const std::chrono::steady_clock::time_point start_;
  const std::chrono::system_clock::time_point started_at_;
  std::array<Slot, kStageCount> slots_;
};

}  // namespace s3c
