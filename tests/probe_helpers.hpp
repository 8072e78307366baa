#pragma once
// Probing lab endpoints from the tests, through the same scanner the product uses.

#include <algorithm>
#include <fstream>
#include <mutex>
#include <vector>

#include <unistd.h>

#include "lab/lab.hpp"
#include "probe/scanner.hpp"

namespace stp::test {

// AddressSanitizer keeps freed memory in quarantine and adds shadow memory, so resident-size
// bounds are asserted in the plain build only (the same tests run in both).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool measures_memory = false;
#else
constexpr bool measures_memory = true;
#endif

// Resident memory of this process, in KiB.
inline long resident_kib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

// Short limits so hostile endpoints cost the tests little time.
inline probe::ScanSettings quick_settings() {
  probe::ScanSettings settings;
  settings.concurrency = 8;
  settings.probe.ehlo_name = "probe.test.example";
  settings.probe.connect_timeout = std::chrono::seconds(5);
  settings.probe.reply_timeout = std::chrono::seconds(5);
  settings.probe.deadline = std::chrono::seconds(20);
  return settings;
}

// Probes the targets and returns their evidence in input order.
inline std::vector<probe::Evidence> scan(std::vector<probe::Target> targets,
                                         const probe::ScanSettings& settings = quick_settings()) {
  probe::TargetSource source(std::move(targets), std::nullopt, std::nullopt);
  std::vector<probe::Evidence> results;
  std::mutex mutex;
  probe::run_scan(source, settings, [&](probe::Evidence&& e) {
    std::lock_guard lock(mutex);
    results.push_back(std::move(e));
  });
  std::sort(results.begin(), results.end(),
            [](const auto& a, const auto& b) { return a.target.position < b.target.position; });
  return results;
}

inline probe::Target target_of(const lab::EndpointInfo& endpoint) {
  return *probe::parse_target_line(endpoint.target_line());
}

inline probe::Evidence scan_one(const lab::EndpointInfo& endpoint,
                                const probe::ScanSettings& settings = quick_settings()) {
  auto results = scan({target_of(endpoint)}, settings);
  return std::move(results.at(0));
}

}  // namespace stp::test
