#include "probe/evidence.hpp"

namespace stp::probe {

const char* to_string(Phase phase) {
  switch (phase) {
    case Phase::resolve: return "dns";
    case Phase::connect: return "connect";
    case Phase::greeting: return "greeting";
    case Phase::ehlo: return "ehlo";
    case Phase::starttls: return "starttls";
    case Phase::handshake: return "handshake";
    case Phase::ehlo_after_tls: return "ehlo-after-tls";
    case Phase::quit: return "quit";
  }
  return "?";
}

const char* to_string(Failure failure) {
  switch (failure) {
    case Failure::none: return "none";
    case Failure::dns: return "dns";
    case Failure::connect: return "connect";
    case Failure::timeout: return "timeout";
    case Failure::greeting_rejected: return "greeting-rejected";
    case Failure::ehlo_rejected: return "ehlo-rejected";
    case Failure::starttls_rejected: return "starttls-rejected";
    case Failure::handshake_failed: return "handshake-failed";
    case Failure::protocol_error: return "protocol-error";
  }
  return "?";
}

}  // namespace stp::probe
