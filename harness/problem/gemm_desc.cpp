#include "harness/problem/gemm_desc.hpp"

#include <bit>
#include <numeric>
#include <ostream>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/core/machine_memory.hpp"

namespace fp8check {

std::string GemmDesc::layout() const { return std::string(a_k_major ? "T" : "N") + (b_k_major ? "N" : "T"); }

std::string GemmDesc::shape_id() const {
  std::string s = "m" + std::to_string(m) + ".n" + std::to_string(n) + ".k" + std::to_string(k);
  switch (kind) {
    case GemmKind::dense: break;
    case GemmKind::batched: s += ".b" + std::to_string(groups); break;
    case GemmKind::grouped_contiguous: s += ".g" + std::to_string(groups); break;
    case GemmKind::grouped_masked: s += ".g" + std::to_string(groups) + "m"; break;
  }
  return s;
}

std::int64_t GemmDesc::stored_rows() const {
  switch (kind) {
    case GemmKind::dense: return m;
    case GemmKind::batched:
    case GemmKind::grouped_masked: return m * groups;
    case GemmKind::grouped_contiguous: return std::accumulate(group_rows.begin(), group_rows.end(), std::int64_t{0});
  }
  return m;
}

std::optional<std::uint64_t> GemmDesc::problem_bytes() const {
  if (m < 0 || n < 0 || k < 0 || groups < 0) return std::nullopt;
  const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
  // Rows of A and D: m per batch or masked group, all groups' rows back to back (contiguous).
  std::optional<std::uint64_t> rows = u(m);
  if (kind == GemmKind::batched || kind == GemmKind::grouped_masked) rows = checked_product(u(m), u(groups));
  const std::uint64_t b_count = kind == GemmKind::dense ? 1 : u(groups);  // B per batch or group
  // Elements times bits, then / 8 rounded up: 4-bit types take half a byte.
  const auto bytes = [](std::optional<std::uint64_t> count, std::uint64_t bits) -> std::optional<std::uint64_t> {
    if (!count) return std::nullopt;
    const auto total_bits = checked_product(*count, bits);
    return total_bits ? std::optional<std::uint64_t>(*total_bits / 8 + (*total_bits % 8 != 0)) : std::nullopt;
  };
  const auto a = rows ? bytes(checked_product(*rows, u(k)), u(a_type.bits())) : std::nullopt;
  const auto bk = checked_product(u(n), u(k));
  const auto b = bk ? bytes(checked_product(*bk, b_count), u(b_type.bits())) : std::nullopt;
  const auto d = rows ? bytes(checked_product(*rows, u(n)), 8 * u(output_type_bytes(d_type))) : std::nullopt;
  if (!a || !b || !d) return std::nullopt;
  const auto ab = checked_sum(*a, *b);
  return ab ? checked_sum(*ab, *d) : std::nullopt;
}

void GemmDesc::validate() const { validate(machine_memory_bytes()); }

void GemmDesc::validate(std::uint64_t memory_bytes) const {
  auto fail = [this](const std::string& what) {
    throw InputError("invalid GEMM problem " + shape_id() + ": " + what);
  };
  if (m < 1 || n < 1 || k < 1) fail("m, n and k must be >= 1");
  if (groups < 1) fail("groups must be >= 1");
  const std::optional<std::uint64_t> bytes = problem_bytes();
  if (!bytes) fail("A, B and D hold more than 2^64 bytes: expected a problem that fits in memory");
  if (memory_bytes != 0 && *bytes > memory_bytes)
    fail("A, B and D take " + byte_text(*bytes) + " in their types, more than the " +
         byte_text(memory_bytes) + " of memory this process may use: expected a smaller shape or fewer groups");
  if (kind == GemmKind::dense && groups != 1) fail("a dense GEMM has groups = 1 (use kind batched or grouped)");
  const bool grouped = kind == GemmKind::grouped_contiguous || kind == GemmKind::grouped_masked;
  if (grouped && static_cast<std::int64_t>(group_rows.size()) != groups)
    fail("group_rows has " + std::to_string(group_rows.size()) + " entries, expected one per group (" +
         std::to_string(groups) + ")");
  if (!grouped && !group_rows.empty()) fail("group_rows is only for grouped kinds");
  for (std::int64_t r : group_rows) {
    if (r < 0) fail("group_rows must be >= 0");
    if (kind == GemmKind::grouped_masked && r > m)
      fail("masked group has " + std::to_string(r) + " valid rows, more than the padded m = " + std::to_string(m));
  }
  if (kind == GemmKind::grouped_contiguous && stored_rows() != m)
    fail("contiguous groups' rows sum to " + std::to_string(stored_rows()) + ", expected m = " + std::to_string(m));
  // MN-major A: one batch's rows per line set (batched A is `groups` separate matrices).
  const std::int64_t min_lda = a_k_major ? k : (kind == GemmKind::batched ? m : stored_rows());
  const std::int64_t min_ldb = b_k_major ? k : n;
  if (lda != 0 && lda < min_lda) fail("lda " + std::to_string(lda) + " < minimum " + std::to_string(min_lda));
  if (ldb != 0 && ldb < min_ldb) fail("ldb " + std::to_string(ldb) + " < minimum " + std::to_string(min_ldb));
  if (ldd != 0 && ldd < n) fail("ldd " + std::to_string(ldd) + " < n " + std::to_string(n));
  for (const ScaleBlock* s : {&a_scale, &b_scale})
    if (s->mn < 0 || s->k < 0) fail("scale block sizes must be >= 0");
}

std::string_view output_type_name(OutputType t) {
  switch (t) {
    case OutputType::fp32: return "fp32";
    case OutputType::bf16: return "bf16";
    case OutputType::fp16: return "fp16";
    case OutputType::e4m3fn: return "e4m3fn";
  }
  return "?";
}

OutputType parse_output_type(std::string_view name) {
  for (OutputType t : {OutputType::fp32, OutputType::bf16, OutputType::fp16, OutputType::e4m3fn})
    if (output_type_name(t) == name) return t;
  throw InputError("unknown output type '" + std::string(name) + "': expected fp32, bf16, fp16 or e4m3fn");
}

int output_type_bytes(OutputType t) { return t == OutputType::fp32 ? 4 : t == OutputType::e4m3fn ? 1 : 2; }

std::string_view gemm_kind_name(GemmKind k) {
  switch (k) {
    case GemmKind::dense: return "dense";
    case GemmKind::batched: return "batched";
    case GemmKind::grouped_contiguous: return "grouped_contiguous";
    case GemmKind::grouped_masked: return "grouped_masked";
  }
  throw InternalError("gemm_kind_name: unknown kind");
}

std::uint32_t unwritten_output_code(OutputType t) {
  switch (t) {
    case OutputType::fp32: return 0x7FC0DEADu;
    case OutputType::bf16: return 0x7FDEu;
    case OutputType::fp16: return 0x7EADu;
    case OutputType::e4m3fn: return 0x7Fu;
  }
  throw InternalError("unwritten_output_code: unknown output type");
}

double output_value(OutputType t, std::uint32_t bits) {
  switch (t) {
    case OutputType::fp32: return std::bit_cast<float>(bits);
    case OutputType::bf16: return decode(Format::bf16, bits);
    case OutputType::fp16: return decode(Format::fp16, bits);
    case OutputType::e4m3fn: return decode(Format::e4m3fn, bits);
  }
  throw InternalError("output_value: unknown output type");
}

std::ostream& operator<<(std::ostream& os, const GemmDesc& d) {
  os << "GemmDesc{" << d.shape_id() << " " << d.a_type.name() << "x" << d.b_type.name() << "->"
     << output_type_name(d.d_type) << " " << d.layout() << " scales a" << d.a_scale.mn << "x" << d.a_scale.k << " b"
     << d.b_scale.mn << "x" << d.b_scale.k;
  if (d.lda || d.ldb || d.ldd) os << " ld " << d.lda << "/" << d.ldb << "/" << d.ldd;
  if (d.alpha != 1.0 || d.beta != 0.0) os << " alpha " << d.alpha << " beta " << d.beta;
  if (d.with_bias) os << " +bias";
  return os << "}";
}

}  // namespace fp8check
