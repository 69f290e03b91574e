#include "kernels/emulated/accumulation_model.hpp"

#include "harness/core/error.hpp"

namespace fp8check {

std::string AccumulationModel::id() const {
  switch (kind) {
    case Kind::fp32_tiled: return "fp32";
    case Kind::exact: return "exact";
    case Kind::tensor_core: return kernel.id();
  }
  return "?";
}

void AccumulationModel::validate() const {
  if (kind == Kind::tensor_core) kernel.validate();
}

AccumulationModel parse_accumulation_model(std::string_view id) {
  if (id == "fp32") return {};
  if (id == "exact") return {AccumulationModel::Kind::exact, {}};
  // The running-sum rounding model (tc<p><t|r>.p<N>) described no GPU and was removed; say
  // what replaces it rather than failing with the kernel-model parser's generic message.
  if (id.starts_with("tc") && id.size() > 2 && id[2] >= '0' && id[2] <= '9')
    throw InputError("accumulation model '" + std::string(id) +
                     "': the running-sum models tc<bits><t|r>.p<N> were removed (they describe no GPU); use a "
                     "kernel model instead, e.g. sm90-wgmma.p128 (Hopper wgmma, promotion every 128 k) or sm90-wgmma "
                     "(fast accumulation), or fp32 / exact (docs/accumulation.md)");
  try {
    return AccumulationModel::of(parse_kernel_model(id));
  } catch (const InputError& e) {
    throw InputError("accumulation model: expected fp32, exact or a kernel model; " + std::string(e.what()));
  }
}

}  // namespace fp8check
