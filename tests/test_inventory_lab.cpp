// scan --inventory end to end: lab endpoints present certificates that an export lists (or not),
// and the wire is compared with Exchange's predicted choice (SPEC §4's inventory findings).

#include <catch2/catch.hpp>

#include <algorithm>

#include "inventory/predict.hpp"
#include "inventory/targets.hpp"
#include "probe_helpers.hpp"
#include "tls/assessment.hpp"

using namespace stp;

namespace {

struct Exported {
  std::string thumbprint, subject, issuer, domains, services = "IIS, SMTP", not_before = "1/1/2026 12:00:00 AM";
  std::string self_signed = "False", private_key = "True";
};

struct Connector {
  std::string name;
  std::uint16_t port;
  std::string fqdn;
  std::string tls_certificate_name;
  std::string auth = "Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer";
};

// An export as Get-ReceiveConnector | Format-List and Get-ExchangeCertificate | Format-List would write it.
std::string export_text(const std::vector<Connector>& connectors, const std::vector<Exported>& certificates) {
  std::string out = "\r\n\r\n";
  for (const auto& c : connectors)
    out += "Name               : " + c.name + "\r\nFqdn               : " + c.fqdn +
           "\r\nBindings           : {[::]:" + std::to_string(c.port) + ", 0.0.0.0:" + std::to_string(c.port) +
           "}\r\nAuthMechanism      : " + c.auth + "\r\nTlsCertificateName : " + c.tls_certificate_name +
           "\r\nServer             : LAB01\r\n\r\n";
  for (const auto& e : certificates)
    out += "CertificateDomains : {" + e.domains + "}\r\nHasPrivateKey      : " + e.private_key +
           "\r\nIsSelfSigned       : " + e.self_signed + "\r\nIssuer             : " + e.issuer +
           "\r\nNotAfter           : 12/31/2099 11:59:59 PM\r\nNotBefore          : " + e.not_before +
           "\r\nServices           : " + e.services + "\r\nSubject            : " + e.subject +
           "\r\nThumbprint         : " + e.thumbprint + "\r\nIdentity           : LAB01.lab.test\\" + e.thumbprint +
           "\r\n\r\n";
  return out;
}

Exported exported(const tls::CertificateFacts& leaf, const std::string& domains) {
  Exported e;
  e.thumbprint = leaf.sha1;
  e.subject = leaf.subject_windows;
  e.issuer = leaf.issuer_windows;
  e.domains = domains;
  return e;
}

struct Outcome {
  tls::Assessment assessment;
  inventory::Prediction prediction;
  bool has(const std::string& code) const {
    return std::any_of(assessment.findings.begin(), assessment.findings.end(),
                       [&](const tls::Finding& f) { return f.code == code; });
  }
  const tls::Finding& finding(const std::string& code) const {
    auto it = std::find_if(assessment.findings.begin(), assessment.findings.end(),
                           [&](const tls::Finding& f) { return f.code == code; });
    REQUIRE(it != assessment.findings.end());
    return *it;
  }
};

// Scans the export's receive connectors (wildcard bindings to 127.0.0.1, as --server would) and
// judges each result as `scan --inventory` does.
std::vector<Outcome> scan_export(const lab::Lab& lab, const std::string& text) {
  inventory::Inventory inv;
  inventory::add_records(inv, inventory::read_format_list(text, "lab-export.txt"));
  auto predictions = inventory::predict(inv, static_cast<std::int64_t>(std::time(nullptr)));
  auto targets = inventory::connector_targets(inv, predictions, std::string("127.0.0.1"));
  tls::TrustAnchors anchors = tls::TrustAnchors::from_pem(lab.ca_pem());
  tls::Judge judge{{}, &anchors};
  std::vector<Outcome> out;
  for (auto& evidence : test::scan(targets)) {
    auto assessment = tls::assess(evidence, judge, static_cast<std::int64_t>(std::time(nullptr)));
    const auto& prediction = predictions.at(evidence.target.inventory.value());
    tls::add_findings(assessment, inventory::inventory_findings(prediction, inv, evidence, assessment), evidence);
    out.push_back({std::move(assessment), prediction});
  }
  return out;
}

}  // namespace

TEST_CASE("inventory and wire agree: no inventory finding, the prediction travels with the result", "[inventory][lab]") {
  lab::Lab lab;
  const auto& healthy = lab.add(lab::Scenario::healthy);
  auto leaf = tls::describe_certificate(healthy.chain_der.at(0));
  auto results = scan_export(lab, export_text({{"Lab Frontend", healthy.port, healthy.fqdn, ""}},
                                              {exported(leaf, healthy.fqdn)}));
  REQUIRE(results.size() == 1);
  const auto& r = results[0];
  CHECK(r.prediction.predicted_thumbprint == leaf.sha1);
  CHECK_FALSE(r.has("not-enabled-for-smtp"));
  CHECK_FALSE(r.has("prediction-differs"));
  CHECK_FALSE(r.has("unknown-certificate"));
  CHECK(r.assessment.status == tls::Status::ok);
}

