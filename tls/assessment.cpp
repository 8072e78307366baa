#include "tls/assessment.hpp"

#include <algorithm>

#include "tls/checks.hpp"
#include "tls/exchange_events.hpp"

namespace stp::tls {
namespace {

std::string who_of(const probe::Target& target) {
  return target.connector ? "Connector '" + *target.connector + "' (" + target.text + ")"
                          : "The connector at " + target.text;
}

// The verdict's order (most severe first, stable within a severity), the status and the events.
void conclude(Assessment& result, std::string who, const std::optional<std::string>& fqdn,
              std::vector<Finding> findings) {
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  result.findings = std::move(findings);
  result.status = status_of(result.findings);

  EventContext context;
  context.who = std::move(who);
  context.fqdn = fqdn;
  context.leaf = result.chain.empty() ? nullptr : &result.chain.front();
  context.name_match = result.verification ? result.verification->name_match : NameMatch::none;
  result.exchange_events = exchange_events(result.findings, context);
}

// Certificate findings, then the verdict.
void finish(Assessment& result, std::string who, const std::optional<std::string>& fqdn,
            const Judge& judge, std::int64_t now, std::vector<Finding> findings) {
  auto certificate = certificate_findings(result.chain, fqdn, judge.anchors, judge.settings, now);
  result.verification = certificate.verification;
  findings.insert(findings.end(), certificate.findings.begin(), certificate.findings.end());
  conclude(result, std::move(who), fqdn, std::move(findings));
}

}  // namespace

std::vector<CertificateFacts> describe_chain(const std::vector<std::string>& chain_der,
                                             const std::vector<probe::SharedX509>& parsed, std::vector<std::string>* errors) {
  std::vector<CertificateFacts> chain;
  for (std::size_t i = 0; i < chain_der.size(); ++i) {
    try {
      chain.push_back(i < parsed.size() && parsed[i] ? describe_certificate(parsed[i]) : describe_certificate(chain_der[i]));
    } catch (const CertificateError& e) {
      if (errors) errors->push_back("certificate " + std::to_string(i) + " of the chain: " + e.what());
    }
  }
  return chain;
}

Assessment assess(const probe::Evidence& evidence, const Judge& judge, std::int64_t now) {
  Assessment result;
  std::vector<std::string> errors;
  result.chain = describe_chain(evidence.tls.chain_der, evidence.tls.chain_parsed, &errors);
  for (const auto& der : evidence.tls.acceptable_ca_names_der) result.acceptable_ca_names.push_back(describe_name(der));
  std::vector<Finding> findings = dialogue_findings(evidence);
  for (const auto& error : errors) findings.push_back({"protocol-error", Severity::unknown, error, ""});
  auto mail_domain = mail_domain_findings(evidence, result.chain, now);
  result.dane = std::move(mail_domain.dane);
  findings.insert(findings.end(), mail_domain.findings.begin(), mail_domain.findings.end());
  bool dane_in_use = result.dane && result.dane->dnssec == probe::Dnssec::secure &&
                     std::any_of(result.dane->records.begin(), result.dane->records.end(), [](const DaneRecord& r) { return r.usable; });
  auto policies = judge_mail_policies(evidence, result.chain, judge.anchors, dane_in_use, now);
  result.mta_sts = std::move(policies.mta_sts);
  result.tls_rpt = std::move(policies.tls_rpt);
  findings.insert(findings.end(), policies.findings.begin(), policies.findings.end());
  finish(result, who_of(evidence.target), evidence.checked_fqdn, judge, now, std::move(findings));
  return result;
}

void add_findings(Assessment& assessment, std::vector<Finding> extra, const probe::Evidence& evidence) {
  if (extra.empty()) return;
  std::vector<Finding> findings = assessment.findings;
  findings.insert(findings.end(), extra.begin(), extra.end());
  conclude(assessment, who_of(evidence.target), evidence.checked_fqdn, std::move(findings));
}

Assessment assess_chain(const std::vector<std::string>& chain_der, const std::optional<std::string>& fqdn,
                        const std::string& label, const Judge& judge, std::int64_t now, const probe::DnsEvidence* dane) {
  Assessment result;
  result.chain = describe_chain(chain_der);
  std::vector<Finding> findings;
  if (dane && fqdn) {
    auto judged = judge_dane(*dane, DanePeer{*fqdn, &result.chain, true, true, "certificate in " + label}, now);
    result.dane = std::move(judged.dane);
    findings = std::move(judged.findings);
  }
  finish(result, "A connector using " + label, fqdn, judge, now, std::move(findings));
  return result;
}

}  // namespace stp::tls
