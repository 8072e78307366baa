#pragma once
// A progress line on stderr (done / total, rate, ETA) while a scan runs, redrawn at most ten times
// a second, erased at the end. Only when stderr is a terminal and there is more than one target.

#include <chrono>
#include <cstddef>

namespace stp::app {

class Progress {
 public:
  Progress(std::size_t total, bool enabled);
  ~Progress();
  void done_one();
  // Erases the progress line so that a report written to the same terminal starts clean.
  void clear();

 private:
  void draw();
  std::size_t total_;
  std::size_t done_ = 0;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace stp::app