TEST_CASE("the presented leaf is exported without SMTP: not-enabled-for-smtp, 12014 with Enable-ExchangeCertificate", "[inventory][lab]") {
  lab::Lab lab;
  const auto& healthy = lab.add(lab::Scenario::healthy);
  auto leaf = tls::describe_certificate(healthy.chain_der.at(0));
  auto certificate = exported(leaf, healthy.fqdn);
  certificate.services = "IIS";
  auto results = scan_export(lab, export_text({{"Lab Frontend", healthy.port, healthy.fqdn, ""}}, {certificate}));
  const auto& r = results.at(0);
  CHECK(r.finding("not-enabled-for-smtp").severity == tls::Severity::critical);
  CHECK(r.finding("not-enabled-for-smtp").remedy == "Enable-ExchangeCertificate -Thumbprint " + leaf.sha1 + " -Services SMTP -Server LAB01");
  CHECK(r.assessment.status == tls::Status::critical);
  // The strict model predicts no certificate (12014); the wire shows Exchange loaded it anyway,
  // which not-enabled-for-smtp says: no second finding for the same thing.
  CHECK(r.prediction.predicted_event == 12014);
  CHECK_FALSE(r.has("prediction-differs"));
  auto event = std::find_if(r.assessment.exchange_events.begin(), r.assessment.exchange_events.end(),
                            [](const tls::ExchangeEvent& e) { return e.condition == "certificate-not-valid-for-smtp"; });
  REQUIRE(event != r.assessment.exchange_events.end());
  CHECK(event->id == 12014);
  CHECK(std::find(event->remediation.begin(), event->remediation.end(),
                  "Enable-ExchangeCertificate -Thumbprint " + leaf.sha1 + " -Services SMTP") != event->remediation.end());
}

TEST_CASE("a leaf the export does not know: unknown-certificate", "[inventory][lab]") {
  lab::Lab lab;
  const auto& healthy = lab.add(lab::Scenario::healthy);
  Exported other;
  other.thumbprint = "00112233445566778899AABBCCDDEEFF00112233";
  other.subject = "CN=" + healthy.fqdn;
  other.issuer = "CN=Some CA";
  other.domains = healthy.fqdn;
  auto results = scan_export(lab, export_text({{"Lab Frontend", healthy.port, healthy.fqdn, ""}}, {other}));
  const auto& r = results.at(0);
  CHECK(r.finding("unknown-certificate").severity == tls::Severity::warning);
  CHECK_THAT(r.finding("unknown-certificate").message, Catch::Contains("middlebox"));
  CHECK_FALSE(r.has("prediction-differs"));
  CHECK(r.assessment.status == tls::Status::warning);
}

TEST_CASE("Exchange's rules pick another exported certificate than the one presented: prediction-differs", "[inventory][lab]") {
  lab::Lab lab;
  const auto& healthy = lab.add(lab::Scenario::healthy);
  auto leaf = tls::describe_certificate(healthy.chain_der.at(0));
  Exported newer;
  newer.thumbprint = "FFEEDDCCBBAA99887766554433221100FFEEDDCC";
  newer.subject = "CN=" + healthy.fqdn;
  newer.issuer = leaf.issuer_windows;
  newer.domains = healthy.fqdn;
  newer.not_before = "6/1/2026 12:00:00 AM";
  auto results = scan_export(lab, export_text({{"Lab Frontend", healthy.port, healthy.fqdn, ""}},
                                              {exported(leaf, healthy.fqdn), newer}));
  const auto& r = results.at(0);
  CHECK(r.prediction.predicted_thumbprint == newer.thumbprint);
  CHECK_THAT(r.finding("prediction-differs").message, Catch::Contains(leaf.sha1) && Catch::Contains(newer.thumbprint));
  CHECK(r.assessment.status == tls::Status::warning);
}

TEST_CASE("TlsCertificateName: the presented leaf's value, pasted into the connector, selects it", "[inventory][lab]") {
  lab::Lab lab;
  const auto& healthy = lab.add(lab::Scenario::healthy);
  auto leaf = tls::describe_certificate(healthy.chain_der.at(0));
  auto matching = scan_export(lab, export_text({{"Lab Frontend", healthy.port, healthy.fqdn, leaf.tls_certificate_name()}},
                                               {exported(leaf, healthy.fqdn)}));
  CHECK(matching.at(0).prediction.predicted_thumbprint == leaf.sha1);
  CHECK_THAT(matching.at(0).prediction.rule, Catch::Contains("TlsCertificateName"));
  CHECK_FALSE(matching.at(0).has("prediction-differs"));

  std::string other = "<I>CN=Other CA<S>CN=" + healthy.fqdn;
  auto differing = scan_export(lab, export_text({{"Lab Frontend", healthy.port, healthy.fqdn, other}},
                                                {exported(leaf, healthy.fqdn)}));
  const auto& message = differing.at(0).finding("prediction-differs").message;
  CHECK_THAT(message, Catch::Contains("TlsCertificateName is " + other) &&
                          Catch::Contains("the presented leaf's is " + leaf.tls_certificate_name()));
}

TEST_CASE("the export predicts STARTTLS, the server does not offer it: prediction-differs beside starttls-not-offered", "[inventory][lab]") {
  lab::Lab lab;
  const auto& healthy = lab.add(lab::Scenario::healthy);
  const auto& plain = lab.add(lab::Scenario::no_starttls);
  auto leaf = tls::describe_certificate(healthy.chain_der.at(0));
  auto results = scan_export(lab, export_text({{"Lab Plain", plain.port, healthy.fqdn, ""}}, {exported(leaf, healthy.fqdn)}));
  const auto& r = results.at(0);
  CHECK(r.has("starttls-not-offered"));
  CHECK_THAT(r.finding("prediction-differs").message, Catch::Contains("did not offer STARTTLS"));
}
