#include "harness/exchange/outputs_file.hpp"

#include "harness/core/error.hpp"
#include "harness/exchange/exchange_format.hpp"

namespace fp8check::exchange {

OutputsFile::OutputsFile(const std::filesystem::path& path, const ExportedCases& cases)
    : name_(path.string()), file_(H5File::open(path)) {
  const H5Node& root = file_.root();
  check_root(root, "outputs");
  const std::string fix = ": expected the outputs of " + cases.file + " (copy its root attributes suite and cases_digest)";
  if (!root.has("suite") || !root.has("cases_digest"))
    throw InputError(name_ + ": no root attribute " + (root.has("suite") ? "cases_digest" : "suite") + fix);
  const std::string suite = root.text("suite");
  if (suite != cases.suite)
    throw InputError(name_ + ": outputs of suite " + suite + ", but " + cases.file + " holds suite " + cases.suite + fix);
  if (root.text("cases_digest") != cases.digest)
    throw InputError(name_ + ": outputs of another export of suite " + suite +
                     " (cases_digest differs: another seed, filter, shard or device)" + fix);
  for (std::size_t i = 0; i < cases.cases.size(); ++i) entries_[cases.cases[i].id] = entry_name(i);
  if (!root.contains(kOutputsGroup)) return;  // no output at all: every ready case is an error
  const H5Node outputs = root.open(kOutputsGroup, "a group /outputs");
  if (!outputs.is_group()) throw InputError(name_ + ": /outputs is a dataset: expected a group of one entry per case");
  for (const std::string& name : outputs.members()) {
    const std::optional<std::size_t> index = parse_entry_name(name);
    if (!index || *index >= cases.cases.size())
      throw InputError(name_ + ": /outputs/" + name + " names no case of " + cases.file + ": expected entries 000000 .. " +
                       entry_name(cases.cases.size() - 1) + " (the numbering of /cases)");
  }
}

std::optional<std::string> OutputsFile::entry_of(const std::string& case_id) const {
  const auto it = entries_.find(case_id);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

bool OutputsFile::has_entry(const std::string& case_id) const {
  const std::optional<std::string> entry = entry_of(case_id);
  if (!entry) return false;
  std::lock_guard lock(mutex_);
  const H5Node& root = file_.root();
  return root.contains(kOutputsGroup) && root.open(kOutputsGroup, "a group /outputs").contains(*entry);
}

H5Node OutputsFile::open_entry(const std::string& case_id) const {
  const std::optional<std::string> entry = entry_of(case_id);
  if (!entry) throw InputError(name_ + ": case " + case_id + " is not one of the exported cases");
  const std::string path = std::string("/") + kOutputsGroup + "/" + *entry;
  const H5Node& root = file_.root();
  if (!root.contains(kOutputsGroup) || !root.open(kOutputsGroup, "a group /outputs").contains(*entry))
    throw InputError("no output: " + name_ + " has no " + path + " for this case (the kernel wrote nothing for it)");
  H5Node node = root.open(kOutputsGroup, "a group /outputs").open(*entry, "the case's output");
  if (!node.has("id"))
    throw InputError(name_ + ": " + path + " has no attribute id: expected the case id, " + case_id);
  const std::string id = node.text("id");
  if (id != case_id)
    throw InputError(name_ + ": " + path + " has id " + id + ": expected " + case_id +
                     " (entries are numbered as /cases in cases.h5)");
  return node;
}

}  // namespace fp8check::exchange
