#pragma once
// Many probes at once: targets streamed in, results streamed out as each probe finishes.

#include <cstddef>
#include <functional>
#include <string>

#include "probe/evidence.hpp"
#include "probe/settings.hpp"
#include "probe/target_source.hpp"

namespace stp::probe {

struct ScanSettings {
  ProbeSettings probe;
  std::size_t concurrency = 100;  // probes in flight at once
  std::size_t per_host = 2;       // connections in flight to one IP address (0 = no limit)
  double rate = 0;                // new connections per second overall (0 = unlimited)
  unsigned threads = 0;           // event loops, one per core (0 = one per core of this machine)
  bool stop_on_signals = false;   // SIGINT/SIGTERM: no new probes, in-flight ones get one second
};

struct ScanOutcome {
  bool interrupted = false;  // a signal ended the scan early: some targets have no result
};

// Probes every target of `source`, at most `settings.concurrency` at a time, and calls
// `on_result` as each probe finishes, in completion order. `on_result` may be called from
// several threads at once: it must do its own locking. Memory is bounded by the concurrency,
// not by the number of targets.
// SIGPIPE is ignored from the first call on: OpenSSL writes to sockets with plain write().
ScanOutcome run_scan(TargetSource& source, const ScanSettings& settings,
                     const std::function<void(Evidence&&)>& on_result);

// This machine's FQDN when its name has a dot, for EHLO (SPEC §2 --ehlo default).
std::optional<std::string> machine_fqdn();

// Raises the open-file limit (soft, up to hard) for `concurrency` probes. Returns the concurrency
// that fits; when that is less, `warning` says so in one sentence.
std::size_t fit_open_file_limit(std::size_t concurrency, std::string& warning);

}  // namespace stp::probe
