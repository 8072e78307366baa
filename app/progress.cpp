#include "app/progress.hpp"

#include <cstdio>

namespace stp::app {

Progress::Progress(std::size_t total, bool enabled)
    : total_(total), enabled_(enabled && total > 1), start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { clear(); }

void Progress::clear() {
  if (!drawn_) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

void Progress::done_one() {
  ++done_;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && done_ < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw();
}

void Progress::draw() {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0;
  double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0;
  std::fprintf(stderr, "\r\x1b[K%zu/%zu done, %.0f/s, ETA %.0fs", done_, total_, rate, eta);
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace stp::app
