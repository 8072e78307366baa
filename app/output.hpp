#pragma once
// Where a report goes: stdout, or a file written under a temporary name and renamed into place
// at the end, so that a scheduled job never leaves half a report behind.

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace stp::app {

class Output {
 public:
  explicit Output(const std::optional<std::string>& path);  // throws probe::InputError
  ~Output();                                                 // an unfinished file is removed
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void write(std::string_view text);  // flushed at once: streaming output
  void finish();                      // renames the file into place

 private:
  std::optional<std::string> path_;
  std::string temporary_;
  std::FILE* file_ = stdout;
};

}  // namespace stp::app
