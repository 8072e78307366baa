#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <openssl/pkcs12.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/cert_factory.hpp"
#include "tls/certificate_file.hpp"

using namespace stp;

namespace {

struct Files {
  Files() : dir("/tmp/starttls-probe-files-" + std::to_string(::getpid())) { std::filesystem::create_directories(dir); }
  ~Files() { std::filesystem::remove_all(dir); }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::string path = dir + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::string dir;
};

struct Pair {
  Pair() {
    ca = lab::issue_certificate(lab::ca_spec("File CA"), nullptr);
    lab::CertSpec leaf_spec;
    leaf_spec.common_name = "mail.contoso.com";
    leaf = lab::issue_certificate(leaf_spec, &ca);
  }
  lab::Credential ca, leaf;
};

std::string pkcs12(const Pair& p, const char* password) {
  core::UniqueX509Stack extra(sk_X509_new_null());
  X509_up_ref(p.ca.certificate.get());
  sk_X509_push(extra.get(), p.ca.certificate.get());
  core::UniquePkcs12 p12(
      PKCS12_create(password, "mail", p.leaf.key.get(), p.leaf.certificate.get(), extra.get(), 0, 0, 0, 0, 0));
  REQUIRE(p12);
  int length = i2d_PKCS12(p12.get(), nullptr);
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_PKCS12(p12.get(), &out);
  return der;
}

}  // namespace

TEST_CASE("a PEM bundle, a DER file and a PKCS#12 file give the chain, leaf first", "[tls][inspect]") {
  Files files;
  Pair pair;
  auto pem = files.write("bundle.pem", "junk before\n" + pair.leaf.certificate_pem() + pair.ca.certificate_pem());
  CHECK(tls::read_certificate_file(pem, std::nullopt) ==
        std::vector<std::string>{pair.leaf.certificate_der(), pair.ca.certificate_der()});

  auto der = files.write("leaf.cer", pair.leaf.certificate_der());
  CHECK(tls::read_certificate_file(der, std::nullopt) == std::vector<std::string>{pair.leaf.certificate_der()});

  auto p12 = files.write("leaf.pfx", pkcs12(pair, "s3cret"));
  CHECK(tls::read_certificate_file(p12, std::string("s3cret")) ==
        std::vector<std::string>{pair.leaf.certificate_der(), pair.ca.certificate_der()});
}

TEST_CASE("bad certificate files fail with one clear reason", "[tls][inspect]") {
  Files files;
  Pair pair;
  auto reason = [](const std::string& path, std::optional<std::string> password = std::nullopt) {
    try {
      tls::read_certificate_file(path, password);
    } catch (const tls::CertificateFileError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(reason(files.dir + "/missing.pem"), Catch::Contains("No such file"));
  CHECK_THAT(reason(files.dir), Catch::Contains("is a directory"));
  CHECK_THAT(reason(files.write("empty.pem", "")), Catch::Contains("empty"));
  CHECK_THAT(reason(files.write("text.txt", "hello, this is not a certificate\n")), Catch::Contains("not a certificate"));
  CHECK_THAT(reason(files.write("key.pem", pair.leaf.key_pem())), Catch::Contains("no CERTIFICATE block"));
  auto p12 = files.write("locked.pfx", pkcs12(pair, "s3cret"));
  CHECK_THAT(reason(p12), Catch::Contains("give --password"));
  CHECK_THAT(reason(p12, std::string("wrong")), Catch::Contains("wrong password"));
  if (::geteuid() != 0) {  // root reads anything
    auto unreadable = files.write("unreadable.pem", pair.leaf.certificate_pem());
    ::chmod(unreadable.c_str(), 0);
    CHECK_THAT(reason(unreadable), Catch::Contains("Permission denied"));
  }
}
