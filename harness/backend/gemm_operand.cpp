#include "harness/backend/gemm_operand.hpp"

#include <string>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"

namespace fp8check {

std::string_view blas_layout_name(BlasLayout l) {
  switch (l) {
    case BlasLayout::TN: return "TN";
    case BlasLayout::NN: return "NN";
    case BlasLayout::NT: return "NT";
    case BlasLayout::TT: return "TT";
  }
  return "?";
}

namespace {
GemmOperand contiguous(std::int64_t mn, std::int64_t k, bool k_major) {
  GemmOperand op;
  op.mn = mn;
  op.k = k;
  op.k_major = k_major;
  op.ld = k_major ? k : mn;
  op.batch_stride = mn * k;
  return op;
}
}  // namespace

GemmOperand GemmOperand::of_values(const float* v, std::int64_t mn, std::int64_t k, bool k_major) {
  GemmOperand op = contiguous(mn, k, k_major);
  op.storage = ElementStorage::f32_values;
  op.values = v;
  return op;
}

GemmOperand GemmOperand::of_codes(const std::uint8_t* c, Format f, std::int64_t mn, std::int64_t k, bool k_major) {
  GemmOperand op = contiguous(mn, k, k_major);
  op.storage = ElementStorage::codes;
  op.codes = c;
  op.code_format = f;
  return op;
}

GemmOperand GemmOperand::of_integers(const std::int8_t* v, std::int64_t mn, std::int64_t k, bool k_major) {
  GemmOperand op = contiguous(mn, k, k_major);
  op.storage = ElementStorage::int8_values;
  op.integers = v;
  return op;
}

double GemmOperand::element(std::int64_t batch, std::int64_t i_mn, std::int64_t i_k) const {
  const std::int64_t at = element_offset(batch, i_mn, i_k);
  switch (storage) {
    case ElementStorage::f32_values: return values[at];
    case ElementStorage::codes: return decode(code_format, codes[at]);
    case ElementStorage::int8_values: return integers[at];
  }
  return 0;
}

float GemmOperand::scale_of_group(std::int64_t batch, std::int64_t i_mn, std::int64_t k_group) const {
  if (scales.data == nullptr) return 1.0f;
  const std::int64_t i = scales.block.mn > 0 ? i_mn / scales.block.mn : 0;
  const std::int64_t j = scales.block.k > 0 ? k_group : 0;
  return scales.data[batch * scales.batch_stride + i * scales.stride_mn + j * scales.stride_k];
}

float GemmOperand::scale(std::int64_t batch, std::int64_t i_mn, std::int64_t i_k) const {
  return scale_of_group(batch, i_mn, scales.block.k > 0 ? i_k / scales.block.k : 0);
}

void GemmOperand::validate(std::string_view role) const {
  const std::string who = "GEMM operand " + std::string(role) + ": ";
  auto fail = [&](const std::string& what) { throw InputError(who + what); };
  const bool has_data = (storage == ElementStorage::f32_values && values != nullptr) ||
                        (storage == ElementStorage::codes && codes != nullptr) ||
                        (storage == ElementStorage::int8_values && integers != nullptr);
  if (!has_data) fail("no element array for its storage kind (values, codes or integers)");
  if (storage == ElementStorage::codes && format_spec(code_format).bits > 8)
    fail(std::string(format_spec(code_format).name) +
         " codes do not fit one byte; accepted code formats are the 4-, 6- and 8-bit formats");
  if (mn < 0 || k < 1) fail("extents mn = " + std::to_string(mn) + ", k = " + std::to_string(k) + " must be >= 0 and >= 1");
  if (batches < 1) fail("batches must be >= 1");
  const std::int64_t min_ld = k_major ? k : mn;
  if (ld < min_ld)
    fail("ld " + std::to_string(ld) + " is below the minimum " + std::to_string(min_ld) + " for a " +
         (k_major ? "K-major" : "MN-major") + " layout");
  if (batches > 1 && batch_stride < (k_major ? (mn - 1) * ld + k : (k - 1) * ld + mn))
    fail("batch_stride " + std::to_string(batch_stride) + " makes consecutive matrices overlap");
  if (scales.data != nullptr) {
    if (scales.block.mn < 0 || scales.block.k < 0)
      fail("scale block sizes must be >= 0 (0 = the whole extent)");
    if (scales.stride_mn < 0 || scales.stride_k < 0 || scales.batch_stride < 0)
      fail("scale strides must be >= 0");
  }
}

}  // namespace fp8check
