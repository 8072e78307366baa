// starttls-probe: does each SMTP endpoint really offer STARTTLS with the right certificate?

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include <arpa/inet.h>

#include <CLI/CLI.hpp>
#include <openssl/crypto.h>

#include "app/commands.hpp"
#include "app/output.hpp"
#include "core/text.hpp"
#include "keys/builtin_keys.hpp"
#include "probe/dns.hpp"
#include "probe/target_source.hpp"

namespace {

using stp::app::exit_unknown;
using stp::probe::InputError;

// Seconds on the command line, milliseconds inside.
std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(std::llround(seconds * 1000.0));
}

// An error before or instead of a report: one line on stderr; with --format nagios also a
// plugin's status line on stdout, which is what Nagios shows.
int fail_line(const std::string& message, bool nagios) {
  std::cerr << "starttls-probe: " << message << '\n';
  if (nagios) std::cout << "STARTTLS UNKNOWN - " << message << std::endl;
  return exit_unknown;
}

// --format nagios: a plugin's status line even for an input error.
bool asks_for_nagios(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view word = argv[i];
    if (word == "--format=nagios" || (word == "--format" && i + 1 < argc && std::string_view(argv[i + 1]) == "nagios"))
      return true;
  }
  return false;
}

const std::vector<std::string> formats{"text", "json", "jsonl", "csv", "nagios", "prometheus", "junit", "html"};

// How certificates are judged: scan and inspect alike.
// check names the day thresholds as plugins do (-w/-c) as well.
void add_judge_options(CLI::App* command, stp::app::JudgeOptions& judge, bool plugin_names = false) {
  command->add_option("--ca-file", judge.ca_file, "trust anchors, PEM [the system's store]")->type_name("FILE");
  command->add_option("--ca-path", judge.ca_path, "trust anchors, a hashed directory [the system's store]")->type_name("DIR");
  command->add_flag("--require-trusted", judge.settings.require_trusted,
                    "chain-untrusted, self-signed and chain-incomplete become critical");
  command->add_option(plugin_names ? "-w,--warn-days" : "--warn-days", judge.settings.warn_days,
                      "warn when the certificate expires within DAYS")
      ->type_name("DAYS")
      ->check(CLI::Range(0, 36500))
      ->capture_default_str();
  command->add_option(plugin_names ? "-c,--crit-days" : "--crit-days", judge.settings.crit_days,
                      "critical when it expires within DAYS")
      ->type_name("DAYS")
      ->check(CLI::Range(0, 36500))
      ->capture_default_str();
}

// Where and how the report goes: every command.
void add_report_options(CLI::App* command, stp::app::ReportOptions& report, std::string& format,
                        const std::vector<std::string>& allowed = formats) {
  std::string names;
  for (std::size_t i = 0; i < allowed.size(); ++i)
    names += (i == 0 ? "" : i + 1 == allowed.size() ? " or " : ", ") + allowed[i];
  command->add_option("--format", format, names)->type_name("FORMAT")->check(CLI::IsMember(allowed))->capture_default_str();
  command->add_option("-o,--output", report.output, "write the report to FILE (replaced whole at the end)")->type_name("FILE");
  command->add_flag("--no-color", report.no_color, "no colour (also with NO_COLOR set, or when not a terminal)");
  command->add_flag("--quiet", report.quiet, "no progress display");
  if (std::find(allowed.begin(), allowed.end(), "nagios") != allowed.end())  // the endpoint reports: scan, inspect, demo
    command->add_flag("--brief", report.brief,
                      "text: one line per endpoint (status, target, connector, worst finding, days left), worst first");
}

