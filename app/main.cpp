// starttls-probe: does each SMTP endpoint really offer STARTTLS with the right certificate?

#include <iostream>

#include <CLI/CLI.hpp>

#include "app/commands.hpp"
#include "probe/target_source.hpp"

namespace {

using stp::app::exit_unknown;
using stp::probe::InputError;

// Seconds on the command line, milliseconds inside.
std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0 + 0.5));
}

void fail_line(const std::string& message) { std::cerr << "starttls-probe: " << message << '\n'; }

const std::vector<std::string> formats{"text", "json", "jsonl", "csv", "nagios", "prometheus", "junit"};

// How certificates are judged: scan and inspect alike.
void add_judge_options(CLI::App* command, stp::app::JudgeOptions& judge) {
  command->add_option("--ca-file", judge.ca_file, "trust anchors, PEM [the system's store]");
  command->add_option("--ca-path", judge.ca_path, "trust anchors, a hashed directory [the system's store]");
  command->add_flag("--require-trusted", judge.settings.require_trusted,
                    "chain-untrusted, self-signed and chain-incomplete become critical");
  command->add_option("--warn-days", judge.settings.warn_days, "warn when the certificate expires within N days")
      ->check(CLI::Range(0, 36500))
      ->capture_default_str();
  command->add_option("--crit-days", judge.settings.crit_days, "critical when it expires within N days")
      ->check(CLI::Range(0, 36500))
      ->capture_default_str();
}

// Where and how the report goes: every command.
void add_report_options(CLI::App* command, stp::app::ReportOptions& report, std::string& format) {
  command->add_option("--format", format, "text, json, jsonl, csv, nagios, prometheus or junit")
      ->check(CLI::IsMember(formats))
      ->capture_default_str();
  command->add_option("-o,--output", report.output, "write the report to FILE (replaced whole at the end)");
  command->add_flag("--no-color", report.no_color, "no colour (also with NO_COLOR set, or when not a terminal)");
  command->add_flag("--quiet", report.quiet, "no progress display");
}

void check_dns_name(const std::optional<std::string>& value, const char* option) {
  if (value && !stp::probe::is_dns_name(*value)) throw InputError(std::string(option) + " '" + *value + "' is not a DNS name");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"starttls-probe: checks, from outside, that SMTP endpoints offer STARTTLS with the right "
               "certificate (Exchange events 12014/12016/12018, remotely)",
               "starttls-probe"};
  app.set_version_flag("--version", std::string("starttls-probe ") + STARTTLS_PROBE_VERSION);
  app.require_subcommand(1);

  stp::app::ScanCommand scan;
  stp::app::InspectCommand inspect;
  stp::app::ReportOptions demo;
  double connect_timeout = 10, timeout = 30, deadline = 120;
  std::string sni = "auto";
  std::string format = "text";

  auto* scan_cmd = app.add_subcommand("scan", "probe SMTP endpoints (the main job)");
  scan_cmd->add_option("targets", scan.targets,
                       "host, host:port, [v6]:port, smtp://host[:port], submission://host[:port], smtps://host[:port]");
  scan_cmd->add_option("--targets", scan.targets_file, "read targets from FILE (- = standard input)");
  scan_cmd->add_option("--fqdn", scan.fqdn, "expected connector FQDN for targets without their own fqdn=");
  scan_cmd->add_option("--ehlo", scan.settings.probe.ehlo_name,
                       "name sent in EHLO/HELO [this machine's FQDN, else the local address literal]");
  scan_cmd->add_option("--sni", sni, "server name sent in the TLS handshake: NAME, auto or off")
      ->capture_default_str();
  scan_cmd->add_option("--save-chains", scan.save_chains, "write each presented chain as PEM to DIR/<host>_<port>.pem");
  scan_cmd->add_option("--concurrency", scan.settings.concurrency, "probes in flight at once")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  scan_cmd->add_option("--connect-timeout", connect_timeout, "seconds for the TCP connect")
      ->check(CLI::Range(0.001, 86400.0))
      ->capture_default_str();
  scan_cmd->add_option("--timeout", timeout, "seconds for each SMTP reply and for the TLS handshake")
      ->check(CLI::Range(0.001, 86400.0))
      ->capture_default_str();
  scan_cmd->add_option("--deadline", deadline, "seconds for the whole probe of one endpoint")
      ->check(CLI::Range(0.001, 86400.0))
      ->capture_default_str();
  add_report_options(scan_cmd, scan.report, format);
  add_judge_options(scan_cmd, scan.judge);

  auto* inspect_cmd = app.add_subcommand("inspect", "judge a certificate file offline (PEM bundle, DER, PKCS#12)");
  inspect_cmd->add_option("file", inspect.file, "the certificate file (PEM: leaf first)")->required();
  inspect_cmd->add_option("--fqdn", inspect.fqdn, "the FQDN the certificate must serve");
  inspect_cmd->add_option("--password", inspect.password, "PKCS#12 password");
  add_report_options(inspect_cmd, inspect.report, format);
  add_judge_options(inspect_cmd, inspect.judge);

  auto* demo_cmd = app.add_subcommand("demo", "start emulated Exchange-like endpoints on loopback and scan them");
  add_report_options(demo_cmd, demo, format);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    fail_line(std::string(e.what()) + " (see --help)");
    return exit_unknown;
  }

  try {
    auto chosen = *stp::report::parse_format(format);
    if (app.got_subcommand("demo")) {
      demo.format = chosen;
      return stp::app::run_demo_command(demo);
    }
    if (app.got_subcommand("inspect")) {
      check_dns_name(inspect.fqdn, "--fqdn");
      inspect.report.format = chosen;
      return stp::app::run_inspect_command(inspect);
    }
    scan.report.format = chosen;
    scan.settings.probe.connect_timeout = to_ms(connect_timeout);
    scan.settings.probe.reply_timeout = to_ms(timeout);
    scan.settings.probe.deadline = to_ms(deadline);
    if (sni == "off") {
      scan.settings.probe.sni_mode = stp::probe::SniMode::off;
    } else if (sni != "auto") {
      check_dns_name(sni, "--sni");
      scan.settings.probe.sni_mode = stp::probe::SniMode::fixed;
      scan.settings.probe.sni_name = sni;
    }
    check_dns_name(scan.settings.probe.ehlo_name, "--ehlo");
    return stp::app::run_scan_command(scan);
  } catch (const InputError& e) {
    fail_line(e.what());
    return exit_unknown;
  } catch (const std::exception& e) {
    fail_line(std::string("error: ") + e.what());
    return exit_unknown;
  }
}
