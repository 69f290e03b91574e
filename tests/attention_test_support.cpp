#include "tests/attention_test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "harness/core/convert.hpp"

namespace fp8check::test {
namespace {

std::size_t index(Operand o) { return static_cast<std::size_t>(o); }

Format format_of(const AttentionFixture& f, Operand o) {
  const AttentionDesc& d = f.c.desc;
  return (o == Operand::q ? d.q_type : o == Operand::k ? d.k_type : d.v_type).format;
}

AttentionOperand view(const AttentionFixture& f, Operand o) {
  const std::vector<std::uint8_t>& codes = f.codes[index(o)];
  AttentionOperand v;
  v.codes = codes.empty() ? nullptr : codes.data();
  v.wide_codes = o == Operand::q && !f.q_wide_codes.empty() ? f.q_wide_codes.data() : nullptr;
  v.descales = f.descales[index(o)];
  return v;
}

}  // namespace

AttentionFixture make_fixture(const CaseParams& params, std::uint64_t seed) {
  AttentionFixture f;
  f.c = AttentionCase::from_params(params);
  std::string id = "attention-test";
  for (const auto& [axis, value] : params) id += "/" + axis + "=" + value;
  auto in = std::make_shared<AttentionInputs>(prepare_attention_inputs(f.c, id, seed));
  f.ref = std::make_shared<const AttentionReferences>(compute_attention_references(f.c, *in, 2));
  f.codes[0] = in->q_codes;
  f.codes[1] = in->k_codes;
  f.codes[2] = in->v_codes;
  f.q_wide_codes = in->q_wide_codes;
  f.descales[0] = in->q_descales;
  f.descales[1] = in->k_descales;
  f.descales[2] = in->v_descales;
  f.in = std::move(in);
  return f;
}

AttentionOutput run_kernel(const AttentionFixture& f, const AttentionConfig& config, int threads, AttentionFault fault,
                           ChainGemmPath tile_path) {
  AttentionOutput out;
  attention_emulated(f.c.desc, view(f, Operand::q), view(f, Operand::k), view(f, Operand::v), config, out, threads, fault,
                     f.c.model, tile_path);
  return out;
}

CaseResult judge(const AttentionFixture& f, const AttentionConfig& config, const AttentionOutput& out) {
  AttentionFixture plain = f;
  plain.c.desc.p = default_p_handling(Format::bf16);
  const AttentionOutput baseline = run_kernel(plain, config, 2);
  CaseResult r;
  StageTimer timer(r);
  judge_attention(f.c, config, *f.ref, out, ToleranceSettings{}, &baseline, r, timer);
  return r;
}

double max_error(const AttentionFixture& f, const AttentionOutput& out) {
  const AttentionDesc& d = f.c.desc;
  double worst = 0;
  for (std::int64_t b = 0; b < d.batch; ++b)
    for (std::int64_t h = 0; h < d.q_heads; ++h)
      for (std::int64_t i = 0; i < d.seq_q; ++i)
        for (std::int64_t c = 0; c < d.head_dim_v; ++c)
          worst = std::max(worst, std::fabs(out.value(b, h, i, c) - f.ref->dequantized.out.at(b, h)(i, c)));
  return worst;
}

double relative_frobenius(const AttentionFixture& f, const AttentionOutput& out) {
  const AttentionDesc& d = f.c.desc;
  double error = 0, norm = 0;
  for (std::int64_t b = 0; b < d.batch; ++b)
    for (std::int64_t h = 0; h < d.q_heads; ++h)
      for (std::int64_t i = 0; i < d.seq_q; ++i)
        for (std::int64_t c = 0; c < d.head_dim_v; ++c) {
          const double ref = f.ref->dequantized.out.at(b, h)(i, c);
          error += (out.value(b, h, i, c) - ref) * (out.value(b, h, i, c) - ref);
          norm += ref * ref;
        }
  return std::sqrt(error / norm);
}

void expect_same_bits(const AttentionOutput& a, const AttentionOutput& b) {
  ASSERT_EQ(a.bits.size(), b.bits.size());
  std::size_t differ = 0;
  for (std::size_t i = 0; i < a.bits.size(); ++i) differ += a.bits[i] != b.bits[i];
  EXPECT_EQ(differ, 0u) << "of " << a.bits.size() << " output elements";
  EXPECT_EQ(a.lse, b.lse);
}

void keep_halvable_codes(AttentionFixture& f, Operand o) {
  const Format fmt = format_of(f, o);
  const double smallest = 2 * std::ldexp(1.0, format_spec(fmt).emin());
  for (std::uint8_t& code : f.codes[index(o)])
    if (std::fabs(decode(fmt, code)) < smallest) code = 0;
}

void halve_values(AttentionFixture& f, Operand o) {
  const Format fmt = format_of(f, o);
  for (std::uint8_t& code : f.codes[index(o)]) {
    const double half = decode(fmt, code) / 2;
    code = static_cast<std::uint8_t>(encode(fmt, half));
    ASSERT_EQ(decode(fmt, code), half) << "halving must be exact (keep_halvable_codes first)";
  }
}

void scale_descales(AttentionFixture& f, Operand o, float factor) {
  for (float& s : f.descales[index(o)]) s *= factor;
}

}  // namespace fp8check::test
