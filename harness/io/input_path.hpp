// What a reader may read. A FIFO or a device could block or never end, and a directory is
// no file: an input must be a regular file (or a link to one), checked before it is opened.
#pragma once

#include <filesystem>
#include <string_view>

namespace fp8check::io {

// InputError naming the path and what it is, and `expected` ("an HDF5 file"), unless `path`
// is a regular file or a link to one: "PATH: no such file: expected ...", "PATH: is a
// directory: expected ...", "PATH: is not a regular file (a FIFO (named pipe)): expected ...".
void require_regular_file(const std::filesystem::path& path, std::string_view expected);

}  // namespace fp8check::io
