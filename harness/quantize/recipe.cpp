#include "harness/quantize/recipe.hpp"

#include <charconv>
#include <ostream>

#include "harness/core/error.hpp"

namespace fp8check {
namespace {

constexpr std::int64_t kMaxBlock = std::int64_t{1} << 30;

// A whole number in [lo, hi]; nullopt for anything else (sign, spaces, junk, a leading
// zero: "vec0128" would be vec128 under another name, and names are parts of case ids).
std::optional<std::int64_t> parse_int(std::string_view s, std::int64_t lo, std::int64_t hi) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  return v;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// delayed_<max|recent><N>[_m<M>] (the part after "delayed_").
std::optional<DelayedScaling> parse_delayed(std::string_view rest) {
  DelayedScaling d;
  if (starts_with(rest, "max")) {
    rest.remove_prefix(3);
  } else if (starts_with(rest, "recent")) {
    d.compute = AmaxCompute::most_recent;
    rest.remove_prefix(6);
  } else {
    return std::nullopt;
  }
  const std::size_t m = rest.find("_m");
  const auto len = parse_int(rest.substr(0, m), 1, 1 << 24);
  if (!len) return std::nullopt;
  d.history_len = static_cast<int>(*len);
  if (m != std::string_view::npos) {
    const auto margin = parse_int(rest.substr(m + 2), -64, 64);
    if (!margin) return std::nullopt;
    d.margin = static_cast<int>(*margin);
  }
  return d;
}

std::optional<Recipe> recipe_for_name(std::string_view n) {
  using S = ScalingScheme;
  const ElementType e4m3 = ElementType::of(Format::e4m3fn);
  if (n == "tensor") return Recipe{S::tensor, e4m3, {0, 0}, {}};
  if (n == "delayed") return Recipe{S::delayed, e4m3, {0, 0}, {}};
  if (n == "row") return Recipe{S::row, e4m3, {1, 0}, {}};
  if (n == "col") return Recipe{S::col, e4m3, {0, 1}, {}};
  if (n == "mxfp8") return Recipe{S::mx, e4m3, {1, 32}, {}};
  if (n == "mxfp6") return Recipe{S::mx, ElementType::of(Format::e2m3fn), {1, 32}, {}};
  if (n == "mxfp4") return Recipe{S::mx, ElementType::of(Format::e2m1fn), {1, 32}, {}};
  if (n == "nvfp4") return Recipe{S::nvfp4, ElementType::of(Format::e2m1fn), {1, 16}, {}};
  if (starts_with(n, "delayed_")) {
    if (const auto d = parse_delayed(n.substr(8))) return Recipe{S::delayed, e4m3, {0, 0}, *d};
  } else if (starts_with(n, "vec")) {
    if (const auto c = parse_int(n.substr(3), 1, kMaxBlock)) return Recipe{S::block, e4m3, {1, *c}, {}};
  } else if (starts_with(n, "blk")) {
    const std::size_t x = n.find('x');
    const auto r = parse_int(n.substr(3, x == std::string_view::npos ? x : x - 3), 1, kMaxBlock);
    const auto c = x == std::string_view::npos ? std::nullopt : parse_int(n.substr(x + 1), 1, kMaxBlock);
    if (r && c) return Recipe{S::block, e4m3, {*r, *c}, {}};
  } else if (starts_with(n, "int8_g") || starts_with(n, "int4_g")) {
    const ElementType t = n[3] == '8' ? ElementType::int8() : ElementType::int4();
    if (const auto g = parse_int(n.substr(6), 1, kMaxBlock)) return Recipe{S::int_group, t, {1, *g}, {}};
  }
  return std::nullopt;
}

bool is_mx_element(Format f) {
  return f == Format::e4m3fn || f == Format::e5m2 || f == Format::e2m3fn || f == Format::e3m2fn || f == Format::e2m1fn;
}

}  // namespace

ScaleType Recipe::scale_type() const {
  switch (scheme) {
    case ScalingScheme::mx:
      return ScaleType::e8m0;
    case ScalingScheme::nvfp4:
      return ScaleType::e4m3;
    case ScalingScheme::int_group:
      return ScaleType::fp16;
    default:
      return ScaleType::fp32;
  }
}

std::string Recipe::name() const {
  switch (scheme) {
    case ScalingScheme::tensor:
      return "tensor";
    case ScalingScheme::delayed: {
      if (delayed == DelayedScaling{}) return "delayed";
      std::string s =
          "delayed_" + std::string(amax_compute_name(delayed.compute)) + std::to_string(delayed.history_len);
      return delayed.margin != 0 ? s + "_m" + std::to_string(delayed.margin) : s;
    }
    case ScalingScheme::row:
      return "row";
    case ScalingScheme::col:
      return "col";
    case ScalingScheme::block:
      return block.rows == 1 ? "vec" + std::to_string(block.cols)
                             : "blk" + std::to_string(block.rows) + "x" + std::to_string(block.cols);
    case ScalingScheme::mx:
      return "mxfp" + std::to_string(element.bits());
    case ScalingScheme::nvfp4:
      return "nvfp4";
    case ScalingScheme::int_group:
      return element.name() + "_g" + std::to_string(block.cols);
  }
  return "?";
}

std::string Recipe::description() const {
  std::string s = name() + ": ";
  switch (scheme) {
    case ScalingScheme::tensor:
      s += "one scale per tensor";
      break;
    case ScalingScheme::delayed:
      s += "one scale per tensor from an amax history of " + std::to_string(delayed.history_len) + " steps (" +
           std::string(amax_compute_name(delayed.compute)) + "), margin " + std::to_string(delayed.margin);
      break;
    case ScalingScheme::row:
      s += "one scale per row";
      break;
    case ScalingScheme::col:
      s += "one scale per column";
      break;
    default:
      s += block_shape_name(block) + " blocks";
      break;
  }
  s += ", " + element.name() + " elements, " + std::string(scale_type_name(scale_type())) + " scales";
  if (scheme == ScalingScheme::nvfp4) s += " and an fp32 tensor scale";
  return s;
}

void Recipe::validate() const {
  const auto fail = [this](const std::string& what) { throw InputError("recipe " + name() + ": " + what); };
  if (!element.is_integer()) {
    const FormatSpec spec = format_spec(element.format);
    if (!spec.is_signed || spec.bits > 8)
      fail("element format " + element.name() +
           " is not a quantization target: expected a signed format of "
           "at most 8 bits (e4m3fn, e5m2, e4m3fnuz, e5m2fnuz, e4m3b11fnuz, e4m3b15, e2m1fn, e2m3fn, e3m2fn) or "
           "int8/int4");
  }
  const auto expect_block = [&](BlockShape b, const char* why) {
    if (!(block == b))
      fail("block " + block_shape_name(block) + " is not valid: expected " + block_shape_name(b) + why);
  };
  switch (scheme) {
    case ScalingScheme::tensor:
    case ScalingScheme::delayed:
      expect_block({0, 0}, " (one scale per tensor)");
      break;
    case ScalingScheme::row:
      expect_block({1, 0}, " (one scale per row)");
      break;
    case ScalingScheme::col:
      expect_block({0, 1}, " (one scale per column)");
      break;
    case ScalingScheme::block:
      if (block.rows < 1 || block.cols < 1 || block.rows > kMaxBlock || block.cols > kMaxBlock)
        fail("block " + block_shape_name(block) + " is not valid: expected RxC with 1 <= R, C <= 2^30");
      break;
    case ScalingScheme::mx:
      expect_block({1, 32}, " (OCP MX blocks are 32 elements)");
      if (element.is_integer() || !is_mx_element(element.format))
        fail("element " + element.name() +
             " is not an MX element: expected e4m3fn or e5m2 (mxfp8), e2m3fn or "
             "e3m2fn (mxfp6), e2m1fn (mxfp4)");
      break;
    case ScalingScheme::nvfp4:
      expect_block({1, 16}, " (NVFP4 blocks are 16 elements)");
      if (!(element == ElementType::of(Format::e2m1fn))) fail("element " + element.name() + ": expected e2m1fn");
      break;
    case ScalingScheme::int_group:
      if (!element.is_integer()) fail("element " + element.name() + ": expected int8 or int4");
      if (block.rows != 1 || block.cols < 1 || block.cols > kMaxBlock)
        fail("block " + block_shape_name(block) + ": expected 1xN groups along a row");
      break;
  }
  if (scheme == ScalingScheme::delayed) {
    if (delayed.history_len < 1) fail("amax history length must be >= 1");
    if (delayed.margin < -64 || delayed.margin > 64) fail("margin must be in -64..64");
  }
}

std::ostream& operator<<(std::ostream& os, const Recipe& r) { return os << r.description(); }

std::string recipe_name_list() {
  return "tensor, delayed (or delayed_<max|recent><N>[_m<M>]), row, col, vec<N>, blk<R>x<C>, mxfp8, mxfp6, "
         "mxfp4, nvfp4, int8_g<N>, int4_g<N>";
}

Recipe parse_recipe(std::string_view name, std::optional<ElementType> element, std::optional<BlockShape> block) {
  std::optional<Recipe> r = recipe_for_name(name);
  if (!r) throw InputError("unknown recipe '" + std::string(name) + "': expected one of " + recipe_name_list());
  if (element) {
    const bool same_family =
        r->scheme != ScalingScheme::mx && r->scheme != ScalingScheme::int_group
            ? true
            : element->bits() == r->element.bits() && element->is_integer() == r->element.is_integer();
    if (!same_family)
      throw InputError("recipe " + r->name() + " does not take element " + element->name() + ": expected " +
                       (r->scheme == ScalingScheme::int_group
                            ? r->element.name() + " (the name says it)"
                            : "a " + std::to_string(r->element.bits()) + "-bit MX element (" + r->name() + ")"));
    r->element = *element;
  }
  if (block) {
    const bool free_block =
        r->scheme == ScalingScheme::block || (r->scheme == ScalingScheme::int_group && block->rows == 1);
    if (!free_block)
      throw InputError("recipe " + r->name() + " does not take block " + block_shape_name(*block) +
                       ": the block is fixed by the recipe; --block applies to vec<N>, blk<R>x<C> and "
                       "int<8|4>_g<N> (1xN) recipes");
    r->block = *block;
  }
  r->validate();
  return *r;
}

}  // namespace fp8check
