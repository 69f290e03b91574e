#include "harness/suite/sha256.hpp"

#include <openssl/evp.h>

#include "harness/core/error.hpp"

namespace fp8check {

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // EVP_Digest: one-shot init/update/final (OpenSSL 3 manual, EVP_DigestInit(3)).
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) != 1 || size != 32)
    throw InternalError("OpenSSL EVP_Digest(SHA-256) failed");
  static const char* const hex = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

}  // namespace fp8check
