#include "kernels/emulated/attention_model.hpp"

#include "harness/core/error.hpp"

namespace fp8check {
namespace {

bool is_fp8(Format f) { return f == Format::e4m3fn || f == Format::e5m2; }

}  // namespace

Format attention_mma_operand(Format f, Format other) { return is_fp8(f) && is_fp8(other) ? f : Format::bf16; }

std::string AttentionKernelModel::id() const { return mma ? mma->id() : "fp32"; }

MmaInstruction AttentionKernelModel::score_instruction(const AttentionDesc& p) const {
  if (!mma) throw InternalError("the fp32 attention model issues no tensor-core instruction");
  const Format q = p.q_type.format, k = p.k_type.format;
  return mma->instruction(attention_mma_operand(q, k), attention_mma_operand(k, q));
}

MmaInstruction AttentionKernelModel::pv_instruction(const AttentionDesc& p) const {
  if (!mma) throw InternalError("the fp32 attention model issues no tensor-core instruction");
  const Format pf = p.p.format, v = p.v_type.format;
  return mma->instruction(attention_mma_operand(pf, v), attention_mma_operand(v, pf));
}

std::string AttentionKernelModel::why_unsupported(const AttentionDesc& p, const AttentionConfig& c) const {
  if (!mma) return "";
  const MmaInstruction pv = pv_instruction(p);
  if (c.block_kv % pv.k != 0)
    return "kernel model " + id() + ": block_kv " + std::to_string(c.block_kv) + " is not a multiple of " +
           std::to_string(pv.k) + ", the k of " + pv.name + " over the kv block in P V";
  return "";
}

AttentionKernelModel parse_attention_kernel_model(std::string_view id) {
  const std::string accepted =
      "expected fp32, sm90-wgmma[.fN] (Hopper wgmma in FlashAttention-3's order) or sm89-mma[.fN] (Ada's mma.sync "
      "in the same order, fp8check's own cuda kernel); .fN: N fraction bits";
  if (id == "fp32") return {};
  KernelModel m;
  try {
    m = parse_kernel_model(id);
  } catch (const InputError&) {
    throw InputError("attention kernel model '" + std::string(id) + "': " + accepted);
  }
  if (m.base != MmaKernelBase::sm90_wgmma && m.base != MmaKernelBase::sm89_mma)
    throw InputError("attention kernel model '" + std::string(id) +
                     "': only Hopper's wgmma and Ada's mma.sync are modelled for attention; " + accepted);
  if (m.promotion_interval != 0)
    throw InputError("attention kernel model '" + std::string(id) +
                     "': FlashAttention-3 (and fp8check's own kernel) keeps S and O in one tensor-core accumulator each "
                     "(no promotion); " + accepted);
  return {m};
}

}  // namespace fp8check
