#pragma once
// Where a report goes: stdout, or a file written under a temporary name and renamed into place
// at the end, so that a scheduled job never leaves half a report behind.

#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace stp::app {

// The reader went away (stdout closed, as with `| head`): stop quietly.
class OutputClosed : public std::runtime_error {
 public:
  OutputClosed() : std::runtime_error("output closed") {}
};

class Output {
 public:
  explicit Output(const std::optional<std::string>& path);  // throws probe::InputError
  ~Output();                                                 // an unfinished file is removed
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void write(std::string_view text);  // to stdout flushed at once (streaming); throws OutputClosed on EPIPE
  void finish();                      // renames the file into place (without it, the old file stays)

 private:
  std::optional<std::string> path_;
  std::string temporary_;
  std::FILE* file_ = stdout;
};

}  // namespace stp::app
