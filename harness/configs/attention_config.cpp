#include "harness/configs/attention_config.hpp"

#include <algorithm>
#include <charconv>
#include <vector>
#include <ostream>
#include <sstream>

#include "harness/core/error.hpp"

namespace fp8check {

std::string AttentionConfig::id() const {
  std::string s = "bq" + std::to_string(block_q) + ".bkv" + std::to_string(block_kv) + ".s" + std::to_string(stages);
  if (splits != 1) s += ".sp" + std::to_string(splits) + (combine == SplitCombine::tree ? ".tree" : "");
  return s;
}

void AttentionConfig::validate() const {
  auto check = [](bool ok, const std::string& what) {
    if (!ok) throw InputError("invalid attention config: " + what);
  };
  check(block_q >= 16 && block_q <= 256 && block_q % 16 == 0,
        "block_q " + std::to_string(block_q) + " must be a multiple of 16 in [16, 256]");
  check(block_kv >= 16 && block_kv <= 256 && block_kv % 16 == 0,
        "block_kv " + std::to_string(block_kv) + " must be a multiple of 16 in [16, 256]");
  check(stages >= 1 && stages <= 8, "stages " + std::to_string(stages) + " must be in [1, 8]");
  check(splits >= 1 && splits <= 128, "splits " + std::to_string(splits) + " must be in [1, 128]");
  check(splits > 1 || combine == SplitCombine::sequential, "combine order 'tree' needs splits > 1");
}

std::ostream& operator<<(std::ostream& os, const AttentionConfig& c) { return os << c.id(); }

AttentionConfig parse_attention_config(const std::string& id) {
  AttentionConfig c;
  std::istringstream parts(id);
  std::string part;
  std::vector<std::string> seen;  // a field given twice, or "0128", would give one config two ids
  auto number = [&](std::string_view text, int& out) {
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec != std::errc() || ptr != text.data() + text.size() || (text.size() > 1 && text[0] == '0'))
      throw InputError("bad attention config '" + id + "': '" + part + "' is not a number field without leading zeros");
  };
  while (std::getline(parts, part, '.')) {
    const std::string field = part.substr(0, part.find_first_of("0123456789"));  // "bm", "sk", "tree"
    if (std::find(seen.begin(), seen.end(), field) != seen.end())
      throw InputError("bad attention config '" + id + "': '" + field + "' is given twice (expected each field once)");
    seen.push_back(field);
    const std::string_view p = part;
    if (p.starts_with("bkv")) number(p.substr(3), c.block_kv);
    else if (p.starts_with("bq")) number(p.substr(2), c.block_q);
    else if (p.starts_with("sp")) number(p.substr(2), c.splits);
    else if (p.starts_with("s")) number(p.substr(1), c.stages);
    else if (p == "tree") c.combine = SplitCombine::tree;
    else
      throw InputError("bad attention config '" + id + "': unknown field '" + part +
                       "' (expected bqQ.bkvK.sS[.spN[.tree]], e.g. bq128.bkv128.s2.sp4)");
  }
  c.validate();
  return c;
}

}  // namespace fp8check
