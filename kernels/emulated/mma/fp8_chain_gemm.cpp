#include "kernels/emulated/mma/fp8_chain_gemm.hpp"

#include <algorithm>

#include "harness/core/convert_bulk.hpp"
#include "harness/core/error.hpp"
#include "kernels/emulated/mma/fp8_chain_kernel.hpp"
#include "kernels/emulated/mma/mma_execute.hpp"
#include "kernels/emulated/parallel_for.hpp"

namespace fp8check::detail {
namespace {

constexpr std::int64_t kBlocksPerItem = 16;  // row blocks of one work item (in one panel)

struct ScalarContext {
  MmaStep step;
  const ChainGemmOperands* p;
  std::int64_t n0;
  int lanes;
};

void scalar_step(const void* context, std::int64_t row, std::int64_t s, std::uint32_t* partial) {
  const auto& c = *static_cast<const ScalarContext*>(context);
  const std::int64_t k0 = s * c.step.count;
  const std::uint16_t* a = c.p->a.data() + row * c.p->k + k0;
  for (int lane = 0; lane < c.lanes; ++lane)
    partial[lane] = mma_fused_dot_add(c.step, a, 1, c.p->b.data() + k0 * c.p->n + c.n0 + lane, c.p->n, partial[lane]);
}

bool cpu_has_fma() {
#if FP8C_HAVE_FP8_CHAIN_AVX2
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("fma") != 0;
  }();
  return has;
#else
  return false;
#endif
}

}  // namespace

CodeTable code_table(Format f) {
  CodeTable t;
  for (std::uint32_t code = 0; code < 256; ++code) {
    const MmaOperand o = mma_operand(f, code);
    t.special[code] = o.kind != MmaValueKind::finite;
    t.value[code] = t.special[code] ? 0.0f : decode_f32(f, code);
    t.exponent[code] = static_cast<std::int8_t>(o.exponent);
  }
  return t;
}

bool fp8_chain_gemm_applies(const MmaInstruction& ins, bool scaled_promotion) {
  const auto fp8 = [](Format f) { return f == Format::e4m3fn || f == Format::e5m2; };
  const int step_k = ins.step().count;
  return FP8C_HAVE_FP8_CHAIN_AVX2 && active_simd_path() == SimdPath::avx2 && (!scaled_promotion || cpu_has_fma()) &&
         fp8(ins.a) && fp8(ins.b) && (step_k == 16 || step_k == 32) && ins.scale == MmaScaleKind::none &&
         ins.c == MmaRegister::f32 && ins.fraction_bits <= kFp8MaxFractionBits;
}

