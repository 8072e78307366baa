#define OPENSSL_SUPPRESS_DEPRECATED  // ENGINE_get_pkey_meth_engine, to see the switch of probe/key_decoding.cpp
#include <regex>

#include <catch2/catch.hpp>
#include <openssl/engine.h>
#include <openssl/err.h>

#include "lab/cert_factory.hpp"
#include "keys/builtin_keys.hpp"
#include "tls/certificate.hpp"

using namespace stp;

TEST_CASE("certificate facts: names, domains, key, usages, fingerprints", "[tls][certificate]") {
  lab::CertSpec ca_spec = lab::ca_spec("Test Root");
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
  // SHA-1 (Exchange's Thumbprint, upper case) and SHA-256 (lower case) of the DER, every byte,
  // recomputed independently with EVP.
  auto cert = lab::issue_certificate(lab::CertSpec{}, nullptr);
  std::string der = cert.certificate_der();
  auto hex = [&](const EVP_MD* md, const char* format) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(der.data(), der.size(), digest, &length, md, nullptr);
    std::string out;
    char pair[3];
    for (unsigned int i = 0; i < length; ++i) {
      std::snprintf(pair, sizeof pair, format, digest[i]);
      out += pair;
    }
    return out;
  };
  auto facts = tls::describe_certificate(der);
  CHECK(facts.sha1 == hex(EVP_sha1(), "%02X"));
  CHECK(facts.sha256 == hex(EVP_sha256(), "%02x"));
  CHECK(facts.sha1.size() == 40);
  CHECK(facts.sha256.size() == 64);
}

