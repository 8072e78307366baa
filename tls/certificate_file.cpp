#include "tls/certificate_file.hpp"

#include <system_error>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include <openssl/pem.h>
#include <sys/stat.h>

#include "core/bounded_file.hpp"
#include "core/der.hpp"
#include "core/openssl_ptr.hpp"

namespace stp::tls {
namespace {

constexpr std::size_t max_file_bytes = std::size_t{16} << 20;

std::vector<std::string> from_pem(const std::string& bytes) {
  std::vector<std::string> chain;
  core::UniqueBio bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  while (core::UniqueX509 cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)})
    chain.push_back(core::der_of(cert.get(), i2d_X509));
  ERR_clear_error();
  return chain;
}

std::vector<std::string> from_der(const std::string& bytes) {
  const auto* input = reinterpret_cast<const unsigned char*>(bytes.data());
  core::UniqueX509 cert(d2i_X509(nullptr, &input, static_cast<long>(bytes.size())));
  ERR_clear_error();
  if (!cert) return {};
  return {core::der_of(cert.get(), i2d_X509)};
}

// PKCS#12: the certificate that goes with the key first, then the others as stored.
std::vector<std::string> from_pkcs12(const std::string& bytes, const std::string& path,
                                     const std::optional<std::string>& password, bool& is_pkcs12) {
  const auto* input = reinterpret_cast<const unsigned char*>(bytes.data());
  core::UniquePkcs12 p12(d2i_PKCS12(nullptr, &input, static_cast<long>(bytes.size())));
  ERR_clear_error();
  is_pkcs12 = p12 != nullptr;
  if (!p12) return {};
  const char* pass = password ? password->c_str() : "";
  if (PKCS12_verify_mac(p12.get(), pass, -1) != 1) {
    ERR_clear_error();
    throw CertificateFileError(path + ": " + (password ? "wrong password for this PKCS#12 file"
                                                       : "PKCS#12 file is encrypted: give --password"));
  }
  EVP_PKEY* key = nullptr;
  X509* leaf = nullptr;
  STACK_OF(X509)* others = nullptr;
  if (PKCS12_parse(p12.get(), pass, &key, &leaf, &others) != 1)
    throw CertificateFileError(path + ": cannot open the PKCS#12 file: " + core::take_openssl_error());
  core::UniqueEvpPkey key_owner(key);
  core::UniqueX509 leaf_owner(leaf);
  core::UniqueX509Stack others_owner(others);
  std::vector<std::string> chain;
  if (leaf) chain.push_back(core::der_of(leaf, i2d_X509));
  for (int i = 0; others && i < sk_X509_num(others); ++i) chain.push_back(core::der_of(sk_X509_value(others, i), i2d_X509));
  return chain;
}

}  // namespace

std::vector<std::string> read_certificate_file(const std::string& path, const std::optional<std::string>& password) {
  std::string bytes;
  try {
    bytes = core::read_bounded_file(path, max_file_bytes);
  } catch (const core::FileError& e) {
    throw CertificateFileError(e.what());
  }
  return parse_certificate_bytes(bytes, path, password);
}

std::vector<std::string> parse_certificate_bytes(const std::string& bytes, const std::string& path,
                                                 const std::optional<std::string>& password) {
  if (bytes.empty()) throw CertificateFileError(path + ": the file is empty");

  if (bytes.find("-----BEGIN") != std::string::npos) {
    auto chain = from_pem(bytes);
    if (chain.empty()) throw CertificateFileError(path + ": PEM file with no CERTIFICATE block");
    return chain;
  }
  if (auto chain = from_der(bytes); !chain.empty()) return chain;
  bool is_pkcs12 = false;
  auto chain = from_pkcs12(bytes, path, password, is_pkcs12);
  if (is_pkcs12 && chain.empty()) throw CertificateFileError(path + ": PKCS#12 file with no certificate");
  if (!is_pkcs12) throw CertificateFileError(path + ": not a certificate (expected PEM, DER or PKCS#12)");
  return chain;
}

}  // namespace stp::tls
