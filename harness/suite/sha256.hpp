// SHA-256 (FIPS 180-4) of bytes, as lowercase hex: records which suite file a result came
// from. OpenSSL's EVP interface does the hashing (libssl-dev, OpenSSL::Crypto).
#pragma once

#include <string>
#include <string_view>

namespace fp8check {

std::string sha256_hex(std::string_view bytes);

}  // namespace fp8check
