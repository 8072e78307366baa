#pragma once
// Certificate chains from files, for `inspect`: a PEM bundle (leaf first), DER, or PKCS#12.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace stp::tls {

class CertificateFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The chain as DER, leaf first. PKCS#12 is opened with `password` (none: the empty password).
// Throws CertificateFileError with a one-line reason: missing, unreadable, empty, encrypted
// without (or with a wrong) password, or holding no certificate.
std::vector<std::string> read_certificate_file(const std::string& path, const std::optional<std::string>& password);

// The same for bytes already read; `name` labels the errors.
std::vector<std::string> parse_certificate_bytes(const std::string& bytes, const std::string& name,
                                                 const std::optional<std::string>& password);

}  // namespace stp::tls
