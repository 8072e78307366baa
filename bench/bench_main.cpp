// starttls-probe-bench: scans a fleet of lab endpoints served by a separate process and prints
// what the scan cost: probes/s, client CPU per probe against the crypto floor, memory, latency;
// beside it, where installed, openssl s_client and nmap on the same endpoints. Loopback only;
// every run is bounded in count and time.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/json/parse.hpp>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/der.hpp"
#include "core/openssl_ptr.hpp"
#include "keys/builtin_keys.hpp"
#include "lab/cert_factory.hpp"
#include "tls/certificate.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// ---- the crypto floor: the public-key work of one verified TLS 1.3 probe, measured here ----

template <class F>
double microseconds_per(int iterations, F&& f) {
  auto start = Clock::now();
  for (int i = 0; i < iterations; ++i) f();
  return seconds_since(start) * 1e6 / iterations;
}

struct Floor {
  double key_exchange_us;  // X25519 key generation + shared secret (the client's key share)
  double verify_us;        // one ECDSA P-256 signature check
  double total_us() const { return key_exchange_us + 3 * verify_us; }  // CertificateVerify + 2 chain signatures
};

// What parsing one certificate costs in this process: the fleet's CA, DER-encoded, parsed again and again.
double measure_parse(const std::string& ca_pem_path) {
  std::FILE* file = std::fopen(ca_pem_path.c_str(), "r");
  if (!file) return 0;
  stp::core::UniqueX509 cert(PEM_read_X509(file, nullptr, nullptr, nullptr));
  std::fclose(file);
  std::string der = stp::core::der_of(cert.get(), i2d_X509);
  return microseconds_per(2000, [&] {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    stp::core::UniqueX509 parsed(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  });
}

// describe_certificate() on a leaf with `count` DNS names (every other one repeated in upper case):
// CertificateDomains is de-duplicated with a set, linear in the names, not quadratic.
double measure_many_names(std::size_t count) {
  stp::lab::CertSpec spec;
  spec.common_name = "many.contoso.test";
  for (std::size_t i = 0; i < count; ++i)
    spec.dns_names.push_back((i % 2 ? "HOST" : "host") + std::to_string(i / 2) + ".contoso.test");
  std::string der = stp::lab::issue_certificate(spec, nullptr).certificate_der();
  return microseconds_per(20, [&] { (void)stp::tls::describe_certificate(der); }) / 1000.0;
}

Floor measure_floor() {
  using stp::core::UniqueEvpPkey;
  UniqueEvpPkey server(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  double exchange = microseconds_per(2000, [&] {
    UniqueEvpPkey mine(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
    stp::core::UniqueEvpPkeyCtx ctx(EVP_PKEY_CTX_new(mine.get(), nullptr));
    EVP_PKEY_derive_init(ctx.get());
    EVP_PKEY_derive_set_peer(ctx.get(), server.get());
    unsigned char secret[64];
    size_t length = sizeof secret;
    EVP_PKEY_derive(ctx.get(), secret, &length);
  });
  UniqueEvpPkey signer(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  unsigned char message[64] = {1, 2, 3};
  unsigned char signature[128];
  size_t signature_length = sizeof signature;
  stp::core::UniqueEvpMdCtx sign(EVP_MD_CTX_new());
  EVP_DigestSignInit(sign.get(), nullptr, EVP_sha256(), nullptr, signer.get());
  EVP_DigestSign(sign.get(), signature, &signature_length, message, sizeof message);
  double verify = microseconds_per(2000, [&] {
    stp::core::UniqueEvpMdCtx check(EVP_MD_CTX_new());
    EVP_DigestVerifyInit(check.get(), nullptr, EVP_sha256(), nullptr, signer.get());
    EVP_DigestVerify(check.get(), signature, signature_length, message, sizeof message);
  });
  return {exchange, verify};
}

// ---- child processes ----

// execv's argument vector for `args` (which must outlive it).
std::vector<char*> argv_of(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

struct Fleet {
  pid_t pid = -1;
  int stdin_fd = -1;
  ~Fleet() { stop(); }
  void stop() {
    if (pid <= 0) return;
    ::close(stdin_fd);  // the fleet stops when its input closes
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
  }
};

// The CPU time a running process has used so far (user + system), from /proc.
double cpu_seconds_of(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto end_of_name = text.rfind(')');  // the command name may hold spaces; the fields follow it
  if (end_of_name == std::string::npos) return 0;
  std::istringstream fields(text.substr(end_of_name + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// Starts the fleet and waits for its "ready" line, which it returns.
std::string start_fleet(Fleet& fleet, const std::vector<std::string>& args) {
  int in[2], out[2];
  if (::pipe(in) != 0 || ::pipe(out) != 0) throw std::runtime_error("pipe");
  fleet.pid = ::fork();
  if (fleet.pid == 0) {
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::close(in[1]);
    ::close(out[0]);
    auto argv = argv_of(args);
    ::execv(argv[0], argv.data());
    std::perror("exec fleet");
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  fleet.stdin_fd = in[1];
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(out[0]);
  if (line.rfind("ready", 0) != 0) throw std::runtime_error("the fleet did not start: '" + line + "'");
  return line;
}

struct RunResult {
  int exit_code = -1;
  double wall_seconds = 0;
  double cpu_seconds = 0;
  long peak_rss_kib = 0;
};

// Runs a command to its end; its CPU time and peak memory come from wait4's rusage.
RunResult run(const std::vector<std::string>& args, bool quiet_output = false) {
  RunResult result;
  auto start = Clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    if (quiet_output) {
      int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
    }
    auto argv = argv_of(args);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  result.wall_seconds = seconds_since(start);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  result.peak_rss_kib = usage.ru_maxrss;
  return result;
}

struct Latencies {
  std::size_t results = 0, ok = 0;
  double p50 = 0, p99 = 0;
};

Latencies read_results(const std::string& jsonl) {
  Latencies out;
  std::vector<double> totals;
  std::ifstream file(jsonl);
  for (std::string line; std::getline(file, line);) {
    auto result = boost::json::parse(line).as_object();
    ++out.results;
    out.ok += result.at("status").as_string() == "ok";
    const auto& total = result.at("timings_ms").at("total");
    if (total.is_number()) totals.push_back(total.to_number<double>());
  }
  std::sort(totals.begin(), totals.end());
  if (!totals.empty()) {
    out.p50 = totals[totals.size() / 2];
    out.p99 = totals[std::min(totals.size() - 1, totals.size() * 99 / 100)];
  }
  return out;
}

std::vector<std::string> read_lines(const std::string& path, std::size_t limit) {
  std::vector<std::string> lines;
  std::ifstream file(path);
  for (std::string line; lines.size() < limit && std::getline(file, line);) lines.push_back(line);
  return lines;
}

// The path of a results file, with any earlier run's file removed (a failed scan must not leave old results).
std::string fresh(const std::string& path) {
  std::filesystem::remove(path);
  return path;
}

std::size_t probes_in(const std::string& targets_file) {
  std::size_t count = 0;
  std::ifstream file(targets_file);
  for (std::string line; std::getline(file, line);) count += !line.empty();
  return count;
}

// A scan that crashed or lost results gives no figures: say so instead of printing nonsense.
bool scan_completed(const RunResult& run, const Latencies& results, std::size_t expected) {
  if (run.exit_code >= 0 && run.exit_code <= 3 && results.results == expected) return true;  // 0-3: worst status
  std::fprintf(stderr, "starttls-probe-bench: the scan failed (exit %d, %zu of %zu results): no figures\n",
               run.exit_code, results.results, expected);
  return false;
}

bool installed(const std::string& tool) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): the bench has one thread
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"starttls-probe-bench: the scanner against a loopback lab fleet in a separate process"};
  std::size_t probes = 20000, endpoints = 256, concurrency = 256, compare_endpoints = 1000;
  bool memory = false, large = false, compare = false, same_certificate = false;
  std::string work = "/tmp/starttls-probe-bench";
  app.add_option("--probes", probes, "probes in the throughput run")->capture_default_str();
  app.add_option("--endpoints", endpoints, "lab endpoints (one loopback address each)")->capture_default_str();
  app.add_option("--concurrency", concurrency, "scan --concurrency of the throughput run")->capture_default_str();
  app.add_flag("--memory", memory, "also: memory per in-flight probe at --concurrency 5000");
  app.add_flag("--large", large, "also: 100,000 targets with 10% closed ports and 1% silent endpoints");
  app.add_flag("--same-certificate", same_certificate,
               "throughput run: every endpoint presents one certificate, as an Exchange organisation's connectors do "
               "(default: a certificate each under one intermediate, as on the internet)");
  app.add_flag("--compare", compare, "also: openssl s_client and nmap on the same endpoints, where installed");
  app.add_option("--compare-endpoints", compare_endpoints, "endpoints in the --compare runs")->capture_default_str();
  app.add_option("--work-dir", work, "where targets and results go")->capture_default_str();
  std::size_t names = 10000;
  int dns_delay_ms = 50;
  app.add_option("--names", names, "probes by host name in the DNS run (0: no DNS run)")->capture_default_str();
  app.add_option("--dns-delay-ms", dns_delay_ms, "how long the DNS run's name server takes to answer")->capture_default_str();
  unsigned check_runs = 50;
  std::size_t html_endpoints = 10000;
  app.add_option("--html-endpoints", html_endpoints, "endpoints in the html report run (0: none)")->capture_default_str();
  app.add_option("--check-runs", check_runs, "runs of `check` against one loopback endpoint (0: none)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(work);
  const std::string scanner = STARTTLS_PROBE_BIN, fleet_bin = STARTTLS_PROBE_FLEET_BIN;
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);

  std::printf("starttls-probe benchmark: %u cores, %s\n", std::thread::hardware_concurrency(), OPENSSL_VERSION_TEXT);
  Floor floor = measure_floor();
  std::printf("crypto floor: X25519 key share %.1f us + 3 ECDSA P-256 verifications x %.1f us = %.1f us per verified probe\n",
              floor.key_exchange_us, floor.verify_us, floor.total_us());

  // Run 1: throughput, with OpenSSL's built-in key methods (the default) and then without
  // (STARTTLS_PROBE_BUILTIN_KEYS=0: OpenSSL 3.0's provider decoders), on the same fleet.
  double rate = 0;
  {
    std::size_t repeat = (probes + endpoints - 1) / endpoints;
    Fleet fleet;
    std::vector<std::string> fleet_args{fleet_bin, "--healthy", std::to_string(endpoints), "--repeat", std::to_string(repeat),
                                        "--targets-file", work + "/targets.txt", "--ca-file", work + "/ca.pem"};
    if (same_certificate) fleet_args.emplace_back("--same-certificate");
    start_fleet(fleet, fleet_args);
    for (bool builtin_keys : {true, false}) {
      // NOLINTNEXTLINE(concurrency-mt-unsafe): the bench has no other thread; the child inherits it
      if (!builtin_keys) ::setenv("STARTTLS_PROBE_BUILTIN_KEYS", "0", 1);
      double fleet_cpu_before = cpu_seconds_of(fleet.pid);
      auto r = run({scanner, "scan", "--targets", work + "/targets.txt", "--ca-file", work + "/ca.pem", "--format",
                    "jsonl", "-o", fresh(work + "/results.jsonl"), "--concurrency", std::to_string(concurrency), "--quiet"});
      double fleet_cpu = cpu_seconds_of(fleet.pid) - fleet_cpu_before;
      ::unsetenv("STARTTLS_PROBE_BUILTIN_KEYS");  // NOLINT(concurrency-mt-unsafe): as above
      auto l = read_results(work + "/results.jsonl");
      if (!scan_completed(r, l, probes_in(work + "/targets.txt"))) return 1;
      double run_rate = static_cast<double>(l.results) / r.wall_seconds;
      if (builtin_keys) rate = run_rate;
      double cpu_us = r.cpu_seconds * 1e6 / static_cast<double>(l.results);
      std::printf("\nthroughput: %zu STARTTLS probes of %zu lab endpoints (%s), --concurrency %zu (exit %d, %zu ok)\n",
                  l.results, endpoints, same_certificate ? "one certificate for all" : "a certificate each",
                  concurrency, r.exit_code, l.ok);
      std::printf("  key decoding: %s\n", builtin_keys ? "OpenSSL's built-in RSA/EC methods (the default where built)"
                                                       : "OpenSSL 3.0's provider decoders (STARTTLS_PROBE_BUILTIN_KEYS=0)");
      std::printf("  %.2f s wall: %.0f probes/s\n", r.wall_seconds, run_rate);
      std::printf("  client CPU %.0f us per probe = %.2f x the crypto floor\n", cpu_us, cpu_us / floor.total_us());
      std::printf("  the fleet's CPU on the same cores: %.0f us per probe; busy: %.2f of %u cores\n",
                  fleet_cpu * 1e6 / static_cast<double>(l.results), (r.cpu_seconds + fleet_cpu) / r.wall_seconds,
                  std::thread::hardware_concurrency());
      std::printf("  peak RSS %.1f MiB\n", static_cast<double>(r.peak_rss_kib) / 1024);
      std::printf("  probe latency p50 %.1f ms, p99 %.1f ms\n", l.p50, l.p99);
    }
    fleet.stop();
    // OpenSSL 3.0's provider decoders first: the switch to the built-in ones cannot be undone.
    double provider_parse = measure_parse(work + "/ca.pem");
    bool builtin = stp::keys::use_builtin_key_decoding();
    std::printf("\ncertificate parsing (d2i_X509, P-256): %.1f us with %s, %.1f us through OpenSSL 3.0's provider decoders\n",
                measure_parse(work + "/ca.pem"), builtin ? "the built-in key decoding" : "the provider decoders again",
                provider_parse);
    std::printf("certificate facts of a leaf with 9,000 DNS names (CertificateDomains de-duplicated): %.1f ms\n",
                measure_many_names(9000));
  }

  // Run 2: the same probes by host name, their name server answering after 50 ms (nsd serving a
  // signed zone behind the fleet's delaying proxy), against the same probes by address.
  if (names > 0) {
    const std::size_t dns_concurrency = 512;
    Fleet fleet;
    start_fleet(fleet, {fleet_bin, "--healthy", std::to_string(endpoints), "--repeat",
                        std::to_string((names + endpoints - 1) / endpoints), "--targets-file", work + "/dns-fleet.txt",
                        "--ca-file", work + "/ca.pem"});
    // Each target line its own name (no answer comes from a cache), in a zone signed now.
    std::string zone_dir = work + "/zone";
    std::filesystem::remove_all(zone_dir);
    std::filesystem::create_directories(zone_dir);
    // The same names twice: in a signed zone (bench.test) and in an unsigned one (plain.test), as
    // most mail hosts' zones are.
    std::ofstream(zone_dir + "/zones.list") << "bench.test signed\nplain.test unsigned\n";
    std::ofstream zone(zone_dir + "/bench.test.zone"), plain_zone(zone_dir + "/plain.test.zone");
    for (auto [file, origin] : {std::pair{&zone, "bench.test"}, std::pair{&plain_zone, "plain.test"}})
      *file << "$ORIGIN " << origin << ".\n$TTL 3600\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\n";
    std::ofstream name_file(work + "/by-name.txt"), plain_name_file(work + "/by-name-unsigned.txt"),
        address_file(work + "/by-address.txt");
    std::size_t i = 0;
    for (const auto& line : read_lines(work + "/dns-fleet.txt", names)) {
      auto colon = line.find(':');
      std::string name = "n" + std::to_string(i++);
      zone << name << " A " << line.substr(0, colon) << "\n";
      plain_zone << name << " A " << line.substr(0, colon) << "\n";
      name_file << name << ".bench.test" << line.substr(colon) << "\n";
      plain_name_file << name << ".plain.test" << line.substr(colon) << "\n";
      address_file << line << "\n";
    }
    zone.close();
    plain_zone.close();
    name_file.close();
    plain_name_file.close();
    address_file.close();
    const std::string serve = std::string(STARTTLS_PROBE_SOURCE) + "/tests/dns/serve-zones.sh";
    if (run({serve, zone_dir}, true).exit_code != 0) {
      std::fprintf(stderr, "starttls-probe-bench: nsd did not start (scripts/setup.sh installs it): no DNS figures\n");
    } else {
      std::string nsd_port;
      std::ifstream(zone_dir + "/port") >> nsd_port;
      Fleet proxy;
      std::string ready = start_fleet(proxy, {fleet_bin, "--healthy", "0", "--targets-file", work + "/none.txt", "--ca-file",
                                              work + "/none.pem", "--dns-upstream", "127.0.0.1:" + nsd_port,
                                              "--dns-delay-ms", std::to_string(dns_delay_ms)});
      std::string dns_port = ready.substr(ready.rfind(' ') + 1);
      auto scan_of = [&](const std::string& targets, std::vector<std::string> extra) {
        std::vector<std::string> args{scanner, "scan", "--targets", targets, "--ca-file", work + "/ca.pem", "--format",
                                      "jsonl", "-o", fresh(work + "/dns-results.jsonl"), "--concurrency",
                                      std::to_string(dns_concurrency), "--quiet"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto r = run(args);
        return std::make_pair(r, read_results(work + "/dns-results.jsonl"));
      };
      auto [address_run, address_results] = scan_of(work + "/by-address.txt", {});
      pid_t nsd = 0;
      std::ifstream(zone_dir + "/nsd.pid") >> nsd;
      double dns_cpu_before = cpu_seconds_of(proxy.pid) + cpu_seconds_of(nsd);
      auto [name_run, name_results] = scan_of(work + "/by-name.txt", {"--dns-server", "127.0.0.1:" + dns_port,
                                                                        "--dnssec-anchor", zone_dir + "/anchors"});
      double dns_cpu = cpu_seconds_of(proxy.pid) + cpu_seconds_of(nsd) - dns_cpu_before;
      auto [unsigned_run, unsigned_results] = scan_of(work + "/by-name-unsigned.txt",
                                                      {"--dns-server", "127.0.0.1:" + dns_port, "--dnssec-anchor",
                                                       zone_dir + "/anchors"});
      auto [plain_run, plain_results] = scan_of(work + "/by-name.txt", {"--dns-server", "127.0.0.1:" + dns_port,
                                                                          "--dnssec-anchor", "none", "--no-dane"});
      proxy.stop();
      run({serve, "--stop", zone_dir}, true);
      if (!scan_completed(address_run, address_results, names) || !scan_completed(name_run, name_results, names) ||
          !scan_completed(unsigned_run, unsigned_results, names) || !scan_completed(plain_run, plain_results, names))
        return 1;
      double by_address = static_cast<double>(address_results.results) / address_run.wall_seconds;
      double by_names = static_cast<double>(name_results.results) / name_run.wall_seconds;
      std::printf("\nnames: %zu probes by host name, each name answered after %d ms (A, AAAA and TLSA, DNSSEC-validated), "
                  "--concurrency %zu (%zu ok)\n",
                  name_results.results, dns_delay_ms, dns_concurrency, name_results.ok);
      std::printf("  by name %.2f s wall: %.0f probes/s; the same probes by address %.2f s: %.0f probes/s (names cost %+.0f%%)\n",
                  name_run.wall_seconds, by_names, address_run.wall_seconds, by_address, (by_address / by_names - 1) * 100);
      std::printf("  client CPU per probe: %.0f us by name, %.0f us by address; probe latency p50 %.1f ms by name, %.1f ms by address\n",
                  name_run.cpu_seconds * 1e6 / static_cast<double>(name_results.results),
                  address_run.cpu_seconds * 1e6 / static_cast<double>(address_results.results), name_results.p50,
                  address_results.p50);
      std::printf("  the name server and its delaying proxy took %.0f us CPU per name on the same cores\n",
                  dns_cpu * 1e6 / static_cast<double>(name_results.results));
      std::printf("  the same names in an unsigned zone (A, AAAA and TLSA, nothing to validate): %.2f s wall, %.0f probes/s "
                  "(names cost %+.0f%%), %.0f us CPU per probe\n",
                  unsigned_run.wall_seconds, static_cast<double>(unsigned_results.results) / unsigned_run.wall_seconds,
                  (unsigned_run.wall_seconds / address_run.wall_seconds - 1) * 100,
                  unsigned_run.cpu_seconds * 1e6 / static_cast<double>(unsigned_results.results));
      std::printf("  addresses alone (A and AAAA, --dnssec-anchor none --no-dane): %.2f s wall, %.0f probes/s, %.0f us CPU "
                  "per probe\n",
                  plain_run.wall_seconds, static_cast<double>(plain_results.results) / plain_run.wall_seconds,
                  plain_run.cpu_seconds * 1e6 / static_cast<double>(plain_results.results));
    }
  }

  // Run 4: the html report of a large scan: its size, and how long a browser takes to open it.
  if (html_endpoints > 0) {
    Fleet fleet;
    start_fleet(fleet, {fleet_bin, "--healthy", std::to_string(endpoints), "--repeat",
                        std::to_string((html_endpoints + endpoints - 1) / endpoints), "--targets-file", work + "/html-fleet.txt",
                        "--ca-file", work + "/html-ca.pem"});
    std::ofstream targets(work + "/html-targets.txt"), bare(work + "/html-bare.txt");
    for (const auto& line : read_lines(work + "/html-fleet.txt", html_endpoints)) {
      targets << line << "\n";
      bare << line.substr(0, line.find(' ')) << "\n";  // no fqdn=: --fqdn decides
    }
    targets.close();
    bare.close();
    // As scanned (every endpoint OK: one table row each), and judged against a name none of them
    // holds (every endpoint critical: a section each with its findings and Exchange event).
    for (bool all_critical : {false, true}) {
      std::string page = fresh(work + "/report.html");
      std::vector<std::string> args{scanner, "scan", "--targets", work + (all_critical ? "/html-bare.txt" : "/html-targets.txt"),
                                    "--ca-file", work + "/html-ca.pem",
                                    "--format", "html", "-o", page, "--concurrency", std::to_string(concurrency), "--quiet"};
      if (all_critical) args.insert(args.end(), {"--fqdn", "other.contoso.test"});
      RunResult r = run(args);
      std::printf("\nhtml: a report of %zu endpoints, %s: %.1f MiB, the scan that wrote it %.2f s\n", html_endpoints,
                  all_critical ? "every one critical (--fqdn other.contoso.test)" : "every one OK",
                  static_cast<double>(std::filesystem::file_size(page)) / 1048576.0, r.wall_seconds);
      for (const char* browser : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
        if (::access(browser, X_OK) != 0) continue;
        // Loaded, laid out, its script run (the table sorted into pages): what --dump-dom waits for.
        RunResult open = run({browser, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + work + "/chromium",
                              "--dump-dom", "file://" + page}, true);
        std::printf("  Chromium (headless) opens it, runs its script and hands back the page in %.2f s\n", open.wall_seconds);
        break;
      }
    }
  }

  // Run 3: the monitoring plugin, as Nagios runs it: one process per check of one endpoint.
  if (check_runs > 0) {
    Fleet fleet;
    start_fleet(fleet, {fleet_bin, "--healthy", "1", "--targets-file", work + "/check-fleet.txt", "--ca-file",
                        work + "/check-ca.pem"});
    std::string line = read_lines(work + "/check-fleet.txt", 1).at(0);
    std::string endpoint = line.substr(0, line.find(' '));
    std::string host = endpoint.substr(0, endpoint.rfind(':')), port = endpoint.substr(endpoint.rfind(':') + 1);
    auto average = [&](const std::vector<std::string>& args, int expected) {
      RunResult sum;
      for (unsigned i = 0; i < check_runs; ++i) {
        RunResult r = run(args, true);
        if (r.exit_code != expected) throw std::runtime_error(args.at(1) + " exited " + std::to_string(r.exit_code));
        sum.wall_seconds += r.wall_seconds;
        sum.cpu_seconds += r.cpu_seconds;
        sum.peak_rss_kib = std::max(sum.peak_rss_kib, r.peak_rss_kib);
      }
      sum.wall_seconds /= check_runs;
      sum.cpu_seconds /= check_runs;
      return sum;
    };
    RunResult check = average({scanner, "check", "-H", host, "-p", port, "--fqdn", "mail.contoso.test", "--ca-file",
                               work + "/check-ca.pem", "--no-dane"}, 0);
    RunResult version = average({scanner, "--version"}, 0);
    std::printf("\ncheck (one process per check, as Nagios runs it; %u runs against one loopback endpoint):\n", check_runs);
    std::printf("  check: %.1f ms wall, %.1f ms CPU, peak RSS %.1f MiB\n", check.wall_seconds * 1e3, check.cpu_seconds * 1e3,
                static_cast<double>(check.peak_rss_kib) / 1024.0);
    std::printf("  --version (loading, relocation, the allocator's and OpenSSL's start, the command line): %.1f ms wall, "
                "%.1f ms CPU\n", version.wall_seconds * 1e3, version.cpu_seconds * 1e3);
  }

  if (memory) {
    const std::size_t in_flight = 5000, addresses = 500;
    Fleet fleet;
    start_fleet(fleet, {fleet_bin, "--healthy", std::to_string(addresses), "--repeat", std::to_string(in_flight / addresses),
                        "--slow-ms", "3000", "--targets-file", work + "/slow.txt", "--ca-file", work + "/ca.pem"});
    auto base = run({scanner, "scan", "--targets", work + "/slow.txt", "--ca-file", work + "/ca.pem", "--format",
                     "jsonl", "-o", fresh(work + "/base.jsonl"), "--concurrency", "1", "--quiet", "--shard", "0/2500"});
    auto full = run({scanner, "scan", "--targets", work + "/slow.txt", "--ca-file", work + "/ca.pem", "--format",
                     "jsonl", "-o", fresh(work + "/slow.jsonl"), "--concurrency", std::to_string(in_flight), "--per-host",
                     std::to_string(in_flight / addresses), "--quiet"});
    fleet.stop();
    auto l = read_results(work + "/slow.jsonl");
    if (!scan_completed(full, l, probes_in(work + "/slow.txt"))) return 1;
    double per_probe = static_cast<double>(full.peak_rss_kib - base.peak_rss_kib) / static_cast<double>(in_flight);
    std::printf("\nmemory: %zu probes held in flight at once (3 s greeting pause), --concurrency %zu (%zu ok)\n",
                l.results, in_flight, l.ok);
    std::printf("  peak RSS %.1f MiB; %.1f MiB probing one at a time -> %.1f KiB per in-flight probe\n",
                static_cast<double>(full.peak_rss_kib) / 1024, static_cast<double>(base.peak_rss_kib) / 1024, per_probe);
    std::printf("  %.2f s wall for %zu probes that each wait 3 s\n", full.wall_seconds, l.results);
  }

  if (large) {
    const std::size_t total = 100000, closed = 10000, silent = 1000, live = total - closed - silent;
    const std::size_t addresses = 1000;
    const int timeout = 5;
    Fleet fleet;
    start_fleet(fleet, {fleet_bin, "--healthy", std::to_string(addresses), "--repeat", std::to_string(live / addresses),
                        "--silent", std::to_string(silent), "--closed", std::to_string(closed), "--targets-file",
                        work + "/large.txt", "--ca-file", work + "/ca.pem"});
    auto r = run({scanner, "scan", "--targets", work + "/large.txt", "--ca-file", work + "/ca.pem", "--format", "jsonl",
                  "-o", fresh(work + "/large.jsonl"), "--concurrency", "2000", "--timeout", std::to_string(timeout),
                  "--retries", "0", "--quiet"});
    fleet.stop();
    auto l = read_results(work + "/large.jsonl");
    if (!scan_completed(r, l, probes_in(work + "/large.txt"))) return 1;
    double live_alone = static_cast<double>(live) / rate;
    std::printf("\nlarge: %zu targets (%zu healthy, %zu closed ports, %zu silent), --concurrency 2000 --timeout %d\n",
                l.results, live, closed, silent, timeout);
    std::printf("  %.1f s wall; the live probes alone at the throughput run's rate: %.1f s, + one timeout = %.1f s\n",
                r.wall_seconds, live_alone, live_alone + timeout);
    std::printf("  (the sum of the silent endpoints' timeouts would be %zu s)\n", silent * timeout);
    std::printf("  client CPU %.1f s, peak RSS %.1f MiB\n", r.cpu_seconds, static_cast<double>(r.peak_rss_kib) / 1024);
  }

  if (compare) {
    Fleet fleet;
    // One port on every address, so that nmap can be given the hosts and that one port. Port 25 where
    // the fleet may bind it (root, no MTA on it): nmap then knows SMTP by the port and runs ssl-cert
    // without -sV, its fastest way; elsewhere nmap needs -sV to find SMTP on port 40025 (slower).
    std::string port = "40025";
    auto start_compare_fleet = [&](const std::string& on) {
      port = on;
      start_fleet(fleet, {fleet_bin, "--healthy", std::to_string(compare_endpoints), "--port", on, "--targets-file",
                          work + "/compare.txt", "--ca-file", work + "/ca.pem"});
    };
    try {
      if (::geteuid() != 0) throw std::runtime_error("not root");
      start_compare_fleet("25");
    } catch (const std::exception&) {
      fleet.stop();
      start_compare_fleet("40025");
    }
    auto lines = read_lines(work + "/compare.txt", compare_endpoints);
    auto ours = run({scanner, "scan", "--targets", work + "/compare.txt", "--ca-file", work + "/ca.pem", "--format",
                     "jsonl", "-o", fresh(work + "/compare.jsonl"), "--quiet"});
    double our_rate = static_cast<double>(lines.size()) / ours.wall_seconds;
    std::printf("\ncompared on the same %zu endpoints: starttls-probe %.2f s (%.0f probes/s, capture and verdict included)\n",
                lines.size(), ours.wall_seconds, our_rate);
    if (installed("openssl")) {
      auto start = Clock::now();
      std::size_t tried = std::min<std::size_t>(lines.size(), 100);  // one after another is slow: 100 tell the rate
      for (std::size_t i = 0; i < tried; ++i) {
        const auto& line = lines[i];
        std::string endpoint = line.substr(0, line.find(' '));
        run({"sh", "-c", "openssl s_client -starttls smtp -connect " + endpoint + " -servername mail.contoso.test "
                         "</dev/null >/dev/null 2>&1"});
      }
      double seconds = seconds_since(start);
      std::printf("  openssl s_client -starttls smtp, one after another, %zu of them: %.2f s (%.0f probes/s): "
                  "starttls-probe %.1fx\n",
                  tried, seconds, static_cast<double>(tried) / seconds, our_rate * seconds / static_cast<double>(tried));
    } else {
      std::printf("  openssl: not installed\n");
    }
    if (installed("nmap")) {
      std::string hosts;
      for (const auto& line : lines) hosts += " " + line.substr(0, line.rfind(':', line.find(' ')));
      std::string options = port == "25" ? "-p 25 --script ssl-cert" : "-sV --version-light -p 40025 --script ssl-cert";
      auto r = run({"sh", "-c", "nmap -n -Pn " + options + hosts + " -oN " + fresh(work + "/nmap.txt") + " >/dev/null 2>&1"});
      // Count the certificates nmap reported, so that a failed nmap run is not mistaken for a fast one.
      std::size_t certificates = 0;
      std::ifstream report(work + "/nmap.txt");
      for (std::string line; std::getline(report, line);) certificates += line.find("ssl-cert: Subject:") != std::string::npos;
      std::printf("  nmap %s (%s): %.2f s, %zu certificates (%.1f probes/s): starttls-probe %.1fx\n", options.c_str(),
                  port == "25" ? "SMTP by its port, then STARTTLS" : "SMTP found by -sV, then STARTTLS",
                  r.wall_seconds, certificates, static_cast<double>(lines.size()) / r.wall_seconds,
                  our_rate * r.wall_seconds / static_cast<double>(lines.size()));
    } else {
      std::printf("  nmap: not installed (apt-get install nmap to compare)\n");
    }
  }
  return 0;
}