TEST_CASE("CertificateDomains holds each of thousands of names once, ASCII case aside", "[tls][certificate]") {
  lab::CertSpec spec;
  spec.common_name = "HOST0.contoso.test";
  for (int i = 0; i < 3000; ++i) spec.dns_names.push_back((i % 2 ? "HOST" : "host") + std::to_string(i / 2) + ".contoso.test");
  auto facts = tls::describe_certificate(lab::issue_certificate(spec, nullptr).certificate_der());
  CHECK(facts.dns_names.size() == 3000);
  REQUIRE(facts.certificate_domains.size() == 1500);
  CHECK(facts.certificate_domains[0] == "HOST0.contoso.test");  // the CN first, as Exchange lists them
  CHECK(facts.certificate_domains[1] == "host1.contoso.test");
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

core::UniqueX509 parse_der(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return core::UniqueX509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

// Whether an ENGINE claims key type `type` (the switch x509_pubkey_decode looks at in OpenSSL 3.0).
bool claimed(int type) {
  ENGINE* engine = ENGINE_get_pkey_meth_engine(type);
  ENGINE_finish(engine);
  return engine != nullptr;
}

}  // namespace

TEST_CASE("certificate keys decode and verify on the path in use (built-in methods or provider decoders)", "[tls][certificate]") {
  // tests/main.cpp switched the built-in methods on first, as main() does, unless the build has no
  // engine or STARTTLS_PROBE_BUILTIN_KEYS=0 (CI runs the suite both ways).
  bool builtin = keys::use_builtin_key_decoding();
  INFO("key decoding: " << keys::key_decoding_path());
  CHECK(claimed(EVP_PKEY_RSA) == builtin);
  CHECK(claimed(EVP_PKEY_EC) == builtin);
  CHECK_FALSE(claimed(EVP_PKEY_ED25519));  // other key types keep OpenSSL 3.0's decoders

  using Kind = lab::KeySpec::Kind;
  for (auto [ca_kind, leaf_kind] : {std::pair{Kind::ec_p256, Kind::rsa}, std::pair{Kind::rsa, Kind::ec_p256},
                                    std::pair{Kind::ec_p256, Kind::rsa_pss}}) {
    lab::CertSpec ca_spec = lab::ca_spec("Test Root");
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
    const char* type = leaf_kind == Kind::rsa ? "RSA" : leaf_kind == Kind::rsa_pss ? "RSA-PSS" : "EC";
    CHECK(tls::describe_certificate(leaf_der).key_type == type);
    CHECK(tls::describe_certificate(leaf_der).key_bits == (leaf_kind == Kind::ec_p256 ? 256 : 2048));

    std::string forged = leaf_der;
    forged[forged.size() - 5] = static_cast<char>(forged[forged.size() - 5] ^ 0x01);  // inside the signature
    auto bad = parse_der(forged);
    REQUIRE(bad);
    CHECK(X509_verify(bad.get(), X509_get0_pubkey(issuer.get())) != 1);
    ERR_clear_error();
  }
}

namespace {

struct SignedLeaf {
  lab::Credential ca;
  std::string leaf_der;
};

SignedLeaf ec_signed_leaf() {
  lab::CertSpec ca_spec = lab::ca_spec("Test Root");
  SignedLeaf out{lab::issue_certificate(ca_spec, nullptr), {}};
  lab::CertSpec spec;
  spec.common_name = "mail.contoso.com";
  out.leaf_der = lab::issue_certificate(spec, &out.ca).certificate_der();
  return out;
}

int verify(const std::string& der, X509* by) {
  auto cert = parse_der(der);
  int answer = X509_verify(cert.get(), X509_get0_pubkey(by));
  ERR_clear_error();
  return answer;
}

}  // namespace

TEST_CASE("an ECDSA check is answered from memory only for the same key, digest and valid signature", "[tls][certificate]") {
  auto [ca, leaf_der] = ec_signed_leaf();
  lab::CertSpec ca_spec = lab::ca_spec("Test Root");
  auto other_ca = lab::issue_certificate(ca_spec, nullptr);  // the same name, another key
  std::string forged_der = leaf_der;
  forged_der[forged_der.size() - 5] = static_cast<char>(forged_der[forged_der.size() - 5] ^ 0x01);
  auto issuer = parse_der(ca.certificate_der());
  auto other_issuer = parse_der(other_ca.certificate_der());

  std::size_t remembered = keys::use_builtin_key_decoding() ? 1 : 0;  // the provider path remembers nothing
  std::size_t before = keys::remembered_signature_checks().hits;
  CHECK(verify(leaf_der, issuer.get()) == 1);
  CHECK(keys::remembered_signature_checks().hits == before);  // first time: checked
  CHECK(verify(leaf_der, issuer.get()) == 1);
  CHECK(keys::remembered_signature_checks().hits == before + remembered);  // again: remembered
  CHECK(verify(forged_der, issuer.get()) != 1);      // another signature: checked, and wrong
  CHECK(verify(leaf_der, other_issuer.get()) != 1);  // another key: checked, and wrong
  CHECK(verify(forged_der, issuer.get()) != 1);      // a wrong answer is never remembered: checked again
  CHECK(keys::remembered_signature_checks().hits == before + remembered);
  CHECK(verify(leaf_der, issuer.get()) == 1);
}

TEST_CASE("the memory of ECDSA answers is bounded whatever signatures servers send", "[tls][certificate]") {
  auto [ca, leaf_der] = ec_signed_leaf();
  auto issuer = parse_der(ca.certificate_der());
  EVP_PKEY* key = X509_get0_pubkey(issuer.get());
  core::UniqueEvpPkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  REQUIRE(EVP_PKEY_verify_init(ctx.get()) == 1);
  auto before = keys::remembered_signature_checks();
  // 300 different 60 KB "signatures" (a server controls them all) and 300 wrong small ones.
  std::string digest(32, '\x5a');
  for (int i = 0; i < 300; ++i) {
    std::string huge(60000, static_cast<char>(i));
    huge[0] = 0x30;
    int answer = EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(huge.data()), huge.size(),
                                 reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
    CHECK(answer != 1);
    std::string wrong = "\x30\x06\x02\x01" + std::string(1, static_cast<char>(i | 1)) + "\x02\x01\x01";
    answer = EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(wrong.data()), wrong.size(),
                             reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
    CHECK(answer != 1);
  }
  ERR_clear_error();
  auto after = keys::remembered_signature_checks();
  CHECK(after.entries == before.entries);  // nothing invalid is held
  CHECK(after.bytes == before.bytes);
  // A valid signature is held, at a size set by the curve, not by the server.
  CHECK(verify(leaf_der, issuer.get()) == 1);
  auto held = keys::remembered_signature_checks();
  if (keys::use_builtin_key_decoding()) {
    CHECK(held.entries == after.entries + 1);
    CHECK(held.bytes - after.bytes <= 4 + 4 + 65 + 4 + 64 + 4 + 72);  // curve, P-256 point, digest, DER signature
  } else {
    CHECK(held.entries == 0);
  }
}
