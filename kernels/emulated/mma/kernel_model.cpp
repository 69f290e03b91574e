#include "kernels/emulated/mma/kernel_model.hpp"

#include <array>
#include <charconv>
#include <ostream>
#include <utility>

#include "harness/core/error.hpp"

namespace fp8check {
namespace {

struct BaseName {
  MmaKernelBase base;
  const char* id;           // kernel model id
  const char* prefix;       // instruction names: prefix + "_" + operand tag + suffix
  const char* suffix;
};

constexpr std::array<BaseName, 7> kBases{{
    {MmaKernelBase::sm80_mma, "sm80-mma", "sm80_mma", "_f32"},
    {MmaKernelBase::sm89_mma, "sm89-mma", "sm89_mma", "_f32"},
    {MmaKernelBase::sm90_wgmma, "sm90-wgmma", "sm90_wgmma", "_f32"},
    {MmaKernelBase::sm100_tcgen05, "sm100-tcgen05", "sm100_tcgen05", "_f32"},
    {MmaKernelBase::sm100_mxf8, "sm100-mxf8", "sm100_mxf8", "_e8m0"},
    {MmaKernelBase::sm100_mxf4, "sm100-mxf4", "sm100_mxf4", "_e8m0"},
    {MmaKernelBase::sm100_nvf4, "sm100-nvf4", "sm100_nvf4", "_ue4m3"},
}};

const BaseName& base_name(MmaKernelBase base) {
  for (const BaseName& b : kBases)
    if (b.base == base) return b;
  throw InternalError("kernel model base without a name");
}

// The operand part of instruction names: "e4m3", "bf16", "f16", "e2m1", "e4m3xe5m2".
std::string operand_tag(Format f) {
  switch (f) {
    case Format::e4m3fn: return "e4m3";
    case Format::fp16: return "f16";
    case Format::e2m1fn: return "e2m1";
    default: return format_spec(f).name;
  }
}

}  // namespace

std::string KernelModel::id() const {
  std::string s = base_name(base).id;
  if (fraction_bits != 0) s += ".f" + std::to_string(fraction_bits);
  if (promotion_interval != 0) s += ".p" + std::to_string(promotion_interval);
  return s;
}

void KernelModel::validate() const {
  if (fraction_bits != 0 && (fraction_bits < 1 || fraction_bits > 40))
    throw InputError("kernel model " + id() + ": fraction bits must be in [1, 40]");
  if (promotion_interval < 0 || promotion_interval > (1 << 24))
    throw InputError("kernel model " + id() + ": promotion interval must be in [0, 2^24] (0 = never)");
}

bool KernelModel::block_scaled() const {
  return base == MmaKernelBase::sm100_mxf8 || base == MmaKernelBase::sm100_mxf4 || base == MmaKernelBase::sm100_nvf4;
}

MmaInstruction KernelModel::instruction(Format a, Format b) const {
  const BaseName& n = base_name(base);
  const std::string tag = a == b ? operand_tag(a) : operand_tag(a) + "x" + operand_tag(b);
  const std::string wanted = std::string(n.prefix) + "_" + tag + n.suffix;
  std::string accepted;
  for (const MmaInstruction& i : mma_instructions()) {
    const std::string_view name = i.name;
    if (!name.starts_with(std::string(n.prefix) + "_") || !name.ends_with(n.suffix)) continue;
    if (name == wanted) {
      MmaInstruction chosen = fraction_bits != 0 ? i.with_fraction_bits(fraction_bits) : i;
      if (promotion_interval % chosen.k != 0)
        throw InputError("kernel model " + id() + ": promotion interval " + std::to_string(promotion_interval) +
                         " is not a multiple of the instruction's k " + std::to_string(chosen.k) + " (" + i.name + ")");
      return chosen;
    }
    accepted += (accepted.empty() ? "" : ", ") + std::string(format_spec(i.a).name) + "." + format_spec(i.b).name;
  }
  throw InputError("kernel model " + id() + " has no instruction for formats " + format_spec(a).name + "." +
                   format_spec(b).name + ": it takes " + accepted);
}

std::ostream& operator<<(std::ostream& os, const KernelModel& m) {
  os << m.id() << " (";
  if (m.promotion_interval != 0) os << "partial promoted into an FP32 sum every " << m.promotion_interval << " k";
  else os << "one tensor-core accumulator through all of K";
  if (m.fraction_bits != 0) os << ", " << m.fraction_bits << " fraction bits";
  return os << ")";
}

std::string kernel_model_base_list() {
  std::string out;
  for (const BaseName& b : kBases) out += (out.empty() ? "" : ", ") + std::string(b.id);
  return out;
}

KernelModel parse_kernel_model(std::string_view id) {
  const auto bad = [&](const std::string& why) {
    return InputError("unknown kernel model '" + std::string(id) + "' (" + why + "): expected BASE[.fN][.pN] with BASE one of " +
                      kernel_model_base_list() + " (e.g. sm90-wgmma.p128, sm90-wgmma.f12)");
  };
  KernelModel m;
  const std::size_t dot = id.find('.');
  const std::string_view base = id.substr(0, dot);
  bool found = false;
  for (const BaseName& b : kBases)
    if (base == b.id) m.base = b.base, found = true;
  if (!found) throw bad("unknown base '" + std::string(base) + "'");
  std::string_view rest = dot == std::string_view::npos ? std::string_view() : id.substr(dot);
  bool seen_f = false, seen_p = false;
  while (!rest.empty()) {
    const std::size_t next = rest.find('.', 1);
    const std::string_view part = rest.substr(1, next == std::string_view::npos ? rest.npos : next - 1);
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next);
    if (part.size() < 2 || (part[0] != 'f' && part[0] != 'p')) throw bad("unknown suffix '." + std::string(part) + "'");
    bool& seen = part[0] == 'f' ? seen_f : seen_p;
    if (seen) throw bad("suffix ." + std::string(1, part[0]) + " given twice");
    seen = true;
    int value = 0;
    const auto [end, ec] = std::from_chars(part.data() + 1, part.data() + part.size(), value);
    if (ec != std::errc() || end != part.data() + part.size() || value <= 0)
      throw bad("'." + std::string(part) + "' needs a positive integer");
    (part[0] == 'f' ? m.fraction_bits : m.promotion_interval) = value;
  }
  m.validate();
  return m;
}

}  // namespace fp8check
