// The launch's host side: scale tensors in each mode's layout hold the recipe's scales
// where the documented layout puts them, FP4 codes pack two per byte, C and bias arrive in
// their cuBLASLt types, and D comes back from column-major N x M into fp8check's rows.
#include <gtest/gtest.h>

#include <cstring>

#include "harness/core/convert.hpp"
#include "harness/quantize/tiled_scale_layout.hpp"
#include "kernels/cuda/cublaslt/cublaslt_operands.hpp"
#include "kernels/cuda/cublaslt/cublaslt_plan.hpp"
#include "tests/cublaslt/cublaslt_test_support.hpp"

namespace fp8check::cublaslt {
namespace {

float float_at(const std::vector<std::uint8_t>& bytes, std::int64_t i) {
  float v;
  std::memcpy(&v, bytes.data() + i * 4, 4);
  return v;
}

test::PreparedCase prepare(CaseParams params) {
  params.emplace_back("backend", "cublaslt");
  return test::prepare(params, "operands", 5);
}

TEST(CublasLtOperands, Fp32ScaleTensorsFollowTheirModes) {
  // A: 1x128 (VEC128, cuBLASLt's B), B: 128x128 (BLK128x128, cuBLASLt's A). M = 130 rows pads to 132.
  const test::PreparedCase p = prepare({{"shape", "m130.n256.k384"}, {"recipe", "vec128.blk128x128"}});
  const GemmArguments& args = p.in.args;
  const Plan plan = make_plan(args, {});
  ASSERT_EQ(plan.b_scale.mode, CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F);
  ASSERT_EQ(plan.a_scale.mode, CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F);
  const HostBuffers h = pack_operands(plan, args);
  // VEC128: [ceil(384/128) = 3][pad4(130) = 132], rows fastest.
  ASSERT_EQ(h.b_scale.size(), 4u * 3 * 132);
  for (std::int64_t j = 0; j < 3; ++j)
    for (std::int64_t i : {0, 1, 64, 129}) EXPECT_EQ(float_at(h.b_scale, j * 132 + i), args.a.scale(0, i, j * 128)) << i << "," << j;
  EXPECT_EQ(float_at(h.b_scale, 130), 0.0f);  // padding
  // BLK128x128: [ceil(256/128) = 2][pad4(3) = 4], K blocks fastest.
  ASSERT_EQ(h.a_scale.size(), 4u * 2 * 4);
  for (std::int64_t i = 0; i < 2; ++i)
    for (std::int64_t j = 0; j < 3; ++j) EXPECT_EQ(float_at(h.a_scale, i * 4 + j), args.b.scale(0, i * 128, j * 128));
  EXPECT_EQ(float_at(h.a_scale, 3), 0.0f);
  // Operand codes as stored (K-major, one byte each).
  ASSERT_EQ(h.b.size(), static_cast<std::size_t>(130 * 384));
  EXPECT_EQ(h.b[5 * 384 + 7], args.a.codes[5 * 384 + 7]);
  EXPECT_EQ(h.a[200 * 384 + 383], args.b.codes[200 * 384 + 383]);
}

TEST(CublasLtOperands, OuterVectorsBroadcastAPerTensorScale) {
  const test::PreparedCase p = prepare({{"shape", "m64.n128.k256"}, {"recipe", "tensor.col"}});
  const Plan plan = make_plan(p.in.args, {});
  ASSERT_EQ(plan.b_scale.mode, CUBLASLT_MATMUL_MATRIX_SCALE_OUTER_VEC_32F);
  const HostBuffers h = pack_operands(plan, p.in.args);
  ASSERT_EQ(h.b_scale.size(), 4u * 64);
  for (std::int64_t i : {0, 31, 63}) EXPECT_EQ(float_at(h.b_scale, i), p.in.args.a.scale(0, 0, 0));
  for (std::int64_t n : {0, 77, 127}) EXPECT_EQ(float_at(h.a_scale, n), p.in.args.b.scale(0, n, 0));
}

TEST(CublasLtOperands, BlockScaledCodesAndFp4Packing) {
  const test::PreparedCase p = prepare({{"shape", "m64.n128.k256"}, {"formats", "e2m1fn.e2m1fn"}, {"recipe", "nvfp4"}});
  const GemmArguments& args = p.in.args;
  const Plan plan = make_plan(args, {});
  ASSERT_EQ(plan.b_scale.mode, CUBLASLT_MATMUL_MATRIX_SCALE_VEC16_UE4M3);
  EXPECT_EQ(plan.alpha, args.a.tensor_scale * args.b.tensor_scale);  // NVFP4's second level rides on alpha
  const HostBuffers h = pack_operands(plan, args);
  const TiledScaleLayout a_layout{64, 16};  // 64 rows, 256 / 16 blocks
  ASSERT_EQ(static_cast<std::int64_t>(h.b_scale.size()), a_layout.size());
  for (std::int64_t i : {0, 33, 63})
    for (std::int64_t j : {0, 5, 15})
      EXPECT_EQ(decode(Format::e4m3fn, h.b_scale[static_cast<std::size_t>(a_layout.offset(i, j))]),
                args.a.scale(0, i, j * 16));
  // Two e2m1 codes per byte, the lower index in the low nibble.
  ASSERT_EQ(h.b.size(), static_cast<std::size_t>(64 * 256 / 2));
  for (std::size_t at : {0u, 1u, 4095u, 8191u}) {
    EXPECT_EQ(h.b[at] & 0x0F, args.a.codes[2 * at]);
    EXPECT_EQ(h.b[at] >> 4, args.a.codes[2 * at + 1]);
  }
  const test::PreparedCase mx = prepare({{"shape", "m64.n128.k256"}, {"recipe", "mxfp8"}});
  const HostBuffers hm = pack_operands(make_plan(mx.in.args, {}), mx.in.args);
  const TiledScaleLayout b_layout{128, 8};
  EXPECT_EQ(decode(Format::e8m0fnu, hm.a_scale[static_cast<std::size_t>(b_layout.offset(100, 6))]),
            mx.in.args.b.scale(0, 100, 6 * 32));
}

TEST(CublasLtOperands, CAndBiasInTheirTypesAndDBackInRows) {
  test::PreparedCase p = prepare({{"shape", "m32.n64.k128"}, {"epilogue", "beta"}, {"output", "fp16"}});
  GemmArguments& args = p.in.args;
  for (float& v : p.in.c_values) v = static_cast<float>(decode(Format::fp16, encode(Format::fp16, v)));
  const Plan plan = make_plan(args, {});
  ASSERT_EQ(plan.c.type, CUDA_R_16F);
  const HostBuffers h = pack_operands(plan, args);
  std::uint16_t code;
  std::memcpy(&code, h.c.data() + (5 * 64 + 9) * 2, 2);  // row 5, column 9 = (9, 5) of the N x M matrix
  EXPECT_EQ(decode(Format::fp16, code), args.problem.c[5 * 64 + 9]);

  // D as cuBLASLt writes it (column-major N x M, fp16), then read back into rows.
  std::vector<std::uint8_t> d(plan.d.bytes());
  for (std::int64_t m = 0; m < 32; ++m)
    for (std::int64_t n = 0; n < 64; ++n) {
      const std::uint16_t c16 = static_cast<std::uint16_t>(encode(Format::fp16, static_cast<double>(m - n)));
      std::memcpy(d.data() + (m * 64 + n) * 2, &c16, 2);
    }
  GemmOutput out;
  out.prepare_for(args.problem);
  unpack_output(plan, args, d, 0.0f, out);
  EXPECT_EQ(out.value(0, 3, 10), -7.0);
  EXPECT_EQ(out.value(0, 31, 0), 31.0);
  EXPECT_EQ(out.amax, 63.0);  // |0 - 63|: computed from D, cuBLASLt's AMAX_D is for FP8 outputs only
}

}  // namespace
}  // namespace fp8check::cublaslt
