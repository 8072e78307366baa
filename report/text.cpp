// The text report: one block per endpoint, status and what is wrong first, then the detail;
// a summary at the end. Everything from the network or a certificate goes through terminal_safe().

#include <algorithm>
#include <cstdio>

#include "core/text.hpp"
#include "report/escape.hpp"
#include "report/formats.hpp"
#include "report/inventory_report.hpp"
#include "report/row.hpp"
#include "report/text_style.hpp"

namespace stp::report {
namespace {

std::string safe(const std::optional<std::string>& value, const char* absent = "-") {
  return value ? terminal_safe(*value) : std::string(absent);
}

class TextWriter final : public Writer {
 public:
  TextWriter(Sink sink, const WriterOptions& options)
      : sink_(std::move(sink)), color_(options.color), brief_(options.brief), now_(options.now) {}

  void add(const Result& result) override {
    Row row = row_of(result);
    if (brief_ || row.status != tls::Status::ok) lines_.push_back({row.status, result.position, brief_line(row)});
    if (brief_) return;
    Block block;
    headline(block, row);
    facts(block, row, result);
    findings_and_events(block, *row.assessment);
    block.line("");
    sink_(block.out);
  }

  // --brief: every endpoint's line; else the endpoints that are not OK. Worst first (critical,
  // unknown, warning, ok: the exit code's order), then input order.
  void finish(const tls::Tally& t) override {
    std::stable_sort(lines_.begin(), lines_.end(), [](const Line& a, const Line& b) {
      int a_rank = status_rank(a.status), b_rank = status_rank(b.status);
      return a_rank != b_rank ? a_rank < b_rank : a.position < b.position;
    });
    std::string out;
    if (!brief_ && !lines_.empty()) out += "Not OK, worst first:\n";
    for (const auto& line : lines_) out += (brief_ ? "" : "  ") + line.text + "\n";
    if (!brief_ && !lines_.empty()) out += "\n";
    sink_(out + "Summary: " + std::to_string(t.total()) + (t.total() == 1 ? " endpoint" : " endpoints") + ": " +
          std::to_string(t.ok) + " ok, " + std::to_string(t.warning) + " warning, " + std::to_string(t.critical) +
          " critical, " + std::to_string(t.unknown) + " unknown. Exit code " + std::to_string(t.exit_code()) + ".\n");
  }

 private:
  struct Line {
    tls::Status status;
    std::size_t position;
    std::string text;
  };

  // The target, and for an mx: target the MX host (one result each: the host tells them apart).
  static std::string target_of(const Row& row) {
    return terminal_safe(row.target) + (is_mx_host(row) ? " MX " + terminal_safe(row.host.value_or("")) : std::string());
  }

  // STATUS  target [MX host]  "connector"  worst-finding  N days left
  std::string brief_line(const Row& row) const {
    char status[12];
    std::snprintf(status, sizeof status, "%-8s", status_word(row.status));
    const tls::Finding* worst = worst_finding(row);
    std::string days = row.leaf ? days_left_text(row.leaf->not_after, now_) : std::string("-");
    return colored(row.status, status, color_) + "  " + target_of(row) + "  " +
           (row.connector ? "\"" + terminal_safe(*row.connector) + "\"" : std::string("-")) + "  " +
           (worst == nullptr ? std::string("ok") : worst->code) + "  " + days;
  }

  struct Block {
    std::string out;
    void line(const std::string& text) { out += text + "\n"; }
    void field(const char* label, const std::string& value) {
      char head[16];
      std::snprintf(head, sizeof head, "  %-10s ", label);
      line(head + value);
    }
  };

  // Status, target and connector, then what is most wrong.
  void headline(Block& block, const Row& row) const {
    block.line(colored(row.status, status_word(row.status), color_) + "  " + target_of(row) +
               (row.connector ? "  " + terminal_safe(*row.connector) : ""));
    const tls::Finding* worst = worst_finding(row);
    block.line("  " + (worst == nullptr ? std::string("STARTTLS and certificate as they should be")
                                        : worst->code + ": " + terminal_safe(worst->message)));
  }