// --shard auto: a Kubernetes Indexed Job gives each pod JOB_COMPLETION_INDEX (K); the job's
// manifest gives the count, which no variable of Kubernetes carries, as STARTTLS_PROBE_SHARDS (N).
std::string shard_from_environment() {
  // NOLINTBEGIN(concurrency-mt-unsafe): read before any thread starts
  const char* index = std::getenv("JOB_COMPLETION_INDEX");
  const char* count = std::getenv("STARTTLS_PROBE_SHARDS");
  // NOLINTEND(concurrency-mt-unsafe)
  if (index == nullptr || *index == '\0')
    throw InputError("--shard auto: JOB_COMPLETION_INDEX is not set (a Kubernetes Indexed Job sets it in each pod)");
  if (count == nullptr || *count == '\0')
    throw InputError("--shard auto: STARTTLS_PROBE_SHARDS is not set (set it to the job's completions)");
  return std::string(index) + "/" + count;
}

std::pair<std::size_t, std::size_t> parse_shard(const std::string& text) {
  std::size_t slash = text.find('/');
  std::size_t k = 0, n = 0;
  auto number = [](const std::string& part, std::size_t& out) {
    if (part.empty() || part.size() > 9 || part.find_first_not_of("0123456789") != std::string::npos) return false;
    out = std::stoul(part);
    return true;
  };
  if (slash == std::string::npos || !number(text.substr(0, slash), k) || !number(text.substr(slash + 1), n) ||
      n == 0 || k >= n)
    throw InputError("--shard '" + text + "': expected K/N with 0 <= K < N, e.g. 0/4, or auto");
  return {k, n};
}

