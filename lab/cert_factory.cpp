#include "lab/cert_factory.hpp"

#include <algorithm>
#include <stdexcept>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "core/der.hpp"
#include "core/text.hpp"

namespace stp::lab {
namespace {

void check(int ok, const char* what) {
  if (ok <= 0) throw std::runtime_error(std::string(what) + ": " + core::take_openssl_error());
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  core::UniqueX509Ext extension(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!extension) throw std::runtime_error("extension " + value + ": " + core::take_openssl_error());
  check(X509_add_ext(cert, extension.get(), -1), "X509_add_ext");
}


}  // namespace

core::UniqueEvpPkey make_key(const KeySpec& spec) {
  EVP_PKEY* key = nullptr;
  if (spec.kind == KeySpec::Kind::rsa_pss) {
    core::UniqueEvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA-PSS", nullptr));
    if (ctx && EVP_PKEY_keygen_init(ctx.get()) == 1 && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), spec.rsa_bits) == 1)
      EVP_PKEY_generate(ctx.get(), &key);
  } else {
    key = spec.kind == KeySpec::Kind::rsa ? EVP_RSA_gen(static_cast<unsigned>(spec.rsa_bits)) : EVP_EC_gen("prime256v1");
  }
  if (key == nullptr) throw std::runtime_error("key generation: " + core::take_openssl_error());
  return core::UniqueEvpPkey(key);
}

CertSpec ca_spec(const std::string& common_name) {
  CertSpec spec;
  spec.common_name = common_name;
  spec.is_ca = true;
  return spec;
}

CertSpec server_spec(const std::string& fqdn) {
  CertSpec spec;
  spec.common_name = fqdn;
  spec.dns_names = {fqdn};
  spec.extended_key_usage = {"serverAuth"};
  spec.key_usage = "digitalSignature";
  spec.valid_until = std::chrono::hours(24 * 200);
  return spec;
}

Credential issue_certificate(const CertSpec& spec, const Credential* issuer) {
  Credential result;
  result.key = make_key(spec.key);
  result.certificate.reset(X509_new());
  X509* cert = result.certificate.get();
  check(X509_set_version(cert, X509_VERSION_3), "X509_set_version");

  unsigned char serial_bytes[16];
  check(RAND_bytes(serial_bytes, sizeof serial_bytes), "RAND_bytes");
  serial_bytes[0] &= 0x7f;  // positive
  core::UniqueBignum serial(BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr));
  check(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) != nullptr, "serial");

  X509_gmtime_adj(X509_getm_notBefore(cert), static_cast<long>(spec.valid_from.count()));
  X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(spec.valid_until.count()));

  X509_NAME* subject = X509_get_subject_name(cert);
  auto add_entry = [&](const char* field, const std::string& value) {
    // Printable ASCII as OpenSSL would choose the string type; anything else as raw UTF8String
    // bytes, unchecked, as a hostile CA may write them.
    bool plain = std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
    check(X509_NAME_add_entry_by_txt(subject, field, plain ? MBSTRING_UTF8 : V_ASN1_UTF8STRING,
                                     reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0),
          "subject");
  };
  if (!spec.organization.empty()) add_entry("O", spec.organization);
  if (spec.common_name) add_entry("CN", *spec.common_name);

  X509* signer_cert = issuer ? issuer->certificate.get() : cert;
  EVP_PKEY* signer_key = issuer ? issuer->key.get() : result.key.get();
  check(X509_set_issuer_name(cert, X509_get_subject_name(signer_cert)), "issuer");
  check(X509_set_pubkey(cert, result.key.get()), "X509_set_pubkey");

  add_extension(cert, signer_cert, NID_basic_constraints, spec.is_ca ? "critical,CA:TRUE" : "CA:FALSE");
  add_extension(cert, signer_cert, NID_subject_key_identifier, "hash");
  if (issuer) add_extension(cert, signer_cert, NID_authority_key_identifier, "keyid:always");
  std::string key_usage = spec.is_ca && spec.key_usage.empty() ? "keyCertSign,cRLSign" : spec.key_usage;
  if (!key_usage.empty()) add_extension(cert, signer_cert, NID_key_usage, "critical," + key_usage);
  if (!spec.extended_key_usage.empty())
    add_extension(cert, signer_cert, NID_ext_key_usage, core::join(spec.extended_key_usage, ","));
  std::string alt_names = core::join(spec.dns_names, ",", "DNS:");
  if (!spec.ip_addresses.empty()) alt_names += (alt_names.empty() ? "" : ",") + core::join(spec.ip_addresses, ",", "IP:");
  if (!alt_names.empty()) add_extension(cert, signer_cert, NID_subject_alt_name, alt_names);

  const EVP_MD* digest = EVP_get_digestbyname(spec.digest.c_str());
  if (digest == nullptr) throw std::runtime_error("unknown digest " + spec.digest);
  check(X509_sign(cert, signer_key, digest), "X509_sign");
  return result;
}

std::string Credential::certificate_pem() const {
  core::UniqueBio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), certificate.get());
  return core::bio_text(bio.get());
}

std::string Credential::certificate_der() const { return core::der_of(certificate.get(), i2d_X509); }

std::string Credential::key_pem() const {
  core::UniqueBio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return core::bio_text(bio.get());
}

}  // namespace stp::lab
