#define OPENSSL_SUPPRESS_DEPRECATED  // ENGINE_get_pkey_meth_engine, to see the switch of probe/key_decoding.cpp
#include <regex>

#include <catch2/catch.hpp>
#include <openssl/engine.h>
#include <openssl/err.h>

#include "lab/cert_factory.hpp"
#include "probe/key_decoding.hpp"
#include "tls/certificate.hpp"

using namespace stp;

TEST_CASE("certificate facts: names, domains, key, usages, fingerprints", "[tls][certificate]") {
  lab::CertSpec ca_spec;
  ca_spec.common_name = "Test Root";
  ca_spec.is_ca = true;
  auto ca = lab::issue_certificate(ca_spec, nullptr);

  lab::CertSpec spec;
  spec.common_name = "mail.contoso.com";
  spec.dns_names = {"MAIL.contoso.com", "autodiscover.contoso.com"};
  spec.ip_addresses = {"192.0.2.10", "2001:db8::10"};
  spec.extended_key_usage = {"serverAuth", "clientAuth"};
  spec.key_usage = "digitalSignature,keyEncipherment";
  spec.key = {lab::KeySpec::Kind::rsa, 2048};
  spec.valid_from = std::chrono::seconds(-3600);
  spec.valid_until = std::chrono::seconds(86400);
  auto leaf = lab::issue_certificate(spec, &ca);

  auto facts = tls::describe_certificate(leaf.certificate_der());
  CHECK(facts.subject == "CN=mail.contoso.com, O=starttls-probe lab");
  CHECK(facts.issuer == "CN=Test Root, O=starttls-probe lab");
  CHECK(facts.subject_cn == "mail.contoso.com");
  CHECK(facts.dns_names == std::vector<std::string>{"MAIL.contoso.com", "autodiscover.contoso.com"});
  CHECK(facts.ip_addresses == std::vector<std::string>{"192.0.2.10", "2001:db8::10"});
  // CN first, then SANs, each name once (case-insensitively), as Exchange lists CertificateDomains.
  CHECK(facts.certificate_domains == std::vector<std::string>{"mail.contoso.com", "autodiscover.contoso.com"});
  CHECK(facts.key_type == "RSA");
  CHECK(facts.key_bits == 2048);
  CHECK(facts.signature_algorithm == "ecdsa-with-SHA256");  // the issuer's key signs
  CHECK(facts.extended_key_usage == std::vector<std::string>{"serverAuth", "clientAuth"});
  CHECK(facts.key_usage == std::vector<std::string>{"digitalSignature", "keyEncipherment"});
  CHECK(facts.has_key_usage);
  CHECK(facts.has_extended_key_usage);
  CHECK_FALSE(facts.is_ca);
  CHECK_FALSE(facts.self_signed);
  CHECK(facts.version == 3);
  CHECK(facts.not_after - facts.not_before == 86400 + 3600);
  CHECK(std::regex_match(facts.sha1, std::regex("[0-9A-F]{40}")));
  CHECK(std::regex_match(facts.sha256, std::regex("[0-9a-f]{64}")));
  CHECK(std::regex_match(facts.serial, std::regex("[0-9A-F]+")));
  CHECK(facts.pem.rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0);
  CHECK(facts.der == leaf.certificate_der());

  auto root = tls::describe_certificate(ca.certificate_der());
  CHECK(root.is_ca);
  CHECK(root.self_signed);
  CHECK(root.key_type == "EC");
  CHECK(root.key_bits == 256);
  CHECK(root.key_usage == std::vector<std::string>{"keyCertSign", "cRLSign"});
}

TEST_CASE("a certificate without SAN or EKU has empty lists and flags unset", "[tls][certificate]") {
  lab::CertSpec spec;
  spec.common_name = "cn-only.contoso.com";
  spec.digest = "SHA1";
  auto cert = lab::issue_certificate(spec, nullptr);
  auto facts = tls::describe_certificate(cert.certificate_der());
  CHECK(facts.dns_names.empty());
  CHECK(facts.certificate_domains == std::vector<std::string>{"cn-only.contoso.com"});
  CHECK_FALSE(facts.has_extended_key_usage);
  CHECK_FALSE(facts.has_key_usage);
  CHECK(facts.self_signed);
  CHECK(facts.signature_algorithm == "ecdsa-with-SHA1");
}

TEST_CASE("the same fingerprints as openssl x509 -fingerprint would print", "[tls][certificate]") {
  // SHA-1 and SHA-256 of the DER: recompute independently with EVP.
  auto cert = lab::issue_certificate(lab::CertSpec{}, nullptr);
  std::string der = cert.certificate_der();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(der.data(), der.size(), digest, &length, EVP_sha1(), nullptr);
  char first[3];
  std::snprintf(first, sizeof first, "%02X", digest[0]);
  auto facts = tls::describe_certificate(der);
  CHECK(facts.sha1.substr(0, 2) == first);
  CHECK(facts.sha1.size() == 2 * length);
}

