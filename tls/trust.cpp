#include "tls/trust.hpp"

#include <filesystem>

#include <openssl/pem.h>
#include <unistd.h>

#include "core/bounded_file.hpp"

#include "tls/certificate.hpp"

namespace stp::tls {
namespace {

constexpr std::size_t max_anchor_file_bytes = std::size_t{64} << 20;  // the system bundle is ~200 KiB

// Reads every certificate of a PEM BIO into the store; returns how many.
int add_pem_certificates(X509_STORE* store, BIO* bio) {
  int count = 0;
  while (core::UniqueX509 cert{PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)}) {
    X509_STORE_add_cert(store, cert.get());
    ++count;
  }
  ERR_clear_error();  // the loop ends on "no start line"
  return count;
}

// Leaf dates and leaf purpose have findings of their own; the chain is judged without them.
int forgive_leaf_own_checks(int ok, X509_STORE_CTX* ctx) {
  if (ok) return 1;
  int error = X509_STORE_CTX_get_error(ctx);
  bool leaf = X509_STORE_CTX_get_error_depth(ctx) == 0;
  bool own_check = error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID ||
                   error == X509_V_ERR_INVALID_PURPOSE;
  return leaf && own_check ? 1 : 0;
}

}  // namespace

TrustAnchors TrustAnchors::load(const std::optional<std::string>& ca_file, const std::optional<std::string>& ca_path) {
  core::UniqueX509Store store(X509_STORE_new());
  if (ca_file) {
    std::string pem;
    try {
      pem = core::read_bounded_file(*ca_file, max_anchor_file_bytes);
    } catch (const core::FileError& e) {
      throw TrustError(*ca_file + ": cannot read: " + e.reason());
    }
    core::UniqueBio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (add_pem_certificates(store.get(), bio.get()) == 0)
      throw TrustError(*ca_file + ": no PEM certificate in it (--ca-file wants PEM)");
  }
  if (ca_path) {
    // OpenSSL reads a hashed directory only when it looks a certificate up: check it now, as --ca-file is.
    std::error_code ec;
    if (!std::filesystem::is_directory(*ca_path, ec))
      throw TrustError(*ca_path + ": not a directory (--ca-path wants a directory of hashed certificates)");
    if (::access(ca_path->c_str(), R_OK | X_OK) != 0)
      throw TrustError(*ca_path + ": cannot read the --ca-path directory");
    if (X509_STORE_load_path(store.get(), ca_path->c_str()) != 1)
      throw TrustError(*ca_path + ": not a usable CA directory (" + core::take_openssl_error() + ")");
  }
  if (!ca_file && !ca_path) X509_STORE_set_default_paths(store.get());
  ERR_clear_error();
  return TrustAnchors(std::move(store));
}

TrustAnchors TrustAnchors::from_pem(const std::string& pem) {
  core::UniqueX509Store store(X509_STORE_new());
  core::UniqueBio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (add_pem_certificates(store.get(), bio.get()) == 0) throw TrustError("no PEM certificate in the anchors");
  return TrustAnchors(std::move(store));
}

ChainTrust verify_chain(const std::vector<X509*>& chain, const TrustAnchors& anchors, std::int64_t now) {
  ChainTrust result;
  if (chain.empty() || chain.front() == nullptr) return result;
  X509* leaf = chain.front();
  core::UniqueX509Stack untrusted(sk_X509_new_null());
  for (std::size_t i = 1; i < chain.size(); ++i) {
    X509_up_ref(chain[i]);
    sk_X509_push(untrusted.get(), chain[i]);
  }

  core::UniqueX509StoreCtx ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), anchors.store(), leaf, untrusted.get());
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(now));
  X509_STORE_CTX_set_verify_cb(ctx.get(), forgive_leaf_own_checks);
  result.trusted = X509_verify_cert(ctx.get()) == 1;
  ERR_clear_error();
  if (result.trusted) return result;

  int error = X509_STORE_CTX_get_error(ctx.get());
  result.error = X509_verify_cert_error_string(error);
  STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());
  X509* top = built && sk_X509_num(built) > 0 ? sk_X509_value(built, sk_X509_num(built) - 1) : leaf;
  if (error == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT) {
    result.problem = ChainTrust::Problem::self_signed;
    result.detail = "the leaf is self-signed and not among the trust anchors";
  } else if ((error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) &&
             X509_check_ca(top) == 0) {
    // The chain stops at an end-entity certificate: the intermediate that issued it was not sent.
    result.problem = ChainTrust::Problem::incomplete;
    result.detail = "the server did not send the certificate of " + name_text(X509_get_issuer_name(top)) +
                    ", which issued " + name_text(X509_get_subject_name(top));
  } else if (error == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN) {
    result.problem = ChainTrust::Problem::untrusted;
    result.detail = "the chain ends at the root " + name_text(X509_get_subject_name(top)) + ", which is not a trust anchor";
  } else if (error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) {
    result.problem = ChainTrust::Problem::untrusted;
    result.detail = name_text(X509_get_issuer_name(top)) + ", which issued " + name_text(X509_get_subject_name(top)) +
                    ", is not a trust anchor (or the server left out another intermediate)";
  } else {
    result.problem = ChainTrust::Problem::untrusted;
    X509* failed = X509_STORE_CTX_get_current_cert(ctx.get());
    result.detail = (failed ? name_text(X509_get_subject_name(failed)) + ": " : std::string()) + result.error;
  }
  return result;
}

}  // namespace stp::tls
