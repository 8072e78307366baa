#pragma once
// Many probes at once: targets streamed in, results streamed out as each probe finishes.

#include <cstddef>
#include <functional>

#include "probe/evidence.hpp"
#include "probe/settings.hpp"
#include "probe/target_source.hpp"

namespace stp::probe {

struct ScanSettings {
  ProbeSettings probe;
  std::size_t concurrency = 100;  // probes in flight at once
};

// Probes every target of `source`, at most `settings.concurrency` at a time, and calls
// `on_result` (on the calling thread) as each probe finishes, in completion order.
// Memory is bounded by the concurrency, not by the number of targets.
void run_scan(TargetSource& source, const ScanSettings& settings,
              const std::function<void(Evidence&&)>& on_result);

// This machine's FQDN when its name has a dot, for EHLO (SPEC §2 --ehlo default).
std::optional<std::string> machine_fqdn();

}  // namespace stp::probe
