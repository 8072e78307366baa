#include "tls/certificate.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <unordered_set>

#include <arpa/inet.h>
#include <openssl/pem.h>

#include "core/civil_time.hpp"
#include "core/der.hpp"
#include "core/text.hpp"
#include "core/openssl_ptr.hpp"

namespace stp::tls {
namespace {


// Fetched once: an implicit fetch per digest takes OpenSSL 3.0's global locks every time.
const EVP_MD* fetched(Digest kind) {
  static EVP_MD* sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  static EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static EVP_MD* sha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  return kind == Digest::sha1 ? sha1 : kind == Digest::sha256 ? sha256 : sha512;
}

std::string asn1_string_text(const ASN1_STRING* value) {
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, value);
  core::UniqueOpenSslString owner(reinterpret_cast<char*>(utf8));
  if (length < 0) return {};
  return std::string(owner.get(), static_cast<std::size_t>(length));
}

std::int64_t unix_time(const ASN1_TIME* time) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(time, &tm) != 1) return 0;
  return core::unix_seconds(tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1), static_cast<unsigned>(tm.tm_mday),
                            tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string object_name(const ASN1_OBJECT* object) {
  int nid = OBJ_obj2nid(object);
  if (nid != NID_undef) return OBJ_nid2sn(nid);
  std::array<char, 128> buffer{};
  OBJ_obj2txt(buffer.data(), static_cast<int>(buffer.size()), object, 1);
  return buffer.data();
}

void read_subject_alt_names(X509* cert, CertificateFacts& facts) {
  core::UniqueGeneralNames names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      facts.dns_names.push_back(asn1_string_text(name->d.dNSName));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      std::array<char, 64> text{};
      int family = ip->length == 4 ? AF_INET : ip->length == 16 ? AF_INET6 : 0;
      if (family != 0 && inet_ntop(family, ip->data, text.data(), text.size()))
        facts.ip_addresses.emplace_back(text.data());
    }
  }
}

void read_key_usage(X509* cert, CertificateFacts& facts) {
  static constexpr std::array<const char*, 9> names{
      "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
      "keyCertSign",      "cRLSign",        "encipherOnly",    "decipherOnly"};
  core::UniqueAsn1BitString usage(static_cast<ASN1_BIT_STRING*>(X509_get_ext_d2i(cert, NID_key_usage, nullptr, nullptr)));
  if (!usage) return;
  facts.has_key_usage = true;
  for (std::size_t bit = 0; bit < names.size(); ++bit)
    if (ASN1_BIT_STRING_get_bit(usage.get(), static_cast<int>(bit))) facts.key_usage.emplace_back(names[bit]);
}

void read_extended_key_usage(X509* cert, CertificateFacts& facts) {
  core::UniqueExtKeyUsage usage(static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr)));
  if (!usage) return;
  facts.has_extended_key_usage = true;
  for (int i = 0; i < sk_ASN1_OBJECT_num(usage.get()); ++i)
    facts.extended_key_usage.push_back(object_name(sk_ASN1_OBJECT_value(usage.get(), i)));
}

void read_key(X509* cert, CertificateFacts& facts) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr) {
    facts.key_type = "unknown";
    return;
  }
  facts.key_bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: facts.key_type = "RSA"; break;
    case EVP_PKEY_RSA_PSS: facts.key_type = "RSA-PSS"; break;  // as openssl x509 -text names it
    case EVP_PKEY_EC: facts.key_type = "EC"; break;
    case EVP_PKEY_DSA: facts.key_type = "DSA"; break;
    case EVP_PKEY_ED25519: facts.key_type = "Ed25519"; break;
    case EVP_PKEY_ED448: facts.key_type = "Ed448"; break;
    default: facts.key_type = EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "unknown";
  }
}

bool is_self_signed(X509* cert) {
  if (X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) != 0) return false;
  EVP_PKEY* key = X509_get0_pubkey(cert);
  bool verifies = key != nullptr && X509_verify(cert, key) == 1;
  ERR_clear_error();
  return verifies;
}

}  // namespace

CertificateFacts describe_certificate(std::string_view der) {
  const auto* input = reinterpret_cast<const unsigned char*>(der.data());
  std::shared_ptr<X509> cert = core::shared_x509(d2i_X509(nullptr, &input, static_cast<long>(der.size())));
  if (!cert) throw CertificateError("not a DER certificate: " + core::take_openssl_error());
  return describe_certificate(std::move(cert));
}

