#include "kernels/emulated/mma/chain_gemm.hpp"

#include <bit>
#include <cmath>
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

void check_operands(const MmaInstruction& ins, const std::string& kernel, const ChainGemmOperands& p) {
  if (p.m <= 0 || p.n <= 0 || p.k <= 0) throw InputError("chain GEMM: M, N and K must be positive");
  if (p.k % ins.k != 0)
    throw InputError("chain GEMM: K " + std::to_string(p.k) + " is not a multiple of " + ins.name + "'s k " +
                     std::to_string(ins.k) + " (kernel " + kernel + ")");
  if (ins.a != p.a_format || ins.b != p.b_format)
    throw InputError(std::string("chain GEMM: ") + ins.name + " takes " + format_spec(ins.a).name + "." +
                     format_spec(ins.b).name + ", not " + format_spec(p.a_format).name + "." + format_spec(p.b_format).name);
  check_size(p.a.size(), p.m, p.k, "A");
  check_size(p.b.size(), p.k, p.n, "B");
  check_codes(p.a, p.a_format, "A");
  check_codes(p.b, p.b_format, "B");
  if (ins.scale == MmaScaleKind::none) {
    if (!p.scale_a.empty() || !p.scale_b.empty())
      throw InputError("kernel " + kernel + " takes no block scales (only sm100-mxf8, sm100-mxf4, sm100-nvf4 do)");
  } else {
    const std::int64_t groups = p.k / ins.scale_block;
    check_size(p.scale_a.size(), p.m, groups, "scale A");
    check_size(p.scale_b.size(), groups, p.n, "scale B");
  }
  if (p.promote_scale_a.empty() != p.promote_scale_b.empty())
    throw InputError("chain GEMM: scales at promotion need both operands' (1 where an operand has none)");
  if (!p.promote_scale_a.empty()) {
    check_size(p.promote_scale_a.size(), p.m, p.promote_groups_a, "promotion scales of A");
    check_size(p.promote_scale_b.size(), p.promote_groups_b, p.n, "promotion scales of B");
  }
}

void check_schedule(const MmaInstruction& ins, const ChainSchedule& schedule, const ChainGemmOperands& p) {
  if (schedule.empty()) throw InputError("chain GEMM: the schedule has no slice");
  const bool scaled = !p.promote_scale_a.empty();
  for (const auto& slice : schedule)
    for (const ChainWindow& w : slice) {
      if (w.begin < 0 || w.end > p.k || w.begin >= w.end || w.begin % ins.k != 0 || w.end % ins.k != 0)
        throw InputError("chain GEMM: window [" + std::to_string(w.begin) + ", " + std::to_string(w.end) +
                         ") is empty, outside K " + std::to_string(p.k) + " or not on " + ins.name + "'s grid of k " +
                         std::to_string(ins.k));
      if (scaled && (w.group_a < 0 || w.group_a >= p.promote_groups_a || w.group_b < 0 || w.group_b >= p.promote_groups_b))
        throw InputError("chain GEMM: a window reads promotion scale groups (" + std::to_string(w.group_a) + ", " +
                         std::to_string(w.group_b) + ") outside the scales given");
    }
}

std::uint32_t nan_canonical(float r) { return r != r ? 0x7FFFFFFFu : std::bit_cast<std::uint32_t>(r); }

}  // namespace

std::uint32_t fp32_promote(std::uint32_t sum, std::uint32_t partial) {
  return nan_canonical(std::bit_cast<float>(sum) + std::bit_cast<float>(partial));
}

std::uint32_t fp32_promote_scaled(std::uint32_t sum, std::uint32_t partial, float scale) {
  return nan_canonical(std::fma(scale, std::bit_cast<float>(partial), std::bit_cast<float>(sum)));
}

ChainSchedule single_slice_schedule(std::int64_t k, std::int64_t interval) {
  std::vector<ChainWindow> windows;
  for (std::int64_t k0 = 0; k0 < k; k0 += interval > 0 ? interval : k)
    windows.push_back({k0, interval > 0 && k0 + interval < k ? k0 + interval : k, 0, 0});
  return {windows};
}

std::vector<std::uint32_t> mma_chain_gemm(const KernelModel& model, const ChainGemmOperands& p, int threads,
                                          ChainGemmPath path) {
  model.validate();
  const MmaInstruction ins = model.instruction(p.a_format, p.b_format);
  check_operands(ins, model.id(), p);
  return mma_chain_gemm_slices(ins, single_slice_schedule(p.k, model.promotion_interval), p, threads, path);
}

std::vector<std::uint32_t> mma_chain_gemm_slices(const MmaInstruction& ins, const ChainSchedule& schedule,
                                                 const ChainGemmOperands& p, int threads, ChainGemmPath path) {
  ins.validate();
  if (ins.c != MmaRegister::f32) throw InputError(std::string("chain GEMM: ") + ins.name + " has an FP16 accumulator");
  check_operands(ins, ins.name, p);
  check_schedule(ins, schedule, p);
  const bool scaled = !p.promote_scale_a.empty();
  if (path == ChainGemmPath::fastest && detail::fp8_chain_gemm_applies(ins, scaled))
    return detail::fp8_chain_gemm(ins, schedule, p, threads);
  const std::int64_t groups = ins.scale != MmaScaleKind::none ? p.k / ins.scale_block : 0;
  const std::int64_t per_step = ins.scales_per_row();
  const auto mn = static_cast<std::size_t>(p.m * p.n);
  std::vector<std::uint32_t> d(schedule.size() * mn);
  detail::parallel_for(p.m, threads, [&](std::int64_t row, int) {
    const std::uint16_t* a_row = p.a.data() + row * p.k;
    for (std::int64_t col = 0; col < p.n; ++col) {
      for (std::size_t s = 0; s < schedule.size(); ++s) {
        std::uint32_t sum = 0;
        for (const ChainWindow& w : schedule[s]) {
          std::uint32_t partial = 0;
          for (std::int64_t k0 = w.begin; k0 < w.end; k0 += ins.k) {
            const std::uint8_t* sa = per_step ? p.scale_a.data() + row * groups + k0 / ins.scale_block : nullptr;
            const std::uint8_t* sb = per_step ? p.scale_b.data() + k0 / ins.scale_block * p.n + col : nullptr;
            partial = mma_execute(ins, a_row + k0, 1, p.b.data() + k0 * p.n + col, p.n, partial, sa, 1, sb, p.n);
          }
          if (!scaled) {
            sum = fp32_promote(sum, partial);
          } else {
            const float scale = p.promote_scale_a[static_cast<std::size_t>(row * p.promote_groups_a + w.group_a)] *
                                p.promote_scale_b[static_cast<std::size_t>(w.group_b * p.n + col)];
            sum = fp32_promote_scaled(sum, partial, scale);
          }
        }
        d[s * mn + static_cast<std::size_t>(row * p.n + col)] = sum;
      }
    }
  });
  return d;
}

}  // namespace fp8check
