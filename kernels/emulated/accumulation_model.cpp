#include "kernels/emulated/accumulation_model.hpp"

#include <charconv>

#include "harness/core/error.hpp"

namespace fp8check {

std::string AccumulationModel::id() const {
  switch (kind) {
    case Kind::fp32_tiled: return "fp32";
    case Kind::exact: return "exact";
    case Kind::tensor_core:
      return "tc" + std::to_string(mantissa_bits) + (truncate ? "t" : "r") + ".p" + std::to_string(promotion_interval) +
             (mma_k != 32 ? ".k" + std::to_string(mma_k) : "");
  }
  return "?";
}

void AccumulationModel::validate() const {
  if (kind != Kind::tensor_core) return;
  if (mantissa_bits < 1 || mantissa_bits > 23)
    throw InputError("accumulation model: mantissa_bits " + std::to_string(mantissa_bits) + " must be in [1, 23]");
  if (mma_k < 1 || mma_k > 256)
    throw InputError("accumulation model: mma_k " + std::to_string(mma_k) + " must be in [1, 256]");
  if (promotion_interval < 0 || (promotion_interval > 0 && promotion_interval % mma_k != 0))
    throw InputError("accumulation model: promotion interval " + std::to_string(promotion_interval) +
                     " must be 0 (never) or a multiple of mma_k " + std::to_string(mma_k));
}

AccumulationModel parse_accumulation_model(const std::string& id) {
  AccumulationModel m;
  const auto bad = [&] {
    return InputError("unknown accumulation model '" + id +
                      "': expected fp32, exact, or tc<bits><t|r>[.p<interval>][.k<mma_k>] (e.g. tc14t.p128, tc14t.p0)");
  };
  if (id == "fp32") return m;
  if (id == "exact") {
    m.kind = AccumulationModel::Kind::exact;
    return m;
  }
  if (!id.starts_with("tc")) throw bad();
  m.kind = AccumulationModel::Kind::tensor_core;
  const char* p = id.data() + 2;
  const char* end = id.data() + id.size();
  auto read_int = [&](int& out) {
    const auto [next, ec] = std::from_chars(p, end, out);
    if (ec != std::errc()) throw bad();
    p = next;
  };
  read_int(m.mantissa_bits);
  if (p == end || (*p != 't' && *p != 'r')) throw bad();
  m.truncate = *p++ == 't';
  while (p != end) {
    if (*p++ != '.' || p == end) throw bad();
    const char field = *p++;
    if (field == 'p') read_int(m.promotion_interval);
    else if (field == 'k') read_int(m.mma_k);
    else throw bad();
  }
  m.validate();
  return m;
}

}  // namespace fp8check
