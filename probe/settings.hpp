#pragma once
// How probes behave: names, limits and time budgets (SPEC §2 scan options).

#include <chrono>
#include <optional>
#include <string>

#include "probe/smtp_reply.hpp"

namespace stp::probe {

enum class SniMode { automatic, off, fixed };

struct ProbeSettings {
  std::optional<std::string> ehlo_name;  // --ehlo; unset = this machine's FQDN or the local address literal
  SniMode sni_mode = SniMode::automatic;
  std::string sni_name;                  // for SniMode::fixed
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds reply_timeout{30'000};  // each reply, and the TLS handshake
  std::chrono::milliseconds deadline{120'000};      // the whole probe of one endpoint
  ReplyLimits reply_limits;
  std::size_t max_injected_kept = 512;   // bytes of discarded plaintext kept as evidence
};

}  // namespace stp::probe