CertificateFacts describe_certificate(std::shared_ptr<X509> cert) {
  CertificateFacts facts;
  facts.der = core::der_of(cert.get(), i2d_X509);
  facts.subject = name_text(X509_get_subject_name(cert.get()));
  facts.issuer = name_text(X509_get_issuer_name(cert.get()));
  facts.subject_windows = windows_name(X509_get_subject_name(cert.get()));
  facts.issuer_windows = windows_name(X509_get_issuer_name(cert.get()));
  facts.version = static_cast<int>(X509_get_version(cert.get())) + 1;

  const X509_NAME* subject = X509_get_subject_name(cert.get());
  int cn_index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (cn_index >= 0) {
    // The most specific CN is the last one in the name, as Exchange and verifiers take it.
    for (int next; (next = X509_NAME_get_index_by_NID(subject, NID_commonName, cn_index)) >= 0;) cn_index = next;
    facts.subject_cn = asn1_string_text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, cn_index)));
  }

  if (const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get())) {
    core::UniqueBignum bn(ASN1_INTEGER_to_BN(serial, nullptr));
    if (bn) {
      core::UniqueOpenSslString text(BN_bn2hex(bn.get()));
      if (text) facts.serial = text.get();
    }
  }
  facts.not_before = unix_time(X509_get0_notBefore(cert.get()));
  facts.not_after = unix_time(X509_get0_notAfter(cert.get()));

  read_subject_alt_names(cert.get(), facts);
  // Exchange's CertificateDomains: the subject CN, then the DNS SANs, each name once (ASCII case
  // aside). A set keeps this linear: a hostile certificate may carry thousands of SANs.
  std::unordered_set<std::string> seen;
  auto add_domain = [&](const std::string& name) {
    if (seen.insert(core::lower(name)).second) facts.certificate_domains.push_back(name);
  };
  if (facts.subject_cn) add_domain(*facts.subject_cn);
  for (const auto& name : facts.dns_names) add_domain(name);

  read_key(cert.get(), facts);
  facts.signature_algorithm = OBJ_nid2ln(X509_get_signature_nid(cert.get()));
  read_key_usage(cert.get(), facts);
  read_extended_key_usage(cert.get(), facts);
  facts.is_ca = X509_check_ca(cert.get()) != 0 &&
                (X509_get_extension_flags(cert.get()) & EXFLAG_CA) != 0;
  facts.self_signed = is_self_signed(cert.get());

  facts.sha1 = core::hex(digest(facts.der, Digest::sha1), true);
  facts.sha256 = core::hex(digest(facts.der, Digest::sha256));
  core::UniqueBio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert.get());
  facts.pem = core::bio_text(bio.get());
  facts.x509 = std::move(cert);
  ERR_clear_error();
  return facts;
}

std::string name_text(const X509_NAME* name) {
  // RFC 2253 order and escaping, but UTF-8 kept as is and ", " between attributes.
  constexpr unsigned long flags =
      (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB & ~XN_FLAG_SEP_MASK) | XN_FLAG_SEP_CPLUS_SPC;
  core::UniqueBio bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, flags);
  return core::bio_text(bio.get());
}

std::string windows_name(const X509_NAME* name) {
  auto attribute = [](int nid, const ASN1_OBJECT* object) -> std::string {
    switch (nid) {
      case NID_commonName: return "CN";
      case NID_localityName: return "L";
      case NID_organizationName: return "O";
      case NID_organizationalUnitName: return "OU";
      case NID_pkcs9_emailAddress: return "E";
      case NID_countryName: return "C";
      case NID_stateOrProvinceName: return "S";
      case NID_streetAddress: return "STREET";
      case NID_title: return "T";
      case NID_givenName: return "G";
      case NID_initials: return "I";
      case NID_surname: return "SN";
      case NID_domainComponent: return "DC";
      case NID_serialNumber: return "SERIALNUMBER";
      case NID_postalCode: return "PostalCode";
      case NID_description: return "Description";
      case NID_postOfficeBox: return "POBox";
      case NID_telephoneNumber: return "Phone";
      default: break;
    }
    char oid[128] = {};
    OBJ_obj2txt(oid, sizeof oid, object, 1);
    return std::string("OID.") + oid;
  };
  // Windows quotes a value holding a separator or a leading or trailing space, and doubles quotes.
  auto value_text = [](const std::string& value) {
    bool quote = value.empty() || value.front() == ' ' || value.back() == ' ' ||
                 value.find_first_of(",+=\"\n<>#;") != std::string::npos;
    if (!quote) return value;
    std::string out = "\"";
    for (char c : value) {
      out += c;
      if (c == '"') out += '"';
    }
    out += '"';
    return out;
  };
  std::string out;
  int previous_set = -1;
  for (int i = X509_NAME_entry_count(name) - 1; i >= 0; --i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    const ASN1_OBJECT* object = X509_NAME_ENTRY_get_object(entry);
    std::string value = asn1_string_text(X509_NAME_ENTRY_get_data(entry));
    int set = X509_NAME_ENTRY_set(entry);
    if (!out.empty()) out += set == previous_set ? " + " : ", ";
    previous_set = set;
    out += attribute(OBJ_obj2nid(object), object) + "=" + value_text(value);
  }
  return out;
}

std::string describe_name(std::string_view der) {
  const auto* input = reinterpret_cast<const unsigned char*>(der.data());
  core::UniqueX509Name name(d2i_X509_NAME(nullptr, &input, static_cast<long>(der.size())));
  if (!name) {
    ERR_clear_error();
    return "(unreadable name)";
  }
  return name_text(name.get());
}

std::string digest(std::string_view bytes, Digest kind) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), out.data(), &length, fetched(kind), nullptr);
  return std::string(reinterpret_cast<const char*>(out.data()), length);
}

std::string format_time(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace stp::tls
