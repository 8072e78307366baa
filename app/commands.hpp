#pragma once
// The subcommands, each a function from parsed options to an exit code (SPEC §3).

#include <optional>
#include <string>
#include <vector>

#include "probe/scanner.hpp"

namespace stp::app {

enum class Format { jsonl };

struct ScanCommand {
  std::vector<std::string> targets;
  std::optional<std::string> targets_file;
  std::optional<std::string> fqdn;
  std::optional<std::string> output;
  Format format = Format::jsonl;
  probe::ScanSettings settings;
};

// Exit codes of SPEC §3.
enum ExitCode : int { exit_ok = 0, exit_warning = 1, exit_critical = 2, exit_unknown = 3 };

int run_scan_command(const ScanCommand& command);
int run_demo_command();

}  // namespace stp::app
