#pragma once
// Two scans compared, endpoint by endpoint (`diff OLD NEW`, SPEC §2): the results files read back
// and paired, what changed, and the exit code that decides. report/diff renders it.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tls/verdict.hpp"

namespace stp::history {

// A results file that cannot be read: what() names the file and line.
class DiffError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What one result says, as far as the comparison needs.
struct ScanEntry {
  std::string target;
  std::optional<std::string> address, connector, leaf_sha1, tls_version;
  std::optional<bool> starttls_offered;
  tls::Status status = tls::Status::unknown;
  std::vector<std::string> findings;  // codes
};

struct EndpointChange {
  enum class Kind { changed, only_old, only_new } kind = Kind::changed;
  std::optional<ScanEntry> before, after;
  std::vector<std::string> findings_added, findings_removed;
};

struct ScanDiff {
  std::vector<EndpointChange> changes;  // in NEW's order, then what only OLD has
  std::size_t compared = 0;             // endpoints in both files
  std::size_t unchanged = 0;
};

// Reads one results file (jsonl, or the json format's document). Throws DiffError.
std::vector<ScanEntry> read_scan_results(const std::string& path);

// Pairs results by target; a target with several results (--all-addresses) by target and address.
ScanDiff diff_scans(const std::vector<ScanEntry>& before, const std::vector<ScanEntry>& after);

// SPEC §3 by the worst status in NEW among the endpoints that changed (0 when none did).
int exit_code_of(const ScanDiff& diff);

// How many endpoints were only in OLD, only in NEW, and changed.
struct ChangeCounts {
  std::size_t only_old = 0, only_new = 0, changed = 0;
};
ChangeCounts count_changes(const ScanDiff& diff);

}  // namespace stp::history
