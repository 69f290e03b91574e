// outputs.h5 as `fp8check verify` reads it: opened and checked as a whole against the
// export it answers (exit 2 when it is not an outputs file, has another version, or was
// written for other cases), then read one case at a time by the external backend.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "harness/exchange/cases_file.hpp"
#include "harness/exchange/h5_tree.hpp"

namespace fp8check::exchange {

class OutputsFile {
 public:
  // InputError naming the file and the fix: not HDF5 or truncated, not an outputs file
  // (a cases file passed in its place), another version, another suite, another export
  // (cases_digest), or an /outputs member that names no case of the export.
  OutputsFile(const std::filesystem::path& path, const ExportedCases& cases);

  const std::string& file() const { return name_; }
  // The entry name ("000003") of a case id of the export; nullopt for an unknown id.
  std::optional<std::string> entry_of(const std::string& case_id) const;

  // Calls read(entry) with the case's /outputs entry under the file's lock (HDF5 is not
  // thread-safe; cases run in parallel). InputError naming the case when the file holds
  // no entry for it, or when its `id` attribute names another case.
  template <class Read>
  auto with_entry(const std::string& case_id, Read&& read) const {
    std::lock_guard lock(mutex_);
    const H5Node entry = open_entry(case_id);
    return read(entry);
  }
  // Whether the file has an entry for the case (under the lock).
  bool has_entry(const std::string& case_id) const;

 private:
  H5Node open_entry(const std::string& case_id) const;
  std::string name_;
  H5File file_;
  std::map<std::string, std::string> entries_;  // case id -> entry name
  mutable std::mutex mutex_;
};

}  // namespace fp8check::exchange