// --resolve NAME:ADDR[,ADDR...]; an IPv6 address keeps its colons (the name has none).
void add_static_host(const std::string& entry, std::map<std::string, std::vector<std::string>>& hosts) {
  std::size_t colon = entry.find(':');
  std::string name = stp::probe::host_key(entry.substr(0, colon));
  if (colon == std::string::npos || !stp::probe::is_dns_name(name))
    throw InputError("--resolve '" + entry + "': expected NAME:ADDR[,ADDR...]");
  std::string rest = entry.substr(colon + 1);
  std::vector<std::string> addresses;
  for (std::size_t start = 0; start <= rest.size();) {
    std::size_t comma = rest.find(',', start);
    std::string address = rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (address.size() > 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
    unsigned char buffer[16];
    if (inet_pton(AF_INET, address.c_str(), buffer) != 1 && inet_pton(AF_INET6, address.c_str(), buffer) != 1)
      throw InputError("--resolve '" + entry + "': '" + address + "' is not an IP address");
    addresses.push_back(address);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  auto& list = hosts[name];
  list.insert(list.end(), addresses.begin(), addresses.end());
}

stp::probe::ConnectTo parse_connect_to_option(const std::string& text) {
  try {
    return stp::probe::parse_connect_to(text);
  } catch (const stp::probe::TargetError& e) {
    throw InputError(e.what());
  }
}

// --date-order: how an export's culture dates read when none of them tells (12/02/2016).
void add_date_order_option(CLI::App* command, std::optional<stp::inventory::DateOrder>& order) {
  command
      ->add_option_function<std::string>(
          "--date-order", [&order](const std::string& name) { order = stp::inventory::date_order_named(name); },
          "day and month order of the exports' dates when none of them tells: mdy (en-US), dmy (en-GB, en-AU, "
          "de-DE...) or ymd (ja-JP, zh-CN)")
      ->type_name("ORDER")
      ->check(CLI::IsMember({"mdy", "dmy", "ymd"}));
}

void check_dns_name(const std::string& value, const char* option) {
  if (!stp::probe::is_dns_name(value)) throw InputError(std::string(option) + " '" + value + "' is not a DNS name");
}

// --sni NAME|auto|off
void set_sni(const std::string& sni, stp::probe::ProbeSettings& probe) {
  if (sni == "auto") {
    probe.sni_mode = stp::probe::SniMode::automatic;
  } else if (sni == "off") {
    probe.sni_mode = stp::probe::SniMode::off;
  } else {
    check_dns_name(sni, "--sni");
    probe.sni_mode = stp::probe::SniMode::fixed;
    probe.sni_name = sni;
  }
}

// How each endpoint is greeted and reached: scan, check and serve.
void add_probe_options(CLI::App* command, stp::probe::ProbeSettings& probe) {
  command->add_option("--ehlo", probe.ehlo_name,
                       "name sent in EHLO/HELO [this machine's FQDN, else the local address literal]")
      ->type_name("NAME")
      ->each([](const std::string& name) { check_dns_name(name, "--ehlo"); });
  command->add_option_function<std::string>("--sni", [&probe](const std::string& sni) { set_sni(sni, probe); },
                                             "server name sent in the TLS handshake: NAME, auto or off [auto]")
      ->type_name("NAME|auto|off");
  // Repeatable options take one value per use, so that targets after them stay targets.
  command->add_option_function<std::vector<std::string>>(
              "--resolve",
              [&probe](const std::vector<std::string>& entries) {
                for (const auto& entry : entries) add_static_host(entry, probe.static_hosts);
              },
              "use these addresses for NAME instead of DNS (repeatable)")
      ->type_name("NAME:ADDR[,ADDR...]")
      ->expected(1)
      ->take_all()
      ->allow_extra_args(false);
  command->add_option_function<std::vector<std::string>>(
              "--connect-to",
              [&probe](const std::vector<std::string>& rules) {
                for (const auto& rule : rules) probe.connect_to.push_back(parse_connect_to_option(rule));
              },
              "connect to HOST2:PORT2 whenever HOST:PORT is to be reached (SMTP and the MTA-STS policy fetch); names, "
              "SNI and checks still use HOST (curl's option; repeatable)")
      ->type_name("HOST:PORT:HOST2:PORT2")
      ->expected(1)
      ->take_all()
      ->allow_extra_args(false);
}

// Where scan's targets come from and how they are named and judged.
void add_scan_target_options(CLI::App* scan_cmd, stp::app::ScanCommand& scan) {
  scan_cmd->add_option("targets", scan.targets,
                       "host, host:port, [v6]:port, smtp://host[:port], submission://host[:port], smtps://host[:port], "
                       "mx:DOMAIN")
      ->type_name("TARGET");
  scan_cmd->add_option("--targets", scan.targets_file, "read targets from FILE (- = standard input)")->type_name("FILE");
  scan_cmd->add_option("--fqdn", scan.fqdn, "expected connector FQDN for targets without their own fqdn=")
      ->type_name("NAME")
      ->each([](const std::string& name) { check_dns_name(name, "--fqdn"); });
  add_probe_options(scan_cmd, scan.settings.probe);
  scan_cmd->add_option("--save-chains", scan.save_chains, "write each presented chain as PEM to DIR/<host>_<port>.pem")
      ->type_name("DIR");
  scan_cmd->add_option("--inventory", scan.inventory_files,
                       "Exchange export (Export-Clixml, Format-List or ConvertTo-Json): its receive connectors become targets, "
                       "each with Exchange's predicted certificate (repeatable)")
      ->type_name("FILE")
      ->expected(1)
      ->take_all()
      ->allow_extra_args(false);
  scan_cmd->add_option("--server", scan.server,
                       "host for the inventory's wildcard bindings (0.0.0.0:25, [::]:25) [each connector's Server]")
      ->type_name("HOST");
  add_date_order_option(scan_cmd, scan.date_order);
  scan_cmd->add_option_function<std::string>(
              "--shard",
              [&scan](const std::string& text) {
                if (text == "auto") {
                  std::string from_job = shard_from_environment();
                  try {
                    scan.shard = parse_shard(from_job);
                  } catch (const InputError&) {
                    throw InputError("--shard auto: JOB_COMPLETION_INDEX/STARTTLS_PROBE_SHARDS make '" +
                                     stp::core::shown_in_error(from_job) + "', not K/N with 0 <= K < N");
                  }
                  scan.shard_source = "JOB_COMPLETION_INDEX";
                } else {
                  scan.shard = parse_shard(text);
                }
              },
              "probe only the targets whose position modulo N is K (0-based); auto: K from JOB_COMPLETION_INDEX, N "
              "from STARTTLS_PROBE_SHARDS (a Kubernetes Indexed Job)")
      ->type_name("K/N|auto");
}

// Where names are looked up and what DNSSEC trusts.
// Debian's root key is the anchor unless --dnssec-anchor names another (or none).
void add_dns_options(CLI::App* scan_cmd, stp::probe::DnsSettings& dns) {
  dns.anchors = stp::probe::default_dnssec_anchors();
  scan_cmd->add_option_function<std::vector<std::string>>(
              "--dns-server",
              [&dns](const std::vector<std::string>& servers) {
                for (const auto& server : servers) {
                  (void)stp::probe::forwarder_address(server);  // refused here, before any probe
                  dns.servers.push_back(server);
                }
              },
              "send DNS questions to this server instead of those of /etc/resolv.conf (repeatable)")
      ->type_name("ADDR[:PORT]")
      ->expected(1)
      ->take_all()
      ->allow_extra_args(false);
  scan_cmd->add_option_function<std::string>(
      "--dnssec-anchor",
      [&dns](const std::string& file) {
        dns.anchors = file == "none" ? std::nullopt : std::optional<std::string>(file);
      },
      "DS or DNSKEY records trusted for DNSSEC, or 'none' (no validation) [/usr/share/dns/root.key]")
      ->type_name("FILE|none");
}

// -4 / -6: check, and the limits below.
void add_family_options(CLI::App* command, stp::probe::ProbeSettings& probe) {
  auto* v4 = command->add_flag_callback("-4", [&probe] { probe.family = stp::probe::Family::v4; }, "use only IPv4 addresses");
  command->add_flag_callback("-6", [&probe] { probe.family = stp::probe::Family::v6; }, "use only IPv6 addresses")
      ->excludes(v4);
}

// How long and how often one endpoint is tried: scan and serve.
void add_limit_options(CLI::App* command, stp::probe::ProbeSettings& probe) {
  command->add_option("--retries", probe.retries, "retries after a transient failure (connect error, 421, reset), with backoff")
      ->type_name("N")
      ->check(CLI::Range(0, 10))
      ->capture_default_str();
  add_family_options(command, probe);
  auto seconds = [&](const char* name, std::chrono::milliseconds& limit, const char* help) {
    command->add_option_function<double>(name, [&limit](double value) { limit = to_ms(value); }, help)
        ->type_name("SECONDS")
        ->check(CLI::Range(0.001, 86400.0));
  };
  seconds("--connect-timeout", probe.connect_timeout, "seconds for the TCP connect [10]");
  seconds("--timeout", probe.reply_timeout, "seconds for each SMTP reply and for the TLS handshake [30]");
  seconds("--deadline", probe.deadline, "seconds for the whole probe of one endpoint [120]");
}

// How many probes, how fast, to which addresses, and for how long.
void add_scan_scheduling_options(CLI::App* scan_cmd, stp::app::ScanCommand& scan) {
  auto& settings = scan.settings;
  scan_cmd->add_option("--concurrency", settings.concurrency, "probes in flight at once")
      ->type_name("N")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  scan_cmd->add_option("--per-host", settings.per_host, "connections in flight to one IP address at once")
      ->type_name("N")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  scan_cmd->add_option("--rate", settings.rate, "new connections per second, overall [unlimited]")
      ->type_name("PER_SECOND")
      ->check(CLI::Range(0.001, 1e7));
  scan_cmd->add_flag("--all-addresses", settings.probe.all_addresses,
                     "probe every address a host name resolves to, one result each [first reachable only]");
  scan_cmd->add_option("--threads", settings.threads, "event loops [one per core]")->type_name("N")->check(CLI::Range(1, 256));
  add_limit_options(scan_cmd, settings.probe);
}

const char* const exit_codes_help =
    "Exit codes: 0 every endpoint OK; 1 the worst result is a warning; 2 at least one critical result; 3 an "
    "endpoint could not be probed (and none is critical), or a usage or input error.";

// The number of single-character edits between two words (Levenshtein), for "did you mean".
std::size_t edits_between(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// A first word that is no command: named, with the nearest command when one is near (scna -> scan).
void check_command_word(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return;
  std::string word = argv[1];
  std::vector<std::string> names;
  for (const auto* command : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(command->get_name());
  if (std::find(names.begin(), names.end(), word) != names.end()) return;
  std::string nearest;
  std::size_t best = 3;  // at most two edits away
  for (const auto& name : names)
    if (std::size_t d = edits_between(word, name); d < best) {
      best = d;
      nearest = name;
    }
  throw InputError("'" + word + "' is not a command" + (nearest.empty() ? "" : "; did you mean '" + nearest + "'?") +
                   " (commands: " + stp::core::join(names) + ")");
}

// The commands and what they were given; run() carries out the one asked for.
struct CommandLine {
  CommandLine() {
    app.set_version_flag("--version", std::string("starttls-probe ") + STARTTLS_PROBE_VERSION + "\n" +
                                          OpenSSL_version(OPENSSL_VERSION) + "\nkey decoding: " +
                                          stp::keys::key_decoding_path());
    app.require_subcommand(1);
    app.footer(exit_codes_help);
    auto* scan_cmd = app.add_subcommand("scan", "probe SMTP endpoints (the main job)");
    scan_cmd->footer(exit_codes_help);
    add_scan_target_options(scan_cmd, scan);
    add_scan_scheduling_options(scan_cmd, scan);
    add_dns_options(scan_cmd, scan.settings.probe.dns);
    scan_cmd->add_flag("--no-dane", scan.no_dane, "do not look up TLSA records (DANE)");
    scan_cmd->add_flag("--no-mta-sts", scan.no_mta_sts, "do not look up or fetch mx: targets' MTA-STS policies");
    add_report_options(scan_cmd, scan.report, format);
    add_judge_options(scan_cmd, scan.judge);

    add_check_command();
    add_serve_command();

    auto* inspect_cmd = app.add_subcommand("inspect", "judge a certificate file offline (PEM bundle, DER, PKCS#12)");
    inspect_cmd->footer(exit_codes_help);
    inspect_cmd->add_option("file", inspect.file, "the certificate file (PEM: leaf first)")->type_name("FILE")->required();
    inspect_cmd->add_option("--fqdn", inspect.fqdn, "the FQDN the certificate must serve")
        ->type_name("NAME")
        ->each([](const std::string& name) { check_dns_name(name, "--fqdn"); });
    inspect_cmd->add_option("--password", inspect.password, "PKCS#12 password")->type_name("PASSWORD");
    inspect_cmd->add_flag("--dane", inspect.dane,
                          "also match the chain against the DNSSEC-validated TLSA records of _PORT._tcp.FQDN");
    inspect_cmd->add_option("--port", inspect.port, "the port of the TLSA records (--dane)")
        ->type_name("PORT")
        ->check(CLI::Range(1, 65535))
        ->capture_default_str();
    add_dns_options(inspect_cmd, inspect.dns);
    add_report_options(inspect_cmd, inspect.report, format);
    add_judge_options(inspect_cmd, inspect.judge);

    auto* inventory_cmd = app.add_subcommand(
        "inventory", "predict offline, from Exchange exports, which certificate each connector uses for STARTTLS");
    inventory_cmd->add_option("files", inventory.files,
                              "Get-ReceiveConnector, Get-SendConnector, Get-ExchangeCertificate (and Get-ExchangeServer) "
                              "output: Export-Clixml, Format-List or ConvertTo-Json")
        ->type_name("FILE")
        ->required();
    inventory_cmd->add_option("--server", inventory.server, "the server of connectors whose export does not name one")
        ->type_name("NAME");
    add_date_order_option(inventory_cmd, inventory.date_order);
    inventory_cmd->add_option("--warn-days", inventory.warn_days, "warn when the chosen certificate expires within DAYS")
        ->type_name("DAYS")
        ->check(CLI::Range(0, 36500))
        ->capture_default_str();
    add_report_options(inventory_cmd, inventory.report, format, {"text", "json", "jsonl", "html"});

    auto* diff_cmd = app.add_subcommand("diff", "what changed between two scans (results in jsonl or json)");
    diff_cmd->add_option("old", diff.old_file, "the earlier scan's results")->type_name("OLD")->required();
    diff_cmd->add_option("new", diff.new_file, "the later scan's results")->type_name("NEW")->required();
    add_report_options(diff_cmd, diff.report, format, {"text", "json", "jsonl", "html"});

    auto* demo_cmd = app.add_subcommand("demo", "start emulated Exchange-like endpoints on loopback and scan them");
    add_report_options(demo_cmd, demo, format);
  }

  // check (SPEC §2): one endpoint as a Nagios/Icinga plugin, by the Monitoring Plugins guidelines.
  void add_check_command() {
    auto* cmd = app.add_subcommand("check", "one endpoint as a Nagios/Icinga plugin (also run as check_starttls)");
    cmd->footer(
        "Prints one status line 'STARTTLS OK|WARNING|CRITICAL|UNKNOWN - ... | days_left=N;W:;C: time=Ss;;;0'. "
        "Exit codes: 0 OK; 1 WARNING; 2 CRITICAL (also a name that does not resolve, a refused or timed-out "
        "connection); 3 UNKNOWN (usage errors and internal failures, --help and --version).");
    cmd->set_version_flag("-V,--version", std::string("check_starttls (starttls-probe) ") + STARTTLS_PROBE_VERSION);
    cmd->add_option("-H,--hostname", check.host, "the endpoint: a host name or an IP address")->type_name("HOST")->required();
    cmd->add_option("-p,--port", check.port, "the port [25, or 465 with --smtps]")->type_name("PORT")->check(CLI::Range(1, 65535));
    cmd->add_flag("--smtps", check.smtps, "implicit TLS (SMTPS) instead of STARTTLS");
    cmd->add_option("-t,--timeout", check.timeout_seconds, "seconds for the whole check")
        ->type_name("SECONDS")
        ->check(CLI::Range(0.1, 3600.0))
        ->capture_default_str();
    auto& plugin = check.scan;
    cmd->add_option("--fqdn", plugin.fqdn, "the connector FQDN the certificate must hold [the host name]")
        ->type_name("NAME")
        ->each([](const std::string& name) { check_dns_name(name, "--fqdn"); });
    add_probe_options(cmd, plugin.settings.probe);
    add_family_options(cmd, plugin.settings.probe);
    add_dns_options(cmd, plugin.settings.probe.dns);
    cmd->add_flag("--no-dane", plugin.no_dane, "do not look up TLSA records (DANE)");
    add_judge_options(cmd, plugin.judge, true);
    // One endpoint, once: Nagios retries by its own max_check_attempts.
    plugin.settings.threads = 1;
    plugin.settings.concurrency = 1;
    plugin.settings.probe.retries = 0;
    plugin.report.quiet = true;
    plugin.unreachable_is_critical = true;
  }

  // serve (SPEC §2): the Prometheus exporter, the scan options as every probe's defaults.
  void add_serve_command() {
    auto* cmd = app.add_subcommand("serve", "a Prometheus exporter: GET /probe?target=... probes on demand");
    cmd->add_option("--listen", serve.listen, "address and port to serve HTTP on ([::]:9525 for every address)")
        ->type_name("ADDR:PORT")
        ->capture_default_str();
    cmd->add_option("--max-concurrent", serve.max_concurrent, "probes in flight at once; more are answered 503")
        ->type_name("N")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    auto& defaults = serve.scan;
    add_probe_options(cmd, defaults.settings.probe);
    add_limit_options(cmd, defaults.settings.probe);
    add_dns_options(cmd, defaults.settings.probe.dns);
    cmd->add_flag("--no-dane", defaults.no_dane, "do not look up TLSA records (DANE)");
    cmd->add_flag("--no-mta-sts", defaults.no_mta_sts, "do not look up or fetch mx: targets' MTA-STS policies");
    add_judge_options(cmd, defaults.judge);
  }

  int run() {
    if (app.got_subcommand("serve")) return stp::app::run_serve_command(serve);
    if (app.got_subcommand("check")) {
      check.scan.report.format = stp::report::Format::nagios;
      if (check.scan.judge.settings.warn_days < check.scan.judge.settings.crit_days)
        throw InputError("-w " + std::to_string(check.scan.judge.settings.warn_days) + " is below -c " +
                         std::to_string(check.scan.judge.settings.crit_days) +
                         ": a certificate would turn critical before it ever warned (e.g. -w 30 -c 7)");
      return stp::app::run_check_command(check);
    }
    auto chosen = *stp::report::parse_format(format);
    for (const auto* report : {&scan.report, &inspect.report, &demo})
      if (report->brief && chosen != stp::report::Format::text)
        throw InputError("--brief is for --format text (the other formats have one record per endpoint already)");
    for (const auto* judge : {&scan.judge, &inspect.judge})
      if (judge->settings.warn_days < judge->settings.crit_days)
        throw InputError("--warn-days " + std::to_string(judge->settings.warn_days) + " is below --crit-days " +
                         std::to_string(judge->settings.crit_days) +
                         ": a certificate would turn critical before it ever warned (e.g. --warn-days 30 --crit-days 7)");
    if (app.got_subcommand("demo")) {
      demo.format = chosen;
      return stp::app::run_demo_command(demo);
    }
    if (app.got_subcommand("inventory")) {
      inventory.report.format = chosen;
      return stp::app::run_inventory_command(inventory);
    }
    if (app.got_subcommand("diff")) {
      diff.report.format = chosen;
      return stp::app::run_diff_command(diff);
    }
    if (app.got_subcommand("inspect")) {
      inspect.report.format = chosen;
      return stp::app::run_inspect_command(inspect);
    }
    scan.report.format = chosen;
    return stp::app::run_scan_command(scan);
  }

  CLI::App app{"starttls-probe: checks, from outside, that SMTP endpoints offer STARTTLS with the right "
               "certificate (Exchange events 12014/12016/12018, remotely)",
               "starttls-probe"};
  std::string format = "text";
  stp::app::ScanCommand scan;
  stp::app::CheckCommand check;
  stp::app::ServeCommand serve;
  stp::app::InspectCommand inspect;
  stp::app::InventoryCommand inventory;
  stp::app::DiffCommand diff;
  stp::app::ReportOptions demo;
};

}  // namespace

// Run under the name check_starttls (a symlink), the command line is that of `check`.
std::vector<char*> plugin_arguments(int argc, char** argv, std::string& check_word) {
  std::vector<char*> args(argv, argv + argc);
  std::string_view name = argc > 0 ? argv[0] : "";
  if (auto slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  if (name == "check_starttls") args.insert(args.begin() + 1, check_word.data());
  return args;
}

int main(int raw_argc, char** raw_argv) {
  // First, before any certificate or key exists in the process (keys/builtin_keys.cpp says why).
  stp::keys::use_builtin_key_decoding();
  std::string check_word = "check";
  std::vector<char*> args = plugin_arguments(raw_argc, raw_argv, check_word);
  int argc = static_cast<int>(args.size());
  char** argv = args.data();
  CommandLine command_line;
  const bool plugin = argc > 1 && std::string_view(argv[1]) == "check";  // check speaks nagios only
  const bool nagios = plugin || asks_for_nagios(argc, argv);
  try {
    check_command_word(command_line.app, argc, argv);
    command_line.app.parse(argc, argv);
    return command_line.run();
  } catch (const CLI::ParseError& e) {
    // --help, --version; a plugin's help and version exit UNKNOWN, as the guidelines' plugins do.
    if (e.get_exit_code() == 0) {
      command_line.app.exit(e);
      return plugin ? exit_unknown : 0;
    }
    return fail_line(std::string(e.what()) + " (see --help)", nagios);
  } catch (const InputError& e) {
    return fail_line(e.what(), nagios);
  } catch (const stp::app::OutputClosed&) {
    return exit_unknown;  // the reader left (| head): nothing to say, nobody to say it to
  } catch (const std::exception& e) {
    return fail_line(std::string("error: ") + e.what(), nagios);
  }
}
