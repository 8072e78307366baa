#pragma once
// Where a report goes (SPEC §2, -o): standard output; a regular file (or a new path) written to a
// temporary file created exclusively beside it and renamed over it at the end, so that a scheduled
// job never leaves half a report and a planted symlink is never written through; or a FIFO or a
// device, written to directly and never replaced.

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
  // Everything that can be known before a probe is checked here: a directory, a missing parent or
  // an unwritable location throws probe::InputError.
  explicit Output(const std::optional<std::string>& path);
  ~Output();  // an unfinished temporary file is removed
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void write(std::string_view text);  // streams flushed at once; throws OutputClosed on EPIPE
  void finish();                      // renames the temporary file into place (without it, the old file stays)

 private:
  std::optional<std::string> path_;  // set when a temporary file is renamed over it at the end
  std::string temporary_;
  std::FILE* file_ = stdout;
  bool stream_ = true;  // stdout, a FIFO or a device: flushed at each write, never renamed
};

}  // namespace stp::app
