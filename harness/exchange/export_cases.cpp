#include "harness/exchange/export_cases.hpp"

#include <nlohmann/json.hpp>

#include <new>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/core/format_facts.hpp"
#include "harness/core/format_names.hpp"
#include "harness/exchange/exchange_format.hpp"
#include "harness/exchange/export_ops.hpp"
#include "harness/quantize/element_codec.hpp"

namespace fp8check::exchange {
namespace {

// The decode table of every format the file's codes use, with the facts an encoder needs.
void write_format_tables(H5Node& root, const std::set<Format>& formats) {
  H5Node group = root.create_group(kFormatsGroup);
  for (Format f : formats) {
    const FormatSpec s = format_spec(f);
    std::vector<double> table(s.code_count());
    for (std::uint32_t code = 0; code < s.code_count(); ++code) table[code] = decode(f, code);
    H5Node t = group.write<double>(std::string(format_name(f)), table, {table.size()});
    const FormatFacts facts = format_facts(f);
    t.set("bits", std::int64_t{s.bits});
    t.set("exponent_bits", std::int64_t{s.exp_bits});
    t.set("mantissa_bits", std::int64_t{s.man_bits});
    t.set("bias", std::int64_t{s.bias});
    t.set("max_finite", facts.max_normal);
    t.set("min_subnormal", facts.min_subnormal);
    t.set("min_normal", facts.min_normal);
    t.set("has_inf", std::int64_t{s.has_inf()});
    t.set("has_nan", std::int64_t{s.has_nan()});
  }
}

// Axis values as a JSON object in axis order (ordered_json keeps the order).
std::string params_json(const CaseParams& params) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [axis, value] : params) j[axis] = value;
  return j.dump();
}

std::string tolerance_json(const std::map<std::string, double>& overrides) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [key, value] : overrides) j[key] = value;
  return j.dump();
}

}  // namespace

void write_codes(H5Node& group, const std::string& name, std::span<const std::uint8_t> codes, ElementType type,
                 const Shape& shape, const ExportContext& ctx) {
  if (type.is_integer()) {
    const int offset = integer_code_offset(type);
    std::vector<std::int8_t> values(codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) values[i] = static_cast<std::int8_t>(codes[i] - offset);
    group.write<std::int8_t>(name, values, shape).set("format", type.name());
    return;
  }
  ctx.formats->insert(type.format);
  group.write<std::uint8_t>(name, codes, shape).set("format", type.name());
}

std::vector<std::uint8_t> flat_codes(std::span<const CodeMatrix* const> matrices) {
  std::vector<std::uint8_t> out;
  for (const CodeMatrix* m : matrices)
    for (std::int64_t i = 0; i < m->rows; ++i)
      for (std::int64_t j = 0; j < m->cols; ++j) out.push_back((*m)(i, j));
  return out;
}

std::vector<double> flat_values(std::span<const MatrixD* const> matrices) {
  std::vector<double> out;
  for (const MatrixD* m : matrices) out.insert(out.end(), m->data(), m->data() + m->size());
  return out;
}

void write_scales(H5Node& group, const std::string& name, std::span<const QuantizedMatrix* const> matrices,
                  const Shape& leading, const ExportContext& ctx) {
  const ScaleTensor& first = matrices.front()->scales;
  const ScaleLayout& l = first.layout;
  if (first.meaning != ScaleMeaning::dequant)
    throw InternalError("exchange scales are dequantization multipliers; " + name + " holds quantization ones");
  Shape shape = leading;
  shape.push_back(static_cast<std::uint64_t>(l.grid_rows));
  shape.push_back(static_cast<std::uint64_t>(l.grid_cols));
  std::vector<std::uint8_t> codes;
  std::vector<float> values;
  for (const QuantizedMatrix* q : matrices)
    for (std::int64_t gi = 0; gi < l.grid_rows; ++gi)
      for (std::int64_t gj = 0; gj < l.grid_cols; ++gj) {
        if (first.has_codes()) codes.push_back(q->scales.code(gi, gj));
        else values.push_back(q->scales.value(gi, gj));
      }
  H5Node d = first.has_codes() ? group.write<std::uint8_t>(name, codes, shape) : group.write<float>(name, values, shape);
  d.set("block", std::vector<std::int64_t>{l.block.rows, l.block.cols});
  d.set("kind", std::string(scale_kind_name(first.type)));
  if (first.has_codes()) {
    const Format f = first.type == ScaleType::e8m0 ? Format::e8m0fnu : Format::e4m3fn;
    ctx.formats->insert(f);
    d.set("format", std::string(format_name(f)));
  }
}

ExportSummary export_cases(const std::filesystem::path& path, const ExportRequest& r, const ExportProgress& progress) {
  if (r.device == nullptr) throw InputError("export needs a device profile");
  if (r.cases.empty()) throw InputError("export: no case selected (check --filter and --shard)");
  std::vector<std::string> ids;
  for (const CaseInput& c : r.cases) ids.push_back(c.id);

  H5File file = H5File::create(path);
  H5Node& root = file.root();
  root.set(kKindAttribute, "cases");
  root.set("version", kVersion);
  root.set("suite", r.suite_name);
  root.set("suite_file", r.suite_file);
  root.set("suite_sha256", r.suite_sha256);
  root.set("seed", std::to_string(r.seed));  // a decimal string: seeds are unsigned 64-bit
  root.set("device", r.device->name);
  root.set("filter", r.filter);
  root.set("shard", r.shard);
  root.set("count", static_cast<std::int64_t>(r.cases.size()));
  root.set("cases_digest", cases_digest(r.suite_name, r.seed, r.device->name, ids));
  root.set("command_line", r.command_line);

  std::set<Format> formats;
  const ExportContext ctx{r.seed, r.device, &formats};
  ExportSummary summary;
  H5Node cases = root.create_group(kCasesGroup);
  for (std::size_t i = 0; i < r.cases.size(); ++i) {
    const CaseInput& c = r.cases[i];
    H5Node group = cases.create_group(entry_name(i));
    group.set("id", c.id);
    group.set("op", c.op);
    group.set("params", params_json(c.params));
    group.set("tolerance", tolerance_json(c.tolerance_overrides));
    if (!c.seed_bug.empty()) group.set("seed_bug", c.seed_bug);
    std::string status = kReady, reason;
    try {
      if (c.op == "gemm") reason = export_gemm(group, c, ctx);
      else if (c.op == "attention") reason = export_attention(group, c, ctx);
      else if (c.op == "quantize") reason = export_quantize(group, c, ctx);
      else throw InputError("unknown op '" + c.op + "'");
      if (!reason.empty()) status = kSkipped;
    } catch (const InputError& e) {
      status = kError;
      reason = e.what();
    } catch (const std::bad_alloc&) {
      status = kError;
      reason = "out of memory: the case's inputs do not fit in this machine's memory (use a smaller shape)";
    }
    group.set("status", status);
    if (!reason.empty()) group.set("reason", reason);
    (status == kReady ? summary.ready : status == kSkipped ? summary.skipped : summary.errors)++;
    if (progress) progress(i, c.id, status);
  }
  write_format_tables(root, formats);
  file.commit();
  return summary;
}

}  // namespace fp8check::exchange
