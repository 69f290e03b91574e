// Keys for the input generator: one 64-bit key per (suite seed, case id, tensor
// name), so any one tensor of any one case can be regenerated alone. The key is
// what failures print and what users pass back (--key 0x...) to reproduce a tensor.
//
// Derivation (every step integer-only, so identical on every platform):
//   key = mix(mix(mix(suite_seed ^ kDomain) ^ fnv1a64(case_id)) ^ fnv1a64(tensor_name))
// fnv1a64: FNV-1a, 64-bit (offset basis 0xcbf29ce484222325, prime 0x100000001b3),
//   over the string's bytes as unsigned char; http://www.isthe.com/chongo/tech/comp/fnv/
// mix: the SplitMix64 finalizer (Steele, Lea, Flood, "Fast splittable pseudorandom
//   number generators", OOPSLA 2014; constants from Vigna's splitmix64.c).
// Each string is hashed on its own, so ("ab", "c") and ("a", "bc") give different keys.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fp8check {

inline constexpr std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

// SplitMix64's output function: a bijection on 64-bit words with full avalanche.
inline constexpr std::uint64_t splitmix64_mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Separates these keys from any other use of SplitMix64 on the same seed ("fp8chk\0\1").
inline constexpr std::uint64_t kTensorKeyDomain = 0x66703863686b0001ull;

inline constexpr std::uint64_t tensor_key(std::uint64_t suite_seed, std::string_view case_id,
                                          std::string_view tensor_name) {
  std::uint64_t key = splitmix64_mix(suite_seed ^ kTensorKeyDomain);
  key = splitmix64_mix(key ^ fnv1a64(case_id));
  return splitmix64_mix(key ^ fnv1a64(tensor_name));
}

// "0x" followed by exactly 16 lower-case hex digits.
std::string format_key(std::uint64_t key);

// Accepts what format_key prints, and any 1..16 hex digits with or without "0x"/"0X".
// Throws InputError naming the text and the accepted form.
std::uint64_t parse_key(std::string_view text);

}  // namespace fp8check
