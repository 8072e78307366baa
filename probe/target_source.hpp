#pragma once
// Targets from the command line and a --targets file (or stdin), checked whole before any probe
// starts and then streamed one at a time: a million-line list is never held in memory.

#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "probe/target.hpp"

namespace stp::probe {

// Bad user input, already located: "targets.txt:12: bad port '0': must be 1 to 65535".
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TargetSource {
 public:
  // `listed` come first (command-line targets, or built by the program); `targets_file` "-" means
  // standard input. `default_fqdn` (--fqdn) applies to targets without fqdn=.
  TargetSource(std::vector<Target> listed, std::optional<std::string> targets_file,
               std::optional<std::string> default_fqdn);

  // Command-line targets; throws InputError naming the bad one.
  static std::vector<Target> parse_arguments(const std::vector<std::string>& arguments);
  ~TargetSource();
  TargetSource(const TargetSource&) = delete;
  TargetSource& operator=(const TargetSource&) = delete;

  // Reads every input once; throws InputError naming file:line at the first bad target.
  // Standard input is spooled to an unnamed temporary file so it can be read again.
  // Returns the number of targets.
  std::size_t check();

  // The next target in input order (command line first, then the file), or nothing at the end.
  std::optional<Target> next();

  // --shard K/N: only targets whose position (0-based, over all inputs) modulo N is K.
  // Call before check(); count and next() then cover the shard only.
  void set_shard(std::size_t k, std::size_t n);

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  std::optional<Target> read_file_target(std::size_t& line_number);
  void transcode_utf16();

  std::vector<Target> listed_;
  std::optional<std::string> targets_file_;
  std::optional<std::string> default_fqdn_;
  std::unique_ptr<std::FILE, FileCloser> file_;
  std::size_t next_listed_ = 0;
  std::size_t line_number_ = 0;
  std::size_t position_ = 0;
  std::size_t shard_k_ = 0;
  std::size_t shard_n_ = 1;
  char* line_buffer_ = nullptr;
  std::size_t line_capacity_ = 0;
  bool checked_ = false;
};

}  // namespace stp::probe