std::vector<std::uint32_t> fp8_chain_gemm(const MmaInstruction& ins, const ChainSchedule& schedule,
                                          const ChainGemmOperands& p, int threads) {
#if FP8C_HAVE_FP8_CHAIN_AVX2
  constexpr std::int64_t B = kFp8RowBlock, L = kFp8PanelLanes;
  const MmaStep step = ins.step();
  const std::int64_t steps = p.k / step.count;
  const CodeTable ta = code_table(ins.a), tb = code_table(ins.b);
  // A by blocks of rows, step-major (fp8_chain_kernel.hpp); rows past M stay +0.
  const std::int64_t blocks = (p.m + B - 1) / B;
  std::vector<float> a_values(static_cast<std::size_t>(blocks * B * p.k));
  std::vector<std::int8_t> a_exponents(a_values.size(), static_cast<std::int8_t>(kMmaZeroExponent));
  std::vector<std::uint8_t> a_special(static_cast<std::size_t>(blocks * steps * B));
  parallel_for(p.m, threads, [&](std::int64_t row, int) {
    const std::int64_t block = row / B, r = row % B;
    for (std::int64_t k = 0; k < p.k; ++k) {
      const std::uint16_t code = p.a[static_cast<std::size_t>(row * p.k + k)];
      const std::int64_t at = (block * steps + k / step.count) * B + r;
      const auto i = static_cast<std::size_t>(at * step.count + k % step.count);
      a_values[i] = ta.value[code];
      a_exponents[i] = ta.exponent[code];
      a_special[static_cast<std::size_t>(at)] |= ta.special[code];
    }
  });
  // B by panels of 32 columns, k-major; missing lanes stay +0.
  const std::int64_t panels = (p.n + L - 1) / L;
  std::vector<float> b_values(static_cast<std::size_t>(panels * p.k * L));
  std::vector<std::int8_t> b_exponents(b_values.size(), static_cast<std::int8_t>(kMmaZeroExponent));
  std::vector<std::uint8_t> b_special(static_cast<std::size_t>(panels * steps));
  parallel_for(panels, threads, [&](std::int64_t panel, int) {
    const std::int64_t n0 = panel * L, lanes = std::min(L, p.n - n0);
    for (std::int64_t k = 0; k < p.k; ++k)
      for (std::int64_t lane = 0; lane < lanes; ++lane) {
        const std::uint16_t code = p.b[static_cast<std::size_t>(k * p.n + n0 + lane)];
        const auto i = static_cast<std::size_t>((panel * p.k + k) * L + lane);
        b_values[i] = tb.value[code];
        b_exponents[i] = tb.exponent[code];
        b_special[static_cast<std::size_t>(panel * steps + k / step.count)] |= tb.special[code];
      }
  });
  // The windows in steps, per slice.
  std::vector<std::vector<Fp8Window>> windows;
  for (const auto& slice : schedule) {
    windows.emplace_back();
    for (const ChainWindow& w : slice) windows.back().push_back({w.begin / step.count, w.end / step.count, w.group_a, w.group_b});
  }
  // Scales at promotion: A's for whole blocks of rows, B's by panel (padding: 1).
  const bool scaled = !p.promote_scale_a.empty();
  std::vector<float> promote_a, promote_b;
  if (scaled) {
    promote_a.assign(static_cast<std::size_t>(blocks * B * p.promote_groups_a), 1.0f);
    std::copy(p.promote_scale_a.begin(), p.promote_scale_a.end(), promote_a.begin());
    promote_b.assign(static_cast<std::size_t>(panels * p.promote_groups_b * L), 1.0f);
    for (std::int64_t g = 0; g < p.promote_groups_b; ++g)
      for (std::int64_t col = 0; col < p.n; ++col)
        promote_b[static_cast<std::size_t>((col / L * p.promote_groups_b + g) * L + col % L)] =
            p.promote_scale_b[static_cast<std::size_t>(g * p.n + col)];
  }
  const std::int64_t block_items = (blocks + kBlocksPerItem - 1) / kBlocksPerItem;
  const auto mn = static_cast<std::size_t>(p.m * p.n);
  std::vector<std::uint32_t> d(schedule.size() * mn);
  parallel_for(panels * block_items, threads, [&](std::int64_t item, int) {
    const std::int64_t panel = item / block_items, n0 = panel * L;
    const ScalarContext context{step, &p, n0, static_cast<int>(std::min(L, p.n - n0))};
    Fp8ChainPanel kernel;
    kernel.a_values = a_values.data(), kernel.a_exponents = a_exponents.data(), kernel.a_special = a_special.data();
    const auto b_at = static_cast<std::size_t>(panel * p.k * L);
    kernel.b_values = b_values.data() + b_at, kernel.b_exponents = b_exponents.data() + b_at;
    kernel.b_special = b_special.data() + panel * steps;
    kernel.k = p.k, kernel.m = p.m, kernel.step_k = step.count, kernel.fraction_bits = ins.fraction_bits;
    kernel.output_bits = ins.d_fraction_bits;
    if (scaled) {
      kernel.promote_a = promote_a.data(), kernel.promote_groups_a = p.promote_groups_a;
      kernel.promote_b = promote_b.data() + panel * p.promote_groups_b * L;
    }
    kernel.block_begin = item % block_items * kBlocksPerItem;
    kernel.block_end = std::min(blocks, kernel.block_begin + kBlocksPerItem);
    const std::int64_t row_begin = kernel.block_begin * B, row_end = std::min(p.m, kernel.block_end * B);
    std::vector<std::uint32_t> out(static_cast<std::size_t>((row_end - row_begin) * L));
    kernel.d = out.data(), kernel.scalar_step = scalar_step, kernel.context = &context;
    for (std::size_t s = 0; s < windows.size(); ++s) {
      kernel.windows = windows[s].data(), kernel.window_count = static_cast<std::int64_t>(windows[s].size());
      fp8_chain_panel_avx2(kernel);
      for (std::int64_t row = row_begin; row < row_end; ++row)
        std::copy_n(out.begin() + (row - row_begin) * L, context.lanes, d.begin() + static_cast<std::ptrdiff_t>(s * mn) + row * p.n + n0);
    }
  });
  return d;
#else
  (void)ins, (void)schedule, (void)p, (void)threads;
  throw InternalError("the FP8 chain kernel is not built on this platform");
#endif
}

}  // namespace fp8check::detail