  // The FQDNs, the dialogue, trust, the leaf and the inventory's prediction.
  static void facts(Block& block, const Row& row, const Result& result) {
    block.field("FQDN", "expected " + safe(row.expected_fqdn) + ", advertised " + safe(row.advertised_fqdn) +
                            ", checked " + safe(row.checked_fqdn));
    if (const probe::Evidence* ev = row.evidence) {
      mail_domain(block, ev->dns);
      if (ev->address) block.field("Address", terminal_safe(*ev->address) + " port " + std::to_string(ev->target.port) +
                                                 (ev->target.mode == probe::Mode::implicit ? " (implicit TLS)" : " (STARTTLS)"));
      if (!ev->smtp.greeting.empty()) block.field("Greeting", terminal_safe(ev->smtp.greeting.front()));
      if (ev->target.mode == probe::Mode::starttls && !ev->smtp.ehlo.empty())
        block.field("STARTTLS", !ev->smtp.starttls_offered ? std::string("not offered")
                                : ev->smtp.starttls_reply.empty() ? std::string("offered")
                                                                  : "offered, answered " + terminal_safe(ev->smtp.starttls_reply.front()));
      if (ev->tls.established)
        block.field("TLS", safe(ev->tls.version) + ", " + safe(ev->tls.cipher) + ", SNI " + safe(ev->tls.sni, "none"));
    }
    const tls::Assessment& a = *row.assessment;
    if (a.verification)
      block.field("Trust", (a.verification->trusted ? std::string("trusted") : "not trusted (" + terminal_safe(a.verification->error) + ")") +
                               ", name match " + tls::to_string(a.verification->name_match));
    if (row.leaf) {
      const auto& leaf = *row.leaf;
      block.field("Leaf", terminal_safe(leaf.subject));
      block.field("  domains", terminal_safe(core::join(leaf.certificate_domains)));
      block.field("  issuer", terminal_safe(leaf.issuer));
      block.field("  valid", tls::format_time(leaf.not_before) + " to " + tls::format_time(leaf.not_after));
      block.field("  SHA-1", leaf.sha1);
      block.line("    TlsCertificateName " + terminal_safe(leaf.tls_certificate_name()));
    }
    if (const inventory::Prediction* p = result.prediction)
      block.field("Inventory", "predicts " + prediction_summary(*p) + " (" + terminal_safe(p->source) + ")");
    if (a.dane) dane(block, *a.dane);
    if (a.mta_sts) mta_sts(block, *a.mta_sts);
    if (a.tls_rpt) block.field("TLS-RPT", terminal_safe(core::join(a.tls_rpt->rua)));
  }

  // The domain's MTA-STS policy beside this MX host's verdict under it.
  static void mta_sts(Block& block, const tls::MtaStsResult& sts) {
    if (!sts.error.empty()) {
      block.field("MTA-STS", "policy not usable: " + terminal_safe(sts.error));
      return;
    }
    std::string line = "mode " + std::string(sts.mode ? tls::to_string(*sts.mode) : "?") + ", id " +
                       terminal_safe(sts.policy_id) + ", mx " + terminal_safe(core::join(sts.mx_patterns)) +
                       (sts.max_age ? ", max_age " + std::to_string(*sts.max_age) : std::string());
    if (sts.mx_listed) line += *sts.mx_listed ? "; this MX is listed" : "; this MX is NOT listed";
    if (sts.certificate_ok) line += *sts.certificate_ok ? ", its certificate passes" : ", its certificate FAILS";
    block.field("MTA-STS", line);
  }

