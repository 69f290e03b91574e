#include "kernels/emulated/gemm_kernel_model.hpp"

#include <bit>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "kernels/emulated/gemm_epilogue.hpp"
#include "kernels/emulated/gemm_pack.hpp"
#include "kernels/emulated/gemm_schedule.hpp"
#include "kernels/emulated/mma/chain_gemm.hpp"
#include "kernels/emulated/parallel_for.hpp"

namespace fp8check::detail {
namespace {

Format operand_format(const GemmOperand& op, const KernelModel& kernel, const char* role) {
  if (op.is_integer())
    throw InputError("kernel model " + kernel.id() + " models floating-point tensor-core instructions; operand " + role +
                     " is an integer (INT8/INT4 MMAs are exact: use accumulation fp32)");
  return op.code_format;
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Every block scale of `op` has an instruction scale code (the first one without says so).
void check_scale_codes(const GemmOperand& op, MmaScaleKind kind, std::int64_t groups) {
  for (std::int64_t batch = 0; batch < op.batches; ++batch)
    for (std::int64_t mn = 0; mn < op.mn; ++mn)
      for (std::int64_t g = 0; g < groups; ++g) instruction_scale_code(kind, op.scale_of_group(batch, mn, g));
}

}  // namespace

KernelModelPlan plan_kernel_model(const KernelModel& kernel, const GemmProblem& problem, const GemmOperand& a,
                                  const GemmOperand& b, const GemmConfig& config, GemmFault fault) {
  kernel.validate();
  KernelModelPlan plan;
  plan.instruction = kernel.instruction(operand_format(a, kernel, "A"), operand_format(b, kernel, "B"));
  const MmaInstruction& ins = plan.instruction;
  const std::string who = "kernel model " + kernel.id() + " (" + ins.name + ", k " + std::to_string(ins.k) + ")";
  const std::int64_t ga = a.scale_group_k(), gb = b.scale_group_k();
  plan.scales_in_instruction = kernel.block_scaled() && ga == ins.scale_block && gb == ins.scale_block;
  plan.scaled_promotion = (ga > 0 || gb > 0) && !plan.scales_in_instruction;
  if (plan.scales_in_instruction) {
    check_scale_codes(a, ins.scale, ceil_div(problem.k, ins.scale_block));
    check_scale_codes(b, ins.scale, ceil_div(problem.k, ins.scale_block));
  }
  if (plan.scaled_promotion) {
    if (kernel.promotion_interval == 0)
      throw InputError(who + " keeps one tensor-core accumulator through all of K (no promotion), so it cannot apply "
                       "scales that change along K (groups of " + std::to_string(ga > 0 ? ga : gb) +
                       " k): use " + kernel.id() + ".p128 (promotion applies them, as DeepGEMM) or a per-tensor/row/column recipe");
    for (const std::int64_t g : {ga, gb})
      if (g > 0 && g % ins.k != 0)
        throw InputError(who + ": scale groups of " + std::to_string(g) + " k cut its instructions (a partial cannot "
                         "mix scales); the group must be a multiple of " + std::to_string(ins.k));
    plan.group_a = ga, plan.group_b = gb;
  }
  // Every slice, and the K loop's end, on the instruction grid (slices start at multiples of L).
  const std::int64_t k = problem.k, bk = config.block_k, splits = config.split_k;
  const std::int64_t length = ceil_div(ceil_div(k, splits), bk) * bk;
  const std::int64_t stop = fault == GemmFault::last_partial_k_block_skipped ? k / (bk * splits) * (bk * splits) : k;
  if (k % ins.k != 0)
    throw InputError(who + ": K " + std::to_string(k) + " is not a multiple of the instruction's k (a kernel pads K "
                     "with zeros; fp8check does not guess that)");
  if ((splits > 1 && length < k && length % ins.k != 0) || stop % ins.k != 0)
    throw InputError(who + ": split-K slices of " + std::to_string(length) + " k (config " + config.id() +
                     ") are not a multiple of the instruction's k");
  return plan;
}

std::uint16_t element_code(const GemmOperand& op, std::int64_t batch, std::int64_t i_mn, std::int64_t i_k) {
  const std::int64_t at = op.element_offset(batch, i_mn, i_k);
  if (op.storage == ElementStorage::codes) return op.codes[at];
  if (op.storage != ElementStorage::f32_values) throw InternalError("element_code of an integer operand");
  const float v = op.values[at];
  const std::uint32_t code = encode(op.code_format, static_cast<double>(v));
  if (!std::isnan(v) && decode(op.code_format, code) != static_cast<double>(v))
    throw InputError("GEMM operand value " + std::to_string(v) + " is not a " + format_spec(op.code_format).name +
                     " value; kernel models read element codes");
  return static_cast<std::uint16_t>(code);
}

std::uint8_t instruction_scale_code(MmaScaleKind kind, float scale) {
  const Format f = kind == MmaScaleKind::ue4m3 ? Format::e4m3fn : Format::e8m0fnu;
  const std::uint32_t code = encode(f, static_cast<double>(scale));
  if (std::isnan(scale)) return static_cast<std::uint8_t>(code);
  if (scale < 0 || std::isinf(scale) || decode(f, code) != static_cast<double>(scale))
    throw InputError("block scale " + std::to_string(scale) + " is not a" +
                     (kind == MmaScaleKind::ue4m3 ? "n unsigned e4m3 value" : "n e8m0 value (a power of two)") +
                     ": the block-scaled instruction takes scale codes");
  return static_cast<std::uint8_t>(code);
}

void gemm_kernel_model(SimdPath path, const GemmProblem& problem, const GemmOperand& a, const GemmOperand& b,
                       const GemmConfig& config, const KernelModel& kernel, GemmOutput& out, int threads,
                       GemmFault fault) {
  const KernelModelPlan plan = plan_kernel_model(kernel, problem, a, b, config, fault);
  const MmaInstruction& ins = plan.instruction;
  ChainSchedule schedule;
  for (const KSlice& slice : make_window_schedule(problem.k, config, kernel.promotion_interval, plan.group_a,
                                                  plan.group_b, fault)) {
    schedule.emplace_back();
    for (const KRun& w : slice.runs) schedule.back().push_back({w.begin, w.end, w.group_a, w.group_b});
  }
  const int workers = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const ChainGemmPath chain_path = path == SimdPath::scalar ? ChainGemmPath::scalar : ChainGemmPath::fastest;
  const bool k_blocked = a.k_blocked() || b.k_blocked();
  const std::int64_t n = problem.n, k = problem.k;
  const std::int64_t instruction_groups = ins.scale != MmaScaleKind::none ? k / ins.scale_block : 0;
  const std::int64_t groups_a = plan.scaled_promotion ? scale_groups(a) : 0;
  const std::int64_t groups_b = plan.scaled_promotion ? scale_groups(b) : 0;
  const std::uint8_t unit_scale = ins.scale == MmaScaleKind::ue4m3 ? 0x38 : 127;  // 1.0 in ue4m3 / e8m0

  // B's codes and scales, K x N, for one batch.
  std::int64_t b_batch_ready = -1;
  std::vector<std::uint16_t> b_codes(static_cast<std::size_t>(k * n));
  std::vector<std::uint8_t> b_ins_scales;
  std::vector<float> b_promote;
  const auto prepare_b = [&](std::int64_t batch) {
    if (batch == b_batch_ready) return;
    parallel_for(k, workers, [&](std::int64_t kk, int) {
      for (std::int64_t col = 0; col < n; ++col) b_codes[static_cast<std::size_t>(kk * n + col)] = element_code(b, batch, col, kk);
    });
    b_ins_scales.assign(static_cast<std::size_t>(instruction_groups * n), unit_scale);
    if (plan.scales_in_instruction)
      for (std::int64_t g = 0; g < instruction_groups; ++g)
        for (std::int64_t col = 0; col < n; ++col)
          b_ins_scales[static_cast<std::size_t>(g * n + col)] = instruction_scale_code(ins.scale, b.scale_of_group(batch, col, g));
    b_promote.resize(static_cast<std::size_t>(groups_b * n));
    for (std::int64_t g = 0; g < groups_b; ++g)
      for (std::int64_t col = 0; col < n; ++col) b_promote[static_cast<std::size_t>(g * n + col)] = b.scale_of_group(batch, col, g);
    b_batch_ready = batch;
  };

  std::vector<double> amax(static_cast<std::size_t>(workers), 0.0);
  const float tensor_ab = a.tensor_scale * b.tensor_scale;
  for (const RowUnit& unit : row_units(problem, fault)) {
    if (unit.rows == 0) continue;
    prepare_b(unit.b_batch);
    const std::int64_t rows = unit.rows;
    std::vector<std::uint16_t> a_codes(static_cast<std::size_t>(rows * k));
    std::vector<std::uint8_t> a_ins_scales(static_cast<std::size_t>(rows * instruction_groups), unit_scale);
    std::vector<float> a_promote(static_cast<std::size_t>(rows * groups_a));
    parallel_for(rows, workers, [&](std::int64_t r, int) {
      const std::int64_t row = unit.row_begin + r;
      for (std::int64_t kk = 0; kk < k; ++kk) a_codes[static_cast<std::size_t>(r * k + kk)] = element_code(a, unit.a_batch, row, kk);
      if (plan.scales_in_instruction)
        for (std::int64_t g = 0; g < instruction_groups; ++g)
          a_ins_scales[static_cast<std::size_t>(r * instruction_groups + g)] =
              instruction_scale_code(ins.scale, a.scale_of_group(unit.a_batch, row, g));
      for (std::int64_t g = 0; g < groups_a; ++g)
        a_promote[static_cast<std::size_t>(r * groups_a + g)] = a.scale_of_group(unit.a_batch, row, g);
    });
    ChainGemmOperands operands;
    operands.m = rows, operands.n = n, operands.k = k, operands.a_format = ins.a, operands.b_format = ins.b;
    operands.a = a_codes, operands.b = b_codes;
    if (ins.scale != MmaScaleKind::none) operands.scale_a = a_ins_scales, operands.scale_b = b_ins_scales;
    if (plan.scaled_promotion) {
      operands.promote_scale_a = a_promote, operands.promote_scale_b = b_promote;
      operands.promote_groups_a = groups_a, operands.promote_groups_b = groups_b;
    }
    const std::vector<std::uint32_t> slices = mma_chain_gemm_slices(ins, schedule, operands, workers, chain_path);

    // Split-K reduction and epilogue, as the fp32 model's (gemm_epilogue.hpp).
    const auto count = static_cast<std::int64_t>(schedule.size());
    parallel_for(rows, workers, [&](std::int64_t r, int worker) {
      const std::int64_t row = unit.row_begin + r;
      const float row_scale = k_blocked ? 1.0f : a.scale(unit.a_batch, row, 0);
      const float* c = problem.beta != 0.0f ? problem.c + unit.a_batch * problem.c_batch_stride + row * problem.ldc : nullptr;
      float parts[64];
      double& m = amax[static_cast<std::size_t>(worker)];
      for (std::int64_t col = 0; col < n; ++col) {
        for (std::int64_t s = 0; s < count; ++s)
          parts[s] = std::bit_cast<float>(slices[static_cast<std::size_t>((s * rows + r) * n + col)]);
        const float acc = reduce_partials(parts, count, 1, config.reduction);
        const float col_scale = k_blocked ? 1.0f : b.scale(unit.b_batch, col, 0);
        const Epilogued e = epilogue<float>(problem, acc, row_scale, col_scale, tensor_ab, c != nullptr ? c + col : nullptr,
                                            problem.bias != nullptr ? problem.bias + col : nullptr);
        out.at(unit.a_batch, row, col) = e.bits;
        m = amax_combine(m, e.magnitude);
      }
    });
  }
  out.amax = 0.0;
  for (double m : amax) out.amax = amax_combine(out.amax, m);
}

}  // namespace fp8check::detail
