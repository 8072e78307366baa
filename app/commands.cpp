#include "app/commands.hpp"

#include <algorithm>

#include "app/output.hpp"
#include "lab/lab.hpp"
#include "probe/target_source.hpp"
#include "report/json_result.hpp"
#include "tls/assessment.hpp"

namespace stp::app {
namespace {

// Until the judgement is in, a result is "unknown" when the probe could not finish, else ok.
int exit_code_of(const probe::Evidence& evidence) {
  return evidence.failure == probe::Failure::none ? exit_ok : exit_unknown;
}

int worse(int a, int b) {
  // Precedence over many endpoints: critical > unknown > warning > ok.
  auto rank = [](int code) { return code == exit_critical ? 3 : code == exit_unknown ? 2 : code; };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace

int run_scan_command(const ScanCommand& command) {
  probe::TargetSource source(probe::TargetSource::parse_arguments(command.targets), command.targets_file,
                             command.fqdn);
  if (source.check() == 0) throw probe::InputError("no targets: give TARGET arguments or --targets FILE");
  Output output(command.output);
  int exit_code = exit_ok;
  probe::run_scan(source, command.settings, [&](probe::Evidence&& evidence) {
    output.write(report::jsonl_line(evidence, tls::assess(evidence)));
    exit_code = worse(exit_code, exit_code_of(evidence));
  });
  output.finish();
  return exit_code;
}

int run_demo_command() {
  using lab::Scenario;
  lab::Lab lab;
  std::vector<probe::Target> targets;
  for (Scenario scenario : {Scenario::healthy, Scenario::no_starttls, Scenario::exchange_default,
                            Scenario::wrong_eku, Scenario::expired, Scenario::missing_intermediate,
                            Scenario::starttls_rejected, Scenario::wildcard, Scenario::cn_only,
                            Scenario::legacy_tls10, Scenario::implicit_tls, Scenario::injected_after_starttls}) {
    targets.push_back(*probe::parse_target_line(lab.add(scenario).target_line()));
  }
  probe::TargetSource source(std::move(targets), std::nullopt, std::nullopt);
  probe::ScanSettings settings;
  settings.concurrency = 16;
  settings.probe.reply_timeout = std::chrono::seconds(5);
  settings.probe.deadline = std::chrono::seconds(15);

  // Results arrive in completion order; the demo shows them in the order of its list.
  std::vector<std::pair<std::size_t, std::string>> lines;
  int exit_code = exit_ok;
  probe::run_scan(source, settings, [&](probe::Evidence&& evidence) {
    lines.emplace_back(evidence.target.position, report::jsonl_line(evidence, tls::assess(evidence)));
    exit_code = worse(exit_code, exit_code_of(evidence));
  });
  std::sort(lines.begin(), lines.end());
  Output output(std::nullopt);
  for (const auto& [position, line] : lines) output.write(line);
  return exit_code;
}

}  // namespace stp::app
