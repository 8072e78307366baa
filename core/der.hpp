#pragma once
// The DER encoding of an OpenSSL object (certificate, name, ...) as bytes.

#include <string>

namespace stp::core {

// `encode` is OpenSSL's i2d_TYPE for the object: called once for the size, once to write.
template <class T, class Encode>
std::string der_of(const T* object, Encode encode) {
  int length = encode(object, nullptr);
  if (length <= 0) return {};
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  encode(object, &out);
  return der;
}

}  // namespace stp::core
