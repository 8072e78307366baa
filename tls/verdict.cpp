#include "tls/verdict.hpp"

namespace stp::tls {

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::unknown: return "unknown";
    case Severity::critical: return "critical";
  }
  return "?";
}

const char* to_string(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::warning: return "warning";
    case Status::critical: return "critical";
    case Status::unknown: return "unknown";
  }
  return "?";
}

const char* to_string(NameMatch match) {
  switch (match) {
    case NameMatch::san: return "san";
    case NameMatch::wildcard: return "wildcard";
    case NameMatch::cn: return "cn";
    case NameMatch::none: return "none";
  }
  return "?";
}

Status status_of(const std::vector<Finding>& findings) {
  Severity worst = Severity::info;
  for (const auto& f : findings) worst = std::max(worst, f.severity);
  switch (worst) {
    case Severity::critical: return Status::critical;
    case Severity::unknown: return Status::unknown;
    case Severity::warning: return Status::warning;
    case Severity::info: break;
  }
  return Status::ok;
}

void Tally::add(Status status) {
  switch (status) {
    case Status::ok: ++ok; break;
    case Status::warning: ++warning; break;
    case Status::critical: ++critical; break;
    case Status::unknown: ++unknown; break;
  }
}

Status Tally::worst() const {
  if (critical) return Status::critical;
  if (unknown) return Status::unknown;
  if (warning) return Status::warning;
  return Status::ok;
}

int exit_code_of(Status status) {
  switch (status) {
    case Status::ok: return 0;
    case Status::warning: return 1;
    case Status::critical: return 2;
    case Status::unknown: return 3;
  }
  return 3;
}

}  // namespace stp::tls
