#include "harness/problem/attention_desc.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ostream>

#include "harness/core/error.hpp"
#include "harness/core/machine_memory.hpp"
#include "harness/core/format_names.hpp"

namespace fp8check {
namespace {

constexpr double kMaxPScale = 32768.0;  // 2^15

bool is_power_of_two(double x) {
  int exponent = 0;
  return std::isfinite(x) && x > 0 && std::frexp(x, &exponent) == 0.5;
}

std::string short_format_name(Format f) { return f == Format::e4m3fn ? "e4m3" : std::string(format_name(f)); }

bool is_p_format(Format f) { return f == Format::e4m3fn || f == Format::e5m2 || f == Format::bf16; }

// The shortest text that reads back as the same double.
std::string scale_text(double scale) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, scale);
  return std::string(buf, r.ptr);
}

}  // namespace

std::string PHandling::name() const {
  const std::string base = short_format_name(format);
  if (format == Format::bf16 && scale == 1.0) return base;
  return base + ".s" + scale_text(scale);
}

PHandling default_p_handling(Format f) { return {f, f == Format::bf16 ? 1.0 : 256.0}; }

PHandling parse_p_handling(std::string_view text) {
  const std::string accepted =
      "expected e4m3, e5m2 or bf16, optionally .sN with N a power of two in [1, 32768] (e.g. e4m3.s256)";
  const auto dot = text.find('.');
  const std::string_view base = text.substr(0, dot);
  Format f = Format::e4m3fn;
  try {
    f = parse_format(base);
  } catch (const InputError&) {
    throw InputError("P handling '" + std::string(text) + "': unknown format '" + std::string(base) + "'; " + accepted);
  }
  if (!is_p_format(f))
    throw InputError("P handling '" + std::string(text) + "': P cannot be " + std::string(format_name(f)) + "; " +
                     accepted);
  PHandling p = default_p_handling(f);
  if (dot == std::string_view::npos) return p;
  const std::string_view rest = text.substr(dot + 1);
  std::int64_t n = 0;
  const char* end = rest.data() + rest.size();
  const bool digits = rest.size() > 1 && rest[0] == 's';
  const auto parsed = digits ? std::from_chars(rest.data() + 1, end, n) : std::from_chars_result{rest.data(), std::errc()};
  const bool valid = digits && parsed.ec == std::errc() && parsed.ptr == end;
  if (!valid || n < 1 || n > kMaxPScale || !is_power_of_two(static_cast<double>(n)))
    throw InputError("P handling '" + std::string(text) + "': bad scale '" + std::string(rest) + "'; " + accepted);
  p.scale = static_cast<double>(n);
  return p;
}

std::string AttentionDesc::shape_id() const {
  std::string s = "b" + std::to_string(batch) + ".h" + std::to_string(q_heads) + ".kv" + std::to_string(kv_heads) +
                  ".sq" + std::to_string(seq_q) + ".skv" + std::to_string(seq_kv) + ".d" + std::to_string(head_dim_qk);
  if (head_dim_v != head_dim_qk) s += ".dv" + std::to_string(head_dim_v);
  if (causal) s += ".causal";
  return s;
}

std::int64_t AttentionDesc::visible_keys(std::int64_t i) const {
  if (!causal) return seq_kv;
  return std::clamp<std::int64_t>(i + seq_kv - seq_q + 1, 0, seq_kv);
}

