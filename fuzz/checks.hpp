#pragma once
// What each fuzz target checks on one input. The same functions run under libFuzzer
// (fuzz/run.sh) and over the saved inputs in testdata/fuzz/ in the ordinary test suite, so every
// input that once broke something stays a regression test. A violated property aborts.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace stp::fuzz {

void check_reply(const std::uint8_t* data, std::size_t size);             // SMTP reply parser
void check_target_line(const std::uint8_t* data, std::size_t size);       // target and targets-file line parser
void check_certificate(const std::uint8_t* data, std::size_t size);       // certificate analysis on arbitrary DER
void check_certificate_file(const std::uint8_t* data, std::size_t size);  // PEM / DER / PKCS#12 file parser
void check_escape(const std::uint8_t* data, std::size_t size);            // UTF-8 and terminal escaping
void check_inventory(const std::uint8_t* data, std::size_t size);         // Exchange exports, prediction, targets
void check_dns_records(const std::uint8_t* data, std::size_t size);       // MX and TLSA record data, DANE matching

// name -> function, for the regression runner and the fuzz executables.
using Check = void (*)(const std::uint8_t*, std::size_t);
Check check_named(std::string_view name);

}  // namespace stp::fuzz
