#include "harness/generate/seed.hpp"

#include "harness/core/error.hpp"

namespace fp8check {

std::string format_key(std::uint64_t key) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text = "0x";
  for (int shift = 60; shift >= 0; shift -= 4) text += kDigits[(key >> shift) & 0xF];
  return text;
}

std::uint64_t parse_key(std::string_view text) {
  const auto fail = [&] {
    throw InputError("invalid generator key '" + std::string(text) +
                     "': expected 1 to 16 hex digits, optionally prefixed by 0x (e.g. " +
                     format_key(0x0123456789abcdefull) + ")");
  };
  std::string_view digits = text;
  if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    digits.remove_prefix(2);
  }
  if (digits.empty() || digits.size() > 16) fail();
  std::uint64_t key = 0;
  for (char c : digits) {
    int value = 0;
    if (c >= '0' && c <= '9') {
      value = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      value = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      value = c - 'A' + 10;
    } else {
      fail();
    }
    key = (key << 4) | static_cast<std::uint64_t>(value);
  }
  return key;
}

}  // namespace fp8check