std::optional<std::uint64_t> AttentionDesc::problem_bytes() const {
  for (const std::int64_t v : {batch, q_heads, kv_heads, seq_q, seq_kv, head_dim_qk, head_dim_v})
    if (v < 0) return std::nullopt;
  const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
  // batch * heads * seq * dim elements of `bits` bits, in bytes (rounded up).
  const auto tensor = [&](std::int64_t heads, std::int64_t seq, std::int64_t dim, int bits) {
    std::optional<std::uint64_t> n = u(bits);
    for (const std::int64_t e : {batch, heads, seq, dim}) n = n ? checked_product(*n, u(e)) : std::nullopt;
    return n ? std::optional<std::uint64_t>(*n / 8 + (*n % 8 != 0)) : std::nullopt;
  };
  const std::optional<std::uint64_t> parts[] = {
      tensor(q_heads, seq_q, head_dim_qk, q_type.bits()), tensor(kv_heads, seq_kv, head_dim_qk, k_type.bits()),
      tensor(kv_heads, seq_kv, head_dim_v, v_type.bits()),
      tensor(q_heads, seq_q, head_dim_v, 8 * output_type_bytes(o_type))};
  std::optional<std::uint64_t> total = 0;
  for (const auto& part : parts) total = total && part ? checked_sum(*total, *part) : std::nullopt;
  return total;
}

void AttentionDesc::validate() const { validate(machine_memory_bytes()); }

void AttentionDesc::validate(std::uint64_t memory_bytes) const {
  auto fail = [this](const std::string& what) {
    throw InputError("invalid attention problem " + shape_id() + ": " + what);
  };
  for (const auto& [value, name] : {std::pair{batch, "batch"}, {q_heads, "q_heads"}, {kv_heads, "kv_heads"},
                                    {seq_q, "seq_q"}, {seq_kv, "seq_kv"}, {head_dim_qk, "head_dim_qk"},
                                    {head_dim_v, "head_dim_v"}})
    if (value < 1) fail(std::string(name) + " = " + std::to_string(value) + ": expected >= 1");
  const std::optional<std::uint64_t> bytes = problem_bytes();
  if (!bytes) fail("Q, K, V and O hold more than 2^64 bytes: expected a problem that fits in memory");
  if (memory_bytes != 0 && *bytes > memory_bytes)
    fail("Q, K, V and O take " + byte_text(*bytes) + " in their types, more than the " +
         byte_text(memory_bytes) + " of memory this process may use: expected a smaller shape");
  if (q_heads % kv_heads != 0)
    fail("kv_heads = " + std::to_string(kv_heads) + " does not divide q_heads = " + std::to_string(q_heads) +
         ": GQA needs q_heads a multiple of kv_heads (MHA: equal, MQA: kv_heads = 1)");
  if (!(std::isfinite(softmax_scale) && softmax_scale > 0))
    fail("softmax_scale = " + scale_text(softmax_scale) + ": expected a finite value > 0 (usually 1/sqrt(head_dim_qk))");
  auto fp8 = [](ElementType t) { return !t.is_integer() && (t.format == Format::e4m3fn || t.format == Format::e5m2); };
  if (!fp8(q_type) && !(q_type == ElementType::of(Format::bf16)))
    fail("Q type " + q_type.name() + ": expected e4m3fn, e5m2 or bf16 (bf16 Q with an FP8 KV cache)");
  if (!fp8(k_type) || !fp8(v_type))
    fail("K/V types " + k_type.name() + "/" + v_type.name() + ": expected e4m3fn or e5m2");
  if (o_type == OutputType::e4m3fn) fail("output e4m3fn: expected bf16, fp16 or fp32");
  if (!is_p_format(p.format))
    fail("P format " + std::string(format_name(p.format)) + ": expected e4m3fn, e5m2 or bf16");
  if (!is_power_of_two(p.scale) || p.scale < 1 || p.scale > kMaxPScale)
    fail("P scale " + scale_text(p.scale) + ": expected a power of two in [1, 32768]");
}

std::ostream& operator<<(std::ostream& os, const AttentionDesc& d) {
  return os << "AttentionDesc{" << d.shape_id() << " q " << d.q_type.name() << " k " << d.k_type.name() << " v "
            << d.v_type.name() << " -> " << output_type_name(d.o_type) << ", P " << d.p.name()
            << ", softmax_scale " << scale_text(d.softmax_scale) << "}";
}

}  // namespace fp8check
