#include "harness/io/input_path.hpp"

#include <sys/stat.h>

#include <string>

#include "harness/core/error.hpp"
#include "harness/io/output_path.hpp"

namespace fp8check::io {

void require_regular_file(const std::filesystem::path& path, std::string_view expected) {
  struct stat st;
  std::string problem;
  if (::stat(path.c_str(), &st) != 0) problem = "no such file";
  else if (S_ISDIR(st.st_mode)) problem = "is a directory";
  else if (!S_ISREG(st.st_mode)) problem = "is not a regular file (" + file_kind(st.st_mode) + ")";
  if (!problem.empty()) throw InputError(path.string() + ": " + problem + ": expected " + std::string(expected));
}

}  // namespace fp8check::io
