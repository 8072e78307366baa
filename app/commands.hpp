#pragma once
// The subcommands, each a function from parsed options to an exit code (SPEC §3).

#include <optional>
#include <string>
#include <vector>

#include "inventory/dates.hpp"
#include "probe/scanner.hpp"
#include "report/writer.hpp"
#include "tls/verdict.hpp"

namespace stp::app {

// Options shared by scan and inspect: how certificates are judged.
struct JudgeOptions {
  std::optional<std::string> ca_file;
  std::optional<std::string> ca_path;
  tls::JudgeSettings settings;
};

// Options shared by every command that writes a report.
struct ReportOptions {
  report::Format format = report::Format::text;
  std::optional<std::string> output;
  bool no_color = false;
  bool quiet = false;
  bool brief = false;  // --brief (text only)
};

struct ScanCommand {
  std::vector<std::string> targets;
  std::optional<std::string> targets_file;
  std::optional<std::string> fqdn;
  std::optional<std::string> save_chains;
  std::optional<std::pair<std::size_t, std::size_t>> shard;  // K/N
  std::string shard_source;                                  // --shard auto: the variable K came from
  std::vector<std::string> inventory_files;                  // --inventory (repeatable)
  std::optional<std::string> server;                         // --server
  std::optional<inventory::DateOrder> date_order;            // --date-order
  bool no_dane = false;                                      // --no-dane
  bool no_mta_sts = false;                                   // --no-mta-sts
  bool unreachable_is_critical = false;                      // check: a probe that could not be made is CRITICAL
  ReportOptions report;
  JudgeOptions judge;
  probe::ScanSettings settings;
};

// check (SPEC §2): one endpoint as a monitoring plugin; `scan` holds everything but the target.
struct CheckCommand {
  std::string host;                    // -H
  std::optional<std::uint16_t> port;   // -p [25, or 465 with --smtps]
  bool smtps = false;                  // --smtps: implicit TLS
  double timeout_seconds = 10;         // -t: the whole check
  ScanCommand scan;
};

// serve (SPEC §2): the Prometheus exporter; `scan` holds the probe and judge options as defaults.
struct ServeCommand {
  std::string listen = "127.0.0.1:9525";  // --listen ADDR:PORT
  std::size_t max_concurrent = 50;        // --max-concurrent
  ScanCommand scan;
};

struct InspectCommand {
  std::string file;
  std::optional<std::string> fqdn;
  std::optional<std::string> password;
  bool dane = false;                    // --dane: also against the TLSA records of _PORT._tcp.FQDN
  std::uint16_t port = 25;              // --port
  probe::DnsSettings dns;               // --dns-server, --dnssec-anchor
  ReportOptions report;
  JudgeOptions judge;
};

struct InventoryCommand {
  std::vector<std::string> files;
  std::optional<std::string> server;
  std::optional<inventory::DateOrder> date_order;
  int warn_days = 30;
  ReportOptions report;
};

struct DiffCommand {
  std::string old_file, new_file;
  ReportOptions report;
};

// Exit codes of SPEC §3.
enum ExitCode : int { exit_ok = 0, exit_warning = 1, exit_critical = 2, exit_unknown = 3 };

int run_scan_command(const ScanCommand& command);
int run_check_command(const CheckCommand& command);
int run_serve_command(const ServeCommand& command);
int run_inspect_command(const InspectCommand& command);
int run_demo_command(const ReportOptions& report);
int run_inventory_command(const InventoryCommand& command);
int run_diff_command(const DiffCommand& command);

}  // namespace stp::app
