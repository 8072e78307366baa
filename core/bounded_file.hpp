#pragma once
// Reading the user's files with hard bounds: a size taken from stat() says nothing about a FIFO,
// /dev/zero or a file that grows while it is read.

#include <cstddef>
#include <istream>
#include <stdexcept>
#include <string>

namespace stp::core {

// The message names the file and says what is wrong ("FILE: larger than 16 MiB").
class FileError : public std::runtime_error {
 public:
  FileError(const std::string& path, std::string reason)
      : std::runtime_error(path.empty() ? reason : path + ": " + reason), reason_(std::move(reason)) {}
  const std::string& reason() const { return reason_; }  // without the file's name

 private:
  std::string reason_;
};

// The whole of `path`, of at most `max_bytes`; throws FileError when it cannot be read, is a
// directory, or holds more (found by reading, never by trusting its size).
std::string read_bounded_file(const std::string& path, std::size_t max_bytes);

// One line (without its '\n') of at most `max_bytes`; false at the end of the input. Throws
// FileError("a line over N bytes") as soon as a line is longer, without reading the rest of it.
bool read_bounded_line(std::istream& in, std::string& line, std::size_t max_bytes);

}  // namespace stp::core
