#pragma once
// Owners for OpenSSL objects: the only place in the project that calls *_free. Part of core/, the
// base layer every other folder builds on; it depends on nothing of ours.

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace stp::core {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const noexcept { Free(p); }
};

using UniqueX509 = std::unique_ptr<X509, Deleter<X509_free>>;
using UniqueX509Name = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using UniqueX509Ext = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using UniqueX509Store = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using UniqueX509StoreCtx = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using UniqueEvpPkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using UniqueSsl = std::unique_ptr<SSL, Deleter<SSL_free>>;
using UniqueEvpMdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using UniqueEvpPkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using UniqueBio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using UniqueBignum = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using UniqueAsn1OctetString = std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING_free>>;
using UniqueGeneralNames = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using UniqueExtKeyUsage = std::unique_ptr<EXTENDED_KEY_USAGE, Deleter<EXTENDED_KEY_USAGE_free>>;
using UniqueAsn1BitString = std::unique_ptr<ASN1_BIT_STRING, Deleter<ASN1_BIT_STRING_free>>;
using UniquePkcs12 = std::unique_ptr<PKCS12, Deleter<PKCS12_free>>;
inline void free_x509_stack(STACK_OF(X509)* stack) noexcept { sk_X509_pop_free(stack, X509_free); }
using UniqueX509Stack = std::unique_ptr<STACK_OF(X509), Deleter<free_x509_stack>>;
// A certificate held by several owners (a probe's evidence and its judgement), freed by the last.
inline std::shared_ptr<X509> shared_x509(X509* certificate) { return {certificate, Deleter<X509_free>()}; }
inline void free_openssl_string(char* p) noexcept { OPENSSL_free(p); }
using UniqueOpenSslString = std::unique_ptr<char, Deleter<free_openssl_string>>;

// The text of OpenSSL's error queue (oldest first), which it then clears.
inline std::string take_openssl_error(const std::string& fallback = "unknown OpenSSL error") {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? fallback : text;
}

// Everything written to a memory BIO, as a string.
inline std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

}  // namespace stp::core
