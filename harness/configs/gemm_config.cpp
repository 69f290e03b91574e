#include "harness/configs/gemm_config.hpp"

#include <algorithm>
#include <charconv>
#include <vector>
#include <ostream>
#include <sstream>

#include "harness/core/error.hpp"

namespace fp8check {

std::string GemmConfig::id() const {
  std::string s = "bm" + std::to_string(block_m) + ".bn" + std::to_string(block_n) + ".bk" +
                  std::to_string(block_k) + ".s" + std::to_string(stages);
  if (split_k != 1) s += ".sk" + std::to_string(split_k) + (reduction == SplitKReduction::tree ? ".tree" : "");
  if (cluster_m != 1 || cluster_n != 1) s += ".c" + std::to_string(cluster_m) + "x" + std::to_string(cluster_n);
  return s;
}

void GemmConfig::validate() const {
  auto check = [](bool ok, const std::string& what) {
    if (!ok) throw InputError("invalid GEMM config: " + what);
  };
  auto pow2 = [](int v) { return v > 0 && (v & (v - 1)) == 0; };
  check(block_m >= 16 && block_m <= 256 && block_m % 16 == 0, "block_m " + std::to_string(block_m) + " must be a multiple of 16 in [16, 256]");
  check(block_n >= 8 && block_n <= 256 && block_n % 8 == 0, "block_n " + std::to_string(block_n) + " must be a multiple of 8 in [8, 256]");
  check(pow2(block_k) && block_k >= 32 && block_k <= 512, "block_k " + std::to_string(block_k) + " must be a power of two in [32, 512]");
  check(stages >= 1 && stages <= 8, "stages " + std::to_string(stages) + " must be in [1, 8]");
  check(split_k >= 1 && split_k <= 64, "split_k " + std::to_string(split_k) + " must be in [1, 64]");
  check(cluster_m >= 1 && cluster_m <= 2 && cluster_n >= 1 && cluster_n <= 2, "cluster must be 1x1, 1x2, 2x1 or 2x2");
}

std::ostream& operator<<(std::ostream& os, const GemmConfig& c) { return os << c.id(); }

GemmConfig parse_gemm_config(const std::string& id) {
  GemmConfig c;
  std::istringstream parts(id);
  std::string part;
  std::vector<std::string> seen;  // a field given twice, or "0128", would give one config two ids
  auto number = [&](std::string_view text, int& out) {
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec != std::errc() || ptr != text.data() + text.size() || (text.size() > 1 && text[0] == '0'))
      throw InputError("bad GEMM config '" + id + "': '" + part + "' is not a number field without leading zeros");
  };
  while (std::getline(parts, part, '.')) {
    const std::string field = part.substr(0, part.find_first_of("0123456789"));  // "bm", "sk", "tree"
    if (std::find(seen.begin(), seen.end(), field) != seen.end())
      throw InputError("bad GEMM config '" + id + "': '" + field + "' is given twice (expected each field once)");
    seen.push_back(field);
    std::string_view p = part;
    if (p.starts_with("bm")) number(p.substr(2), c.block_m);
    else if (p.starts_with("bn")) number(p.substr(2), c.block_n);
    else if (p.starts_with("bk")) number(p.substr(2), c.block_k);
    else if (p.starts_with("sk")) number(p.substr(2), c.split_k);
    else if (p.starts_with("s")) number(p.substr(1), c.stages);
    else if (p == "tree") c.reduction = SplitKReduction::tree;
    else if (p.starts_with("c") && p.find('x') != std::string_view::npos) {
      number(p.substr(1, p.find('x') - 1), c.cluster_m);
      number(p.substr(p.find('x') + 1), c.cluster_n);
    } else {
      throw InputError("bad GEMM config '" + id + "': unknown field '" + part +
                       "' (expected bmM.bnN.bkK.sS[.skP[.tree]][.cMxN])");
    }
  }
  c.validate();
  return c;
}

}  // namespace fp8check
