// The standard normal quantile (inverse CDF), the generator's route from uniform bits to
// normal samples. Wichura's AS 241 PPND16 (Applied Statistics 37(3):477-484, 1988):
// rational approximations, relative accuracy about 1e-16, evaluated here with + - * /,
// sqrt (correctly rounded by IEEE 754) and portable_log, so the bits are the same on
// every platform. Chosen over Box-Muller, which would need portable sin/cos as well.
#pragma once

namespace fp8check {

// z with Phi(z) = p, for p in (0, 1). NaN outside (0, 1).
double normal_quantile(double p);

}  // namespace fp8check
