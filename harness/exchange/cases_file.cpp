#include "harness/exchange/cases_file.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

#include "harness/configs/device_profile.hpp"
#include "harness/core/error.hpp"
#include "harness/exchange/exchange_format.hpp"
#include "harness/run/ops.hpp"
#include "harness/suite/case_id.hpp"

namespace fp8check::exchange {
namespace {

using Json = nlohmann::ordered_json;

Json parse_object(const H5Node& group, const std::string& attribute) {
  const std::string text = group.text(attribute);
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object())
    throw InputError(group.file() + ": attribute " + group.path() + "/" + attribute + " = '" + text +
                     "' is not a JSON object: expected the text export wrote");
  return j;
}

CaseInput read_case(const H5Node& group, const AxisSchemaRegistry& schemas) {
  const std::string where = group.file() + ": " + group.path();
  CaseInput c;
  c.id = group.text("id");
  c.op = group.text("op");
  const OpSchema* schema = schemas.find(c.op);
  if (schema == nullptr) throw InputError(where + ": op '" + c.op + "': expected one of " + schemas.op_names());
  const Json params = parse_object(group, "params"), tolerance = parse_object(group, "tolerance");
  for (const auto& [axis, value] : params.items()) {
    if (!value.is_string()) throw InputError(where + ": params." + axis + " is not a string: expected axis values as text");
    c.params.emplace_back(axis, value.get<std::string>());
  }
  for (const auto& [key, value] : tolerance.items()) {
    if (!value.is_number()) throw InputError(where + ": tolerance." + key + " is not a number");
    c.tolerance_overrides[key] = value.get<double>();
  }
  if (group.has("seed_bug")) c.seed_bug = group.text("seed_bug");
  std::string backend;
  for (const auto& [axis, value] : c.params)
    if (axis == "backend") backend = value;
  if (backend != kExternalBackend)
    throw InputError(where + ": case " + c.id + " names backend '" + backend + "': expected " + kExternalBackend +
                     " (write the file with fp8check export)");
  std::string recomputed;
  try {
    recomputed = make_case_id(*schema, c.params);
  } catch (const Error& e) {
    throw InputError(where + ": the params of case " + c.id + " are not the " + c.op + " axes: " + e.what());
  }
  if (recomputed != c.id)
    throw InputError(where + ": id " + c.id + " does not match its params (they give " + recomputed +
                     "): the file was edited; export it again");
  const std::string status = group.text("status");
  if (status != kReady && status != kSkipped && status != kError)
    throw InputError(where + ": status '" + status + "': expected ready, skipped or error");
  return c;
}

}  // namespace

ExportedCases read_cases_file(const std::filesystem::path& path) {
  const H5File file = H5File::open(path);
  const H5Node& root = file.root();
  check_root(root, "cases");
  ExportedCases out;
  out.file = path.string();
  out.suite = root.text("suite");
  out.suite_file = root.text("suite_file");
  out.suite_sha256 = root.text("suite_sha256");
  const std::string seed = root.text("seed");
  const auto [end, ec] = std::from_chars(seed.data(), seed.data() + seed.size(), out.seed);
  if (ec != std::errc() || end != seed.data() + seed.size() || seed.empty())
    throw InputError(out.file + ": root attribute seed = '" + seed + "': expected a decimal unsigned 64-bit integer");
  out.device = root.text("device");
  const DeviceProfile& device = find_device_profile(out.device);
  out.filter = root.text("filter");
  out.shard = root.text("shard");
  out.digest = root.text("cases_digest");
  const std::int64_t count = root.integer("count");

  const H5Node cases = root.open(kCasesGroup, "a group /cases");
  const std::vector<std::string> names = cases.members();
  if (count < 1 || names.size() != static_cast<std::size_t>(count))
    throw InputError(out.file + ": /cases holds " + std::to_string(names.size()) + " entries but the root says count = " +
                     std::to_string(count) + ": expected a complete file written by fp8check export");
  const AxisSchemaRegistry schemas = builtin_op_schemas(device);
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] != entry_name(i))
      throw InputError(out.file + ": /cases/" + names[i] + " is not a case entry: expected 000000 .. " +
                       entry_name(names.size() - 1));
    const H5Node group = cases.open(names[i], "a case group");
    if (!group.is_group()) throw InputError(out.file + ": " + group.path() + " is a dataset: expected a case group");
    out.cases.push_back(read_case(group, schemas));
    ids.push_back(out.cases.back().id);
  }
  if (cases_digest(out.suite, out.seed, out.device, ids) != out.digest)
    throw InputError(out.file + ": cases_digest does not match the suite, seed, device and case ids: the file was "
                     "edited; export it again");
  return out;
}

}  // namespace fp8check::exchange