TEST_CASE("bytes that are not a certificate are an error, not a crash", "[tls][certificate]") {
  CHECK_THROWS_AS(tls::describe_certificate(""), tls::CertificateError);
  CHECK_THROWS_AS(tls::describe_certificate("\x30\x82\x01\x00garbage"), tls::CertificateError);
  CHECK(tls::describe_name("nonsense") == "(unreadable name)");
}

TEST_CASE("times are RFC 3339 UTC", "[tls][certificate]") {
  CHECK(tls::format_time(0) == "1970-01-01T00:00:00Z");
  CHECK(tls::format_time(1798761600) == "2027-01-01T00:00:00Z");
}

namespace {

tls::UniqueX509 parse_der(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return tls::UniqueX509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

// Whether an ENGINE claims key type `type` (the switch x509_pubkey_decode looks at in OpenSSL 3.0).
bool claimed(int type) {
  ENGINE* engine = ENGINE_get_pkey_meth_engine(type);
  ENGINE_finish(engine);
  return engine != nullptr;
}

}  // namespace

TEST_CASE("certificate keys are decoded by OpenSSL's built-in RSA and EC code, and still verify", "[tls][certificate]") {
  REQUIRE(probe::use_builtin_key_decoding());  // tests/main.cpp switched it on first, as main() does
  CHECK(claimed(EVP_PKEY_RSA));
  CHECK(claimed(EVP_PKEY_EC));
  CHECK_FALSE(claimed(EVP_PKEY_ED25519));  // other key types keep OpenSSL 3.0's decoders

  using Kind = lab::KeySpec::Kind;
  for (auto [ca_kind, leaf_kind] : {std::pair{Kind::ec_p256, Kind::rsa}, std::pair{Kind::rsa, Kind::ec_p256}}) {
    lab::CertSpec ca_spec;
    ca_spec.common_name = "Test Root";
    ca_spec.is_ca = true;
    ca_spec.key = {ca_kind, 2048};
    auto ca = lab::issue_certificate(ca_spec, nullptr);
    lab::CertSpec spec;
    spec.common_name = "mail.contoso.com";
    spec.key = {leaf_kind, 2048};
    std::string leaf_der = lab::issue_certificate(spec, &ca).certificate_der();

    auto issuer = parse_der(ca.certificate_der());
    auto leaf = parse_der(leaf_der);
    REQUIRE(issuer);
    REQUIRE(leaf);
    CHECK(X509_verify(leaf.get(), X509_get0_pubkey(issuer.get())) == 1);
    CHECK(tls::describe_certificate(leaf_der).key_type == (leaf_kind == Kind::rsa ? "RSA" : "EC"));
    CHECK(tls::describe_certificate(leaf_der).key_bits == (leaf_kind == Kind::rsa ? 2048 : 256));

    std::string forged = leaf_der;
    forged[forged.size() - 5] = static_cast<char>(forged[forged.size() - 5] ^ 0x01);  // inside the signature
    auto bad = parse_der(forged);
    REQUIRE(bad);
    CHECK(X509_verify(bad.get(), X509_get0_pubkey(issuer.get())) != 1);
    ERR_clear_error();
  }
}

TEST_CASE("an ECDSA check is answered from memory only for the same key, digest and signature", "[tls][certificate]") {
  REQUIRE(probe::use_builtin_key_decoding());
  lab::CertSpec ca_spec;
  ca_spec.common_name = "Test Root";
  ca_spec.is_ca = true;
  auto ca = lab::issue_certificate(ca_spec, nullptr);
  auto other_ca = lab::issue_certificate(ca_spec, nullptr);  // the same name, another key
  lab::CertSpec spec;
  spec.common_name = "mail.contoso.com";
  std::string leaf_der = lab::issue_certificate(spec, &ca).certificate_der();
  std::string forged_der = leaf_der;
  forged_der[forged_der.size() - 5] = static_cast<char>(forged_der[forged_der.size() - 5] ^ 0x01);

  auto issuer = parse_der(ca.certificate_der());
  auto other_issuer = parse_der(other_ca.certificate_der());
  auto verify = [](const std::string& der, X509* by) {
    auto cert = parse_der(der);
    int answer = X509_verify(cert.get(), X509_get0_pubkey(by));
    ERR_clear_error();
    return answer;
  };
  std::size_t before = probe::remembered_signature_checks();
  CHECK(verify(leaf_der, issuer.get()) == 1);
  CHECK(probe::remembered_signature_checks() == before);  // first time: checked
  CHECK(verify(leaf_der, issuer.get()) == 1);
  CHECK(probe::remembered_signature_checks() == before + 1);  // again: remembered
  CHECK(verify(forged_der, issuer.get()) != 1);               // another signature: checked, and wrong
  CHECK(verify(leaf_der, other_issuer.get()) != 1);           // another key: checked, and wrong
  CHECK(probe::remembered_signature_checks() == before + 1);
  CHECK(verify(forged_der, issuer.get()) != 1);  // a wrong answer is remembered as wrong
  CHECK(probe::remembered_signature_checks() == before + 2);
  CHECK(verify(leaf_der, issuer.get()) == 1);
}
