// fdlibm e_log.c's constants, shared by portable_log.cpp and its AVX2 mirror
// (generate_avx2.cpp), so both evaluate the very same polynomial.
#pragma once

namespace fp8check::detail::fdlibm_log {

// fdlibm e_log.c constants, written as the hex values that file gives as intended.
constexpr double kLn2Hi = 0x1.62e42feep-1;  // ln 2 rounded to 32 bits: k * kLn2Hi is exact for |k| < 2000
constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;  // ln 2 - kLn2Hi
// Remez polynomial in z = s^2, s = f/(2+f), for (log(1+f) - 2s)/s; |error| < 2^-58.45.
constexpr double kLg1 = 0x1.5555555555593p-1;
constexpr double kLg2 = 0x1.999999997fa04p-2;
constexpr double kLg3 = 0x1.2492494229359p-2;
constexpr double kLg4 = 0x1.c71c51d8e78afp-3;
constexpr double kLg5 = 0x1.7466496cb03dep-3;
constexpr double kLg6 = 0x1.39a09d078c69fp-3;
constexpr double kLg7 = 0x1.2f112df3e5244p-3;

}  // namespace fp8check::detail::fdlibm_log
