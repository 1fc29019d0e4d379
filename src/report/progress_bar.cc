#include "report/progress_bar.h"

#include <unistd.h>

#include <cstdio>

#include "util/human.h"
#include "util/logging.h"

namespace s3c {
namespace {
std::atomic<ProgressBar*> g_active{nullptr};
}

bool ProgressBar::TerminalAttached() { return isatty(STDOUT_FILENO) && isatty(STDERR_FILENO); }

ProgressBar::ProgressBar(bool enabled) : enabled_(enabled) {
  if (enabled_) {
    g_active = this;
    log::SetBeforeWriteHook(&ProgressBar::ClearActive);
  }
}

ProgressBar::~ProgressBar() {
  Finish();
  if (enabled_) {
    log::SetBeforeWriteHook(nullptr);
    g_active = nullptr;
  }
}

void ProgressBar::ClearActive() {
  if (ProgressBar* bar = g_active.load()) bar->Clear();
}

void ProgressBar::Clear() {
  // Called with the log lock held, from any thread; a torn redraw is harmless.
  if (visible_) {
    std::fputs("\r\033[2K", stderr);
    visible_ = false;
  }
}

void ProgressBar::Start(std::string label, int64_t total, bool bytes) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  label_ = std::move(label);
  total_ = total;
  bytes_ = bytes;
  done_ = 0;
  started_ = std::chrono::steady_clock::now();
  last_draw_ = {};
}

void ProgressBar::Advance(int64_t amount) {
  if (!enabled_) return;
  done_ += amount;
  Draw(false);
}

void ProgressBar::Finish() {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  Clear();
  std::fflush(stderr);
}

void ProgressBar::Draw(bool force) {
  std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;  // another thread is drawing
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const int64_t done = done_.load();
  const double fraction = total_ > 0 ? std::min(1.0, static_cast<double>(done) / total_) : 0.0;
  constexpr int kWidth = 28;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(filled, '=');
  if (filled < kWidth) bar += '>';
  bar.resize(kWidth, ' ');
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  std::string amounts = bytes_ ? human::Bytes(done) + " / " + human::Bytes(total_)
                               : human::Count(done) + " / " + human::Count(total_);
  std::string eta;
  if (fraction > 0.02 && fraction < 1.0 && elapsed > 1.0) {
    eta = "  ETA " + human::Duration(elapsed / fraction - elapsed);
  }
  std::fprintf(stderr, "\r\033[2K%s [%s] %3.0f%%  %s%s", label_.c_str(), bar.c_str(),
               fraction * 100.0, amounts.c_str(), eta.c_str());
  std::fflush(stderr);
  visible_ = true;
}

}  // namespace s3c
