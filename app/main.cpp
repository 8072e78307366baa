// starttls-probe: does each SMTP endpoint really offer STARTTLS with the right certificate?

#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "app/commands.hpp"
#include "probe/target_source.hpp"

namespace {

using stp::app::exit_unknown;

// Seconds on the command line, milliseconds inside.
std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0 + 0.5));
}

void fail_line(const std::string& message) { std::cerr << "starttls-probe: " << message << '\n'; }

// Options scan and inspect share: trust anchors, expiry thresholds, output.
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

void add_format_option(CLI::App* command, std::string& format) {
  command->add_option("--format", format, "jsonl or json (the other formats arrive with the reports)")
      ->check(CLI::IsMember({"jsonl", "json"}))
      ->capture_default_str();
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
  double connect_timeout = 10, timeout = 30, deadline = 120;
  std::string sni = "auto";
  std::string format = "jsonl";

  auto* scan_cmd = app.add_subcommand("scan", "probe SMTP endpoints (the main job)");
  scan_cmd->add_option("targets", scan.targets,
                       "host, host:port, [v6]:port, smtp://host[:port], submission://host[:port], smtps://host[:port]");
  scan_cmd->add_option("--targets", scan.targets_file, "read targets from FILE (- = standard input)");
  scan_cmd->add_option("--fqdn", scan.fqdn, "expected connector FQDN for targets without their own fqdn=");
  scan_cmd->add_option("--ehlo", scan.settings.probe.ehlo_name,
                       "name sent in EHLO/HELO [this machine's FQDN, else the local address literal]");
  scan_cmd->add_option("--sni", sni, "server name sent in the TLS handshake: NAME, auto or off")
      ->capture_default_str();
  add_format_option(scan_cmd, format);
  add_judge_options(scan_cmd, scan.judge);
  scan_cmd->add_option("-o,--output", scan.output, "write the report to FILE (replaced whole at the end)");
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

  auto* inspect_cmd = app.add_subcommand("inspect", "judge a certificate file offline (PEM bundle, DER, PKCS#12)");
  inspect_cmd->add_option("file", inspect.file, "the certificate file (PEM: leaf first)")->required();
  inspect_cmd->add_option("--fqdn", inspect.fqdn, "the FQDN the certificate must serve");
  inspect_cmd->add_option("--password", inspect.password, "PKCS#12 password");
  inspect_cmd->add_option("-o,--output", inspect.output, "write the report to FILE (replaced whole at the end)");
  add_format_option(inspect_cmd, format);
  add_judge_options(inspect_cmd, inspect.judge);

  app.add_subcommand("demo", "start emulated Exchange-like endpoints on loopback and scan them");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    fail_line(std::string(e.what()) + " (see --help)");
    return exit_unknown;
  }

  try {
    if (app.got_subcommand("demo")) return stp::app::run_demo_command();
    if (app.got_subcommand("inspect")) {
      if (inspect.fqdn && !stp::probe::is_dns_name(*inspect.fqdn))
        throw stp::probe::InputError("--fqdn '" + *inspect.fqdn + "' is not a DNS name");
      inspect.format = *stp::report::parse_format(format);
      return stp::app::run_inspect_command(inspect);
    }
    scan.format = *stp::report::parse_format(format);

    scan.settings.probe.connect_timeout = to_ms(connect_timeout);
    scan.settings.probe.reply_timeout = to_ms(timeout);
    scan.settings.probe.deadline = to_ms(deadline);
    if (sni == "off") {
      scan.settings.probe.sni_mode = stp::probe::SniMode::off;
    } else if (sni != "auto") {
      if (!stp::probe::is_dns_name(sni)) throw stp::probe::InputError("--sni '" + sni + "' is not a DNS name");
      scan.settings.probe.sni_mode = stp::probe::SniMode::fixed;
      scan.settings.probe.sni_name = sni;
    }
    if (scan.settings.probe.ehlo_name && !stp::probe::is_dns_name(*scan.settings.probe.ehlo_name))
      throw stp::probe::InputError("--ehlo '" + *scan.settings.probe.ehlo_name + "' is not a DNS name");
    return stp::app::run_scan_command(scan);
  } catch (const stp::probe::InputError& e) {
    fail_line(e.what());
    return exit_unknown;
  } catch (const std::exception& e) {
    fail_line(std::string("error: ") + e.what());
    return exit_unknown;
  }
}
