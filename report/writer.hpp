#pragma once
// Report formats: each takes results one at a time and writes through a sink.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "probe/evidence.hpp"
#include "inventory/predict.hpp"
#include "tls/assessment.hpp"

namespace stp::report {

enum class Format { text, json, jsonl, csv, nagios, prometheus, junit, html };

// "text", "json", "jsonl", "csv", "nagios", "prometheus", "junit", "html"; nothing for an unknown name.
std::optional<Format> parse_format(std::string_view name);

struct WriterOptions {
  bool color = false;   // text: ANSI colours (only on a terminal, never with NO_COLOR / --no-color)
  int warn_days = 30;   // nagios perfdata thresholds
  int crit_days = 7;
  std::int64_t now = 0; // the clock (Unix seconds) for days left: passed in, so output is reproducible
  bool brief = false;   // text: one line per endpoint, worst first, instead of the blocks
  // json's summary: the tool's version, when the run began and ended (Unix milliseconds; an end of
  // 0 is the moment the report is finished).
  std::string tool_version;
  std::int64_t started_at_ms = 0;
  std::int64_t finished_at_ms = 0;
  // --shard: "K/N", and where it came from when not the command line ("JOB_COMPLETION_INDEX").
  // json's summary and each json/jsonl result carry it; empty: not sharded.
  std::string shard, shard_source;
};

// One endpoint's result, or one certificate file's (inspect: no evidence).
struct Result {
  const probe::Evidence* evidence = nullptr;
  std::string file;                    // inspect: the file judged
  std::optional<std::string> fqdn;     // inspect: --fqdn
  const tls::Assessment* assessment = nullptr;
  std::size_t position = 0;            // order in the input
  const inventory::Prediction* prediction = nullptr;  // scan --inventory: what the export predicts
};

class Writer {
 public:
  using Sink = std::function<void(std::string_view)>;
  static std::unique_ptr<Writer> make(Format format, Sink sink, const WriterOptions& options = {});

  virtual ~Writer() = default;
  virtual void add(const Result& result) = 0;       // streaming formats write here
  virtual void finish(const tls::Tally& tally) = 0;  // whole-document formats write here, and summaries
};

}  // namespace stp::report
