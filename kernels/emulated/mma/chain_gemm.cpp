#include "kernels/emulated/mma/chain_gemm.hpp"

#include <bit>
#include <cstddef>
#include <string>

#include "harness/core/error.hpp"
#include "kernels/emulated/mma/fp8_chain_gemm.hpp"
#include "kernels/emulated/mma/mma_execute.hpp"
#include "kernels/emulated/parallel_for.hpp"

namespace fp8check {
namespace {

void check_size(std::size_t size, std::int64_t rows, std::int64_t cols, const char* what) {
  if (size != static_cast<std::size_t>(rows * cols))
    throw InputError(std::string(what) + " holds " + std::to_string(size) + " elements: expected " +
                     std::to_string(rows) + " x " + std::to_string(cols));
}

template <typename Code>
void check_codes(std::span<const Code> codes, Format f, const char* what) {
  const std::uint32_t count = format_spec(f).code_count();
  for (std::size_t i = 0; i < codes.size(); ++i)
    if (codes[i] >= count)
      throw InputError(std::string(what) + " element " + std::to_string(i) + " is " + std::to_string(codes[i]) +
                       ", not a " + format_spec(f).name + " code (expected 0.." + std::to_string(count - 1) + ")");
}

void check_operands(const MmaInstruction& ins, const KernelModel& model, const ChainGemmOperands& p) {
  if (p.m <= 0 || p.n <= 0 || p.k <= 0) throw InputError("chain GEMM: M, N and K must be positive");
  if (p.k % ins.k != 0)
    throw InputError("chain GEMM: K " + std::to_string(p.k) + " is not a multiple of " + ins.name + "'s k " +
                     std::to_string(ins.k) + " (kernel " + model.id() + ")");
  check_size(p.a.size(), p.m, p.k, "A");
  check_size(p.b.size(), p.k, p.n, "B");
  check_codes(p.a, p.a_format, "A");
  check_codes(p.b, p.b_format, "B");
  if (ins.scale == MmaScaleKind::none) {
    if (!p.scale_a.empty() || !p.scale_b.empty())
      throw InputError("kernel " + model.id() + " takes no block scales (only sm100-mxf8, sm100-mxf4, sm100-nvf4 do)");
    return;
  }
  const std::int64_t groups = p.k / ins.scale_block;
  check_size(p.scale_a.size(), p.m, groups, "scale A");
  check_size(p.scale_b.size(), groups, p.n, "scale B");
}

}  // namespace

std::uint32_t fp32_promote(std::uint32_t sum, std::uint32_t partial) {
  const float r = std::bit_cast<float>(sum) + std::bit_cast<float>(partial);
  return r != r ? 0x7FFFFFFFu : std::bit_cast<std::uint32_t>(r);
}

std::vector<std::uint32_t> mma_chain_gemm(const KernelModel& model, const ChainGemmOperands& p, int threads,
                                          ChainGemmPath path) {
  model.validate();
  const MmaInstruction ins = model.instruction(p.a_format, p.b_format);
  check_operands(ins, model, p);
  if (ins.c != MmaRegister::f32) throw InternalError("kernel models issue FP32-accumulator instructions");
  if (path == ChainGemmPath::fastest && detail::fp8_chain_gemm_applies(ins))
    return detail::fp8_chain_gemm(ins, model.promotion_interval, p, threads);
  const std::int64_t steps = p.k / ins.k;
  const std::int64_t scales_per_step = ins.scales_per_row();
  const std::int64_t groups = scales_per_step * steps;
  const std::int64_t promote_every = model.promotion_interval / ins.k;  // in instructions; 0 = never
  std::vector<std::uint32_t> d(static_cast<std::size_t>(p.m * p.n));
  detail::parallel_for(p.m, threads, [&](std::int64_t row, int) {
    const std::uint16_t* a_row = p.a.data() + row * p.k;
    for (std::int64_t col = 0; col < p.n; ++col) {
      std::uint32_t partial = 0, sum = 0;
      for (std::int64_t s = 0; s < steps; ++s) {
        const std::uint8_t* sa = scales_per_step ? p.scale_a.data() + row * groups + s * scales_per_step : nullptr;
        const std::uint8_t* sb = scales_per_step ? p.scale_b.data() + s * scales_per_step * p.n + col : nullptr;
        partial = mma_execute(ins, a_row + s * ins.k, 1, p.b.data() + s * ins.k * p.n + col, p.n, partial, sa, 1, sb, p.n);
        if (promote_every != 0 && ((s + 1) % promote_every == 0 || s + 1 == steps)) {
          sum = fp32_promote(sum, partial);
          partial = 0;
        }
      }
      d[static_cast<std::size_t>(row * p.n + col)] = promote_every != 0 ? sum : partial;
    }
  });
  return d;
}

}  // namespace fp8check
