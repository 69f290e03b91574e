// Prints one 64-bit digest per area of fp8check whose bits are part of a result.
// ci/bits-across-compilers builds this with gcc -O3, gcc -O0 and clang -O3 and
// requires identical output: the floating-point model is pinned (no contraction,
// integer codecs), so any difference is a portability bug.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <vector>

#include "harness/core/convert.hpp"
#include "harness/core/convert_bulk.hpp"
#include "harness/generate/distributions.hpp"
#include "harness/generate/seed.hpp"

namespace {

struct Fnv1a {
  std::uint64_t h = 0xcbf29ce484222325ull;
  void add(const void* p, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ull;
  }
  template <typename T>
  void add(T v) { add(&v, sizeof v); }
};

std::uint64_t splitmix64(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

int main() {
  using namespace fp8check;
  const Rounding modes[] = {Rounding::nearest_even, Rounding::toward_zero, Rounding::toward_pos_inf,
                            Rounding::toward_neg_inf, Rounding::stochastic, Rounding::nearest_away};
  Fnv1a encode_digest, decode_digest;
  for (Format f : kAllFormats) {
    for (std::uint32_t c = 0; c < format_spec(f).code_count(); ++c) decode_digest.add(decode(f, c));
    for (Rounding r : modes) {
      for (int overflow = 0; overflow < 4; ++overflow) {
        const EncodeOptions opt{r, (overflow & 1) != 0, (overflow & 2) != 0};
        std::uint64_t state = 42;
        for (int i = 0; i < 20000; ++i) {
          const std::uint64_t bits = splitmix64(state);
          float xf;
          const std::uint32_t b32 = static_cast<std::uint32_t>(bits);
          std::memcpy(&xf, &b32, 4);
          double xd;
          std::memcpy(&xd, &bits, 8);
          const std::uint32_t rnd = static_cast<std::uint32_t>(bits >> 32);
          encode_digest.add(encode(f, xf, opt, rnd));
          encode_digest.add(encode(f, xd, opt, rnd));
          encode_digest.add(encode(f, static_cast<double>(xf) * 1e-3, opt, rnd));
        }
      }
    }
  }
  std::printf("encode %016llx\n", static_cast<unsigned long long>(encode_digest.h));
  std::printf("decode %016llx\n", static_cast<unsigned long long>(decode_digest.h));

  // Generated inputs, every distribution kind, on every path this CPU has (the avx2 path
  // must give the scalar path's bits, so both lines read the same).
  const char* const distributions[] = {"uniform(-3,5)", "normal(1,2)", "llm_activation(96,0.05,100)", "tiny", "huge",
                                       "integers(-7,9)", "all_zero_blocks(5,0.3)", "normal+specials(0.1)"};
  std::vector<SimdPath> paths = {SimdPath::scalar};
  if (cpu_has_avx2()) paths.push_back(SimdPath::avx2);
  for (SimdPath path : paths) {
    Fnv1a generate_digest;
    for (const char* text : distributions) {
      std::vector<double> out(100'003);
      detail::generate_on(path, parse_distribution(text), tensor_key(7, "bits_digest", text), out, 12345);
      generate_digest.add(out.data(), out.size() * sizeof(double));
    }
    std::printf("generate %016llx\n", static_cast<unsigned long long>(generate_digest.h));
  }
  return 0;
}