  // mx:DOMAIN: which MX this is, and how far DNSSEC vouches for it.
  static void mail_domain(Block& block, const probe::DnsEvidence& dns) {
    if (!dns.domain) return;
    std::string mx = terminal_safe(*dns.domain) + ": ";
    if (dns.null_mx) mx += "null MX (accepts no mail)";
    else if (dns.implicit_mx) mx += "no MX, the domain itself (implicit MX)";
    else if (dns.mx_preference) mx += "MX preference " + std::to_string(*dns.mx_preference);
    if (!dns.mx_hosts_same_preference.empty())
      mx += ", equal with " + terminal_safe(core::join(dns.mx_hosts_same_preference)) + " (senders pick at random)";
    block.field("Domain", mx + ", MX records DNSSEC " + std::string(probe::to_string(dns.mx_dnssec)));
  }

  // The TLSA records, which one matched, and the result.
  static void dane(Block& block, const tls::DaneResult& dane) {
    block.field("DANE", dane.result + " (" + terminal_safe(dane.tlsa_name) + ", DNSSEC " +
                            std::string(probe::to_string(dane.dnssec)) + ")" +
                            (dane.matched.empty() ? std::string() : ": " + dane.matched));
    for (const auto& r : dane.records) {
      std::string data = core::hex(std::string_view(r.record.data).substr(0, 32));
      block.line("    TLSA " + std::to_string(r.record.usage) + " " + std::to_string(r.record.selector) + " " +
                 std::to_string(r.record.matching_type) + " " + data + (r.record.data.size() > 32 ? "..." : "") +
                 (r.matched ? "  matched" : r.usable ? "" : "  unusable for SMTP"));
    }
  }

  // Every finding with its fix, then the Exchange events with their steps.
  void findings_and_events(Block& block, const tls::Assessment& a) const {
    if (!a.findings.empty()) {
      block.line("  Findings");
      for (const auto& f : a.findings) {
        char word[16];
        std::snprintf(word, sizeof word, "%-8s", severity_word(f.severity));
        block.line("    " + colored(f.severity, word, color_) + "  " + f.code + ": " + terminal_safe(f.message));
        if (!f.remedy.empty()) block.line("              fix: " + terminal_safe(f.remedy));
      }
    }
    if (a.exchange_events.empty()) return;
    block.line("  Exchange events");
    for (const auto& e : a.exchange_events) {
      block.line("    " + event_label(e) + "  " + terminal_safe(e.summary));
      int step = 0;
      for (const auto& r : e.remediation) block.line("      " + std::to_string(++step) + ". " + terminal_safe(r));
    }
  }

  Sink sink_;
  bool color_;
  bool brief_;
  std::int64_t now_;
  std::vector<Line> lines_;
};

}  // namespace

const char* severity_word(tls::Severity s) {
  switch (s) {
    case tls::Severity::info: return "info";
    case tls::Severity::warning: return "WARNING";
    case tls::Severity::critical: return "CRITICAL";
    case tls::Severity::unknown: return "UNKNOWN";
  }
  return "?";
}

namespace {

const char* color_of(tls::Severity s) {
  switch (s) {
    case tls::Severity::info: return "\x1b[36m";
    case tls::Severity::warning: return "\x1b[33m";
    case tls::Severity::critical: return "\x1b[1;31m";
    case tls::Severity::unknown: return "\x1b[35m";
  }
  return "";
}

tls::Severity severity_of(tls::Status s) {
  switch (s) {
    case tls::Status::ok: return tls::Severity::info;
    case tls::Status::warning: return tls::Severity::warning;
    case tls::Status::critical: return tls::Severity::critical;
    case tls::Status::unknown: return tls::Severity::unknown;
  }
  return tls::Severity::info;
}

}  // namespace

const char* status_word(tls::Status s) { return s == tls::Status::ok ? "OK" : severity_word(severity_of(s)); }

std::string colored(tls::Severity severity, const std::string& text, bool color) {
  return color ? color_of(severity) + text + "\x1b[0m" : text;
}

std::string colored(tls::Status status, const std::string& text, bool color) {
  return colored(severity_of(status), text, color);
}

std::unique_ptr<Writer> make_text_writer(Writer::Sink sink, const WriterOptions& options) {
  return std::make_unique<TextWriter>(std::move(sink), options);
}

}  // namespace stp::report
