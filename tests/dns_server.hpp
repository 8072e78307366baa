#pragma once
// A real authoritative DNS server for the tests: Debian's nsd on 127.0.0.1, its zones written by
// the test and DNSSEC-signed as it starts (tests/dns/serve-zones.sh, which the CLI tests use too).

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace stp::test {

class TestDnsServer {
 public:
  struct Zone {
    std::string name;     // "contoso.test"
    std::string how;      // signed, expired, tampered, unsigned (see serve-zones.sh)
    std::string records;  // zone-file lines relative to the zone; SOA, NS and ns A are added
  };

  explicit TestDnsServer(const std::vector<Zone>& zones) {
    char pattern[] = "/tmp/stp-dns-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    std::ofstream list(dir_ + "/zones.list");
    for (const auto& zone : zones) {
      list << zone.name << ' ' << zone.how << '\n';
      std::ofstream file(dir_ + "/" + zone.name + ".zone");
      file << "$ORIGIN " << zone.name << ".\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\n"
           << "ns A 127.0.0.1\n"
           << zone.records << '\n';
    }
    list.close();
    std::string command = script() + " " + dir_ + " >/dev/null";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("the test DNS server did not start (" + command + ")");
    std::ifstream port(dir_ + "/port");
    port >> port_;
  }
  ~TestDnsServer() {
    std::string command = script() + " --stop " + dir_;
    (void)std::system(command.c_str());
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  TestDnsServer(const TestDnsServer&) = delete;
  TestDnsServer& operator=(const TestDnsServer&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }  // for --dns-server
  std::string anchors() const { return dir_ + "/anchors"; }                      // for --dnssec-anchor

 private:
  static std::string script() { return std::string(STARTTLS_PROBE_TESTDATA) + "/../tests/dns/serve-zones.sh"; }

  std::string dir_;
  int port_ = 0;
};

}  // namespace stp::test
