#include "report/stage_clock.h"

#include "util/clock.h"

namespace s3c {
namespace {

// The innermost Scope of this thread (any clock's), so that the next one can pause it.
thread_local StageClock::Scope* g_current = nullptr;

constexpr const char* kNames[kStageCount] = {"recovery",  "listing",    "planning",
                                             "reading",   "writing",    "verifying",
                                             "publishing", "removing",  "catalog"};

}  // namespace

std::string_view StageName(Stage stage) { return kNames[static_cast<size_t>(stage)]; }

StageClock::StageClock()
    : start_(std::chrono::steady_clock::now()), started_at_(std::chrono::system_clock::now()) {}

int64_t StageClock::NowNs() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              start_)
      .count();
}

double StageClock::Seconds() const { return static_cast<double>(NowNs()) / 1e9; }

std::string StageClock::StartedAt() const {
  return IsoUtc(std::chrono::system_clock::to_time_t(started_at_));
}

void StageClock::Record(Stage stage, int64_t busy_ns, int64_t entered_ns, int64_t left_ns) {
  Slot& slot = slots_[static_cast<size_t>(stage)];
  slot.busy_ns.fetch_add(busy_ns, std::memory_order_relaxed);
  int64_t first = slot.first_ns.load(std::memory_order_relaxed);
  while (entered_ns < first &&
         !slot.first_ns.compare_exchange_weak(first, entered_ns, std::memory_order_relaxed)) {
  }
  int64_t last = slot.last_ns.load(std::memory_order_relaxed);
  while (left_ns > last &&
         !slot.last_ns.compare_exchange_weak(last, left_ns, std::memory_order_relaxed)) {
  }
}

std::vector<StageTime> StageClock::Stages() const {
  std::vector<StageTime> out;
  for (size_t i = 0; i < kStageCount; ++i) {
    const Slot& slot = slots_[i];
    const int64_t last = slot.last_ns.load(std::memory_order_relaxed);
    if (last < 0) continue;
    out.push_back({static_cast<Stage>(i),
                   static_cast<double>(slot.busy_ns.load(std::memory_order_relaxed)) / 1e9,
                   static_cast<double>(slot.first_ns.load(std::memory_order_relaxed)) / 1e9,
                   static_cast<double>(last) / 1e9});
  }
  return out;
}

StageClock::Scope::Scope(StageClock* clock, Stage stage) : clock_(clock), stage_(stage) {
  if (!clock_) return;
  entered_ns_ = resumed_ns_ = clock_->NowNs();
  outer_ = g_current;
  // The scope around this one, if it times the same run, stops counting until this one ends.
  if (outer_ && outer_->clock_ == clock_) outer_->busy_ns_ += entered_ns_ - outer_->resumed_ns_;
  g_current = this;
}

StageClock::Scope::~Scope() {
  if (!clock_) return;
  const int64_t now = clock_->NowNs();
  busy_ns_ += now - resumed_ns_;
  clock_->Record(stage_, busy_ns_, entered_ns_, now);
  if (outer_ && outer_->clock_ == clock_) outer_->resumed_ns_ = now;
  g_current = outer_;
}

}  // namespace s3c
