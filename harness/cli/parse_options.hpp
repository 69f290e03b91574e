// The option parsing every subcommand shares (Boost.Program_options).
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace fp8check::cli {

// Parses `args` against `visible` (the options --help prints) and `hidden` (options only
// positional arguments fill, in the order `positional` gives). With --help, prints
// `visible` and returns false: the command then exits 0 without checking anything else.
// Otherwise stores and notifies into `vm` (so required options and bound variables are
// set) and returns true. Bad input throws Boost's errors; main.cpp makes them exit 2.
bool parse_options(const std::vector<std::string>& args, const boost::program_options::options_description& visible,
                   const boost::program_options::options_description& hidden,
                   const boost::program_options::positional_options_description& positional,
                   boost::program_options::variables_map& vm);

// The same for a command without hidden or positional arguments.
bool parse_options(const std::vector<std::string>& args, const boost::program_options::options_description& visible,
                   boost::program_options::variables_map& vm);

}  // namespace fp8check::cli
