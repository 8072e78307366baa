#include "app/commands.hpp"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <mutex>
#include <thread>

#include <boost/asio/ip/address.hpp>

#include <unistd.h>

#include "app/output.hpp"
#include "app/progress.hpp"
#include "core/text.hpp"
#include "inventory/predict.hpp"
#include "net/endpoint.hpp"
#include "inventory/targets.hpp"
#include "lab/lab.hpp"
#include "probe/dns.hpp"
#include "probe/session.hpp"
#include "probe/target_source.hpp"
#include "report/chain_files.hpp"
#include "report/diff.hpp"
#include "report/inventory_report.hpp"
#include "report/json_result.hpp"
#include "serve/exporter.hpp"
#include "tls/certificate_file.hpp"
#include "tls/checks.hpp"

namespace stp::app {
namespace {

namespace net = boost::asio;
using boost::system::error_code;

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

tls::TrustAnchors load_anchors(const JudgeOptions& options) {
  try {
    return tls::TrustAnchors::load(options.ca_file, options.ca_path);
  } catch (const tls::TrustError& e) {
    throw probe::InputError(e.what());
  }
}

// Colour only on a terminal, never with NO_COLOR or --no-color, never into a file.
report::WriterOptions writer_options(const ReportOptions& report, const tls::JudgeSettings& judge) {
  report::WriterOptions options;
  const char* no_color = std::getenv("NO_COLOR");  // NOLINT(concurrency-mt-unsafe): before any thread starts
  options.color = !report.no_color && !report.output && (no_color == nullptr || *no_color == '\0') &&
                  ::isatty(STDOUT_FILENO) == 1;
  options.warn_days = judge.warn_days;
  options.crit_days = judge.crit_days;
  options.now = now();
  options.tool_version = STARTTLS_PROBE_VERSION;
  options.brief = report.brief;
  options.started_at_ms = report::unix_ms_now();
  return options;
}

// The export given with --inventory and what it predicts; each target made from it points into
// `predictions`, whose candidates point into `inventory`'s vectors (a move keeps their buffers).
struct InventoryContext {
  inventory::Inventory inventory;
  std::vector<inventory::Prediction> predictions;
};

// Reads the exports (InputError names file:line) and fills in --server where they name none.
// Dates that disagree with the export's own Status are said on stderr; the prediction goes on.
InventoryContext load_inventory(const std::vector<std::string>& files, const std::optional<std::string>& server,
                                std::optional<inventory::DateOrder> date_order, int warn_days) {
  InventoryContext context;
  try {
    context.inventory = inventory::load_inventory(files, date_order);
  } catch (const inventory::InventoryError& e) {
    throw probe::InputError(e.what());
  }
  for (const auto& warning : inventory::date_disagreements(context.inventory, now()))
    std::cerr << "starttls-probe: warning: " << warning << '\n';
  if (server)
    for (auto& connector : context.inventory.receive_connectors)
      if (connector.server.empty()) connector.server = *server;
  context.predictions = inventory::predict(context.inventory, now(), warn_days);
  return context;
}

struct ScanRun {
  const probe::ScanSettings& settings;
  tls::Judge judge;
  const InventoryContext* inventory = nullptr;
  std::optional<std::string> save_chains;
  bool unreachable_is_critical = false;
  bool show_progress = false;
  std::size_t total = 0;
};

// Probes every target, judges each result as it arrives (on the probe's own thread), and reports it
// (one at a time). Returns the exit code; `interrupted` tells whether a signal cut the scan short.
int scan(probe::TargetSource& source, const ScanRun& run, report::Writer& writer, bool& interrupted) {
  tls::Tally tally;
  Progress progress(run.total, run.show_progress);
  std::mutex report_mutex;
  auto outcome = probe::run_scan(source, run.settings, [&](probe::Evidence&& evidence) {
    tls::Assessment assessment = tls::assess(evidence, run.judge, now());
    // A plugin's convention: a name that does not resolve or a port that does not answer is an
    // error outside the plugin, CRITICAL; UNKNOWN is kept for the plugin's own.
    if (run.unreachable_is_critical && assessment.status == tls::Status::unknown) assessment.status = tls::Status::critical;
    const inventory::Prediction* prediction = nullptr;
    if (run.inventory && evidence.target.inventory) {
      prediction = &run.inventory->predictions.at(*evidence.target.inventory);
      tls::add_findings(assessment,
                        inventory::inventory_findings(*prediction, run.inventory->inventory, evidence, assessment),
                        evidence);
    }
    if (run.save_chains) {
      auto saved = report::save_chain(*run.save_chains, evidence, assessment);
      if (!saved.error.empty()) tls::add_findings(assessment, {tls::save_failed(saved.path, saved.error)}, evidence);
    }
    std::lock_guard lock(report_mutex);
    tally.add(assessment.status);
    progress.clear();
    writer.add({&evidence, {}, {}, &assessment, evidence.target.position, prediction});
    progress.done_one();
  });
  progress.clear();
  writer.finish(tally);
  interrupted = outcome.interrupted;
  return interrupted ? exit_unknown : tally.exit_code();
}

}  // namespace

int run_scan_command(const ScanCommand& command) {
  std::optional<InventoryContext> inventory;
  std::vector<probe::Target> listed = probe::TargetSource::parse_arguments(command.targets);
  if (!command.inventory_files.empty()) {
    inventory = load_inventory(command.inventory_files, command.server, command.date_order,
                               command.judge.settings.warn_days);
    std::vector<probe::Target> connectors;
    try {
      connectors = inventory::connector_targets(inventory->inventory, inventory->predictions, command.server);
    } catch (const inventory::InventoryError& e) {
      throw probe::InputError(e.what());
    }
    if (connectors.empty() && listed.empty() && !command.targets_file)
      throw probe::InputError("the inventory has no receive connector with Bindings to probe");
    listed.insert(listed.end(), connectors.begin(), connectors.end());
  }
  probe::TargetSource source(std::move(listed), command.targets_file, command.fqdn);
  if (command.shard) source.set_shard(command.shard->first, command.shard->second);
  std::size_t total = source.check();
  if (total == 0)
    throw probe::InputError(command.shard ? "no targets in this shard" : "no targets: give TARGET arguments or --targets FILE");
  probe::ScanSettings settings = command.settings;
  settings.stop_on_signals = true;
  settings.probe.dane = !command.no_dane;
  settings.probe.mta_sts = !command.no_mta_sts;
  std::string warning;
  settings.concurrency = probe::fit_open_file_limit(settings.concurrency, warning);
  if (!warning.empty()) std::cerr << "starttls-probe: " << warning << '\n';
  tls::TrustAnchors anchors = load_anchors(command.judge);
  if (command.save_chains) {
    try {
      report::prepare_chain_directory(*command.save_chains);
    } catch (const std::runtime_error& e) {
      throw probe::InputError(e.what());
    }
  }
  Output output(command.report.output);
  report::WriterOptions options = writer_options(command.report, command.judge.settings);
  if (command.shard) {
    options.shard = std::to_string(command.shard->first) + "/" + std::to_string(command.shard->second);
    options.shard_source = command.shard_source;
  }
  auto writer = report::Writer::make(command.report.format, [&](std::string_view text) { output.write(text); }, options);
  ScanRun run{settings, {command.judge.settings, &anchors}, inventory ? &*inventory : nullptr, command.save_chains,
              command.unreachable_is_critical, !command.report.quiet && ::isatty(STDERR_FILENO) == 1, total};
  bool interrupted = false;
  int exit_code = scan(source, run, *writer, interrupted);
  if (interrupted) {
    std::cerr << "starttls-probe: interrupted: " << (command.report.output ? "the previous report is left as it was"
                                                                           : "the results so far are complete")
              << '\n';
    return exit_code;  // the temporary file is removed; -o FILE keeps its previous report
  }
  output.finish();
  return exit_code;
}

int run_check_command(const CheckCommand& command) {
  error_code ec;
  auto address = net::ip::make_address(command.host, ec);
  if (ec && (command.host.find_first_of(":/ ") != std::string::npos || !probe::is_dns_name(command.host)))
    throw probe::InputError("-H '" + core::shown_in_error(command.host) +
                            "': expected a host name or an IP address (the port goes in -p)");
  std::uint16_t port = command.port.value_or(command.smtps ? 465 : 25);
  std::string host = !ec && address.is_v6() ? "[" + address.to_string() + "]" : command.host;
  ScanCommand scan = command.scan;
  scan.targets = {(command.smtps ? "smtps://" : "") + host + ":" + std::to_string(port)};
  // The whole check within -t: each limit of the probe a little inside it, and a watchdog at -t
  // itself for what adds up past it (a slow lookup, then a slow server).
  auto limit = std::chrono::milliseconds(std::llround(command.timeout_seconds * 1000));
  auto inner = std::max(std::chrono::milliseconds(1), limit - std::min(limit / 10, std::chrono::milliseconds(500)));
  scan.settings.probe.connect_timeout = std::min(scan.settings.probe.connect_timeout, inner);
  scan.settings.probe.reply_timeout = inner;
  scan.settings.probe.deadline = inner;
  scan.settings.probe.deadline_name = "-t";
  std::mutex mutex;
  std::condition_variable finished_changed;
  bool finished = false;
  std::thread watchdog([&] {
    std::unique_lock lock(mutex);
    if (finished_changed.wait_for(lock, limit, [&] { return finished; })) return;
    std::printf("STARTTLS CRITICAL - %s: no result within the %g s of -t\n", scan.targets.front().c_str(),
                command.timeout_seconds);
    std::fflush(stdout);
    std::_Exit(exit_critical);
  });
  struct Stop {  // however the scan ends
    std::mutex& mutex;
    std::condition_variable& changed;
    bool& finished;
    std::thread& watchdog;
    ~Stop() {
      {
        std::lock_guard lock(mutex);
        finished = true;
      }
      changed.notify_one();
      watchdog.join();
    }
  } stop{mutex, finished_changed, finished, watchdog};
  return run_scan_command(scan);
}

int run_serve_command(const ServeCommand& command) {
  serve::ExporterSettings settings;
  auto listen = parse_endpoint(command.listen, std::nullopt, 0);  // port 0: a free one
  if (!listen)
    throw probe::InputError("--listen '" + core::shown_in_error(command.listen) +
                            "': expected ADDR:PORT (127.0.0.1:9525, [::]:9525; port 0 takes a free one)");
  settings.listen = *listen;
  settings.max_concurrent = command.max_concurrent;
  settings.probe = command.scan.settings.probe;
  settings.probe.dane = !command.scan.no_dane;
  settings.probe.mta_sts = !command.scan.no_mta_sts;
  settings.timeout = command.scan.settings.probe.reply_timeout;
  tls::TrustAnchors anchors = load_anchors(command.scan.judge);
  settings.judge = {command.scan.judge.settings, &anchors};
  try {
    return serve::run_exporter(settings, [](const net::ip::tcp::endpoint& at) {
      std::string shown = at.address().is_v6() ? "[" + at.address().to_string() + "]" : at.address().to_string();
      std::cout << "starttls-probe serve: listening on http://" << shown << ":" << at.port()
                << "/ (GET /probe?target=HOST[:PORT], /metrics); SIGTERM stops it" << std::endl;
    });
  } catch (const boost::system::system_error& e) {
    throw probe::InputError("--listen " + command.listen + ": " + e.code().message());
  }
}

int run_inspect_command(const InspectCommand& command) {
  std::vector<std::string> chain;
  try {
    chain = tls::read_certificate_file(command.file, command.password);
  } catch (const tls::CertificateFileError& e) {
    throw probe::InputError(e.what());
  }
  tls::TrustAnchors anchors = load_anchors(command.judge);
  Output output(command.report.output);
  auto writer = report::Writer::make(command.report.format, [&](std::string_view text) { output.write(text); },
                                     writer_options(command.report, command.judge.settings));
  std::optional<probe::DnsEvidence> dane;
  if (command.dane) {
    if (!command.fqdn) throw probe::InputError("--dane needs --fqdn: the host whose TLSA records to check");
    probe::ProbeSettings settings;
    settings.dns = command.dns;
    dane = probe::dane_evidence(*command.fqdn, command.port, settings);
  }
  tls::Assessment assessment = tls::assess_chain(chain, command.fqdn, command.file, {command.judge.settings, &anchors},
                                                 now(), dane ? &*dane : nullptr);
  tls::Tally tally;
  tally.add(assessment.status);
  writer->add({nullptr, command.file, command.fqdn, &assessment, 0});
  writer->finish(tally);
  output.finish();
  return tally.exit_code();
}

int run_inventory_command(const InventoryCommand& command) {
  InventoryContext context = load_inventory(command.files, command.server, command.date_order, command.warn_days);
  if (context.predictions.empty() && context.inventory.certificates.empty())
    throw probe::InputError("no receive or send connector and no certificate in the exports");
  Output output(command.report.output);
  auto sink = [&](std::string_view text) { output.write(text); };
  bool color = writer_options(command.report, {}).color;
  int code = context.predictions.empty()
                 ? report::write_certificate_uses(inventory::certificate_uses(context.inventory, now(), command.warn_days),
                                                  command.report.format, sink, color)
                 : report::write_predictions(context.predictions, command.report.format, sink, color);
  output.finish();
  return code;
}

int run_diff_command(const DiffCommand& command) {
  history::ScanDiff diff;
  try {
    diff = history::diff_scans(history::read_scan_results(command.old_file), history::read_scan_results(command.new_file));
  } catch (const history::DiffError& e) {
    throw probe::InputError(e.what());
  }
  Output output(command.report.output);
  report::write_diff(diff, command.report.format, [&](std::string_view text) { output.write(text); },
                     writer_options(command.report, {}).color);
  output.finish();
  return history::exit_code_of(diff);
}

int run_demo_command(const ReportOptions& report) {
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
  Output output(report.output);  // a bad -o is an input error before any probe
  probe::ScanSettings settings;
  settings.concurrency = 16;
  settings.probe.reply_timeout = std::chrono::seconds(5);
  settings.probe.deadline = std::chrono::seconds(15);
  tls::TrustAnchors anchors = tls::TrustAnchors::from_pem(lab.ca_pem());
  tls::Judge judge{tls::JudgeSettings{}, &anchors};

  // The demo shows its endpoints in the order of its list, not in completion order.
  std::vector<std::pair<probe::Evidence, tls::Assessment>> results;
  tls::Tally tally;
  std::mutex mutex;
  probe::run_scan(source, settings, [&](probe::Evidence&& evidence) {
    tls::Assessment assessment = tls::assess(evidence, judge, now());
    std::lock_guard lock(mutex);
    tally.add(assessment.status);
    results.emplace_back(std::move(evidence), std::move(assessment));
  });
  std::sort(results.begin(), results.end(),
            [](const auto& a, const auto& b) { return a.first.target.position < b.first.target.position; });
  auto writer = report::Writer::make(report.format, [&](std::string_view text) { output.write(text); },
                                     writer_options(report, judge.settings));
  for (const auto& [evidence, assessment] : results)
    writer->add({&evidence, {}, {}, &assessment, evidence.target.position});
  writer->finish(tally);
  output.finish();
  return tally.exit_code();
}

}  // namespace stp::app
