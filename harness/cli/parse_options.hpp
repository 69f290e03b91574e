// The option parsing every subcommand shares (Boost.Program_options), and the one way the
// command line reads numbers: Boost's typed values, with two rules added here, so that no
// number wraps around and every bad number is exit 2 naming its option:
// - an unsigned option takes no sign: Boost reads it with lexical_cast, which takes "-1" as
//   2^64-1 (`run --seed -1` would run seed 18446744073709551615); parse_options refuses it;
// - a value the type holds but the command does not take is refused by require_range.
// - an empty string value ("--device ''") is refused, except --filter's (all cases): an
//   empty value is a mistake (an unset shell variable), not a request for the default.
// Values beyond the type (`--jobs 99999999999`) are Boost's invalid_option_value, exit 2.
#pragma once

#include <boost/program_options.hpp>
#include <concepts>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/error.hpp"

namespace fp8check::cli {

// Parses `args` against `visible` (the options --help prints) and `hidden` (options only
// positional arguments fill, in the order `positional` gives). With --help, prints
// `visible` and returns false: the command then exits 0 without checking anything else.
// Otherwise stores and notifies into `vm` (so required options and bound variables are
// set) and returns true. Bad input throws Boost's errors or InputError (a signed value of
// an unsigned option); main.cpp makes them exit 2.
bool parse_options(const std::vector<std::string>& args, const boost::program_options::options_description& visible,
                   const boost::program_options::options_description& hidden,
                   const boost::program_options::positional_options_description& positional,
                   boost::program_options::variables_map& vm);

// The same for a command without hidden or positional arguments.
bool parse_options(const std::vector<std::string>& args, const boost::program_options::options_description& visible,
                   boost::program_options::variables_map& vm);

// InputError "--NAME VALUE: expected an integer in MIN..MAX" unless min <= value <= max.
template <std::integral T>
void require_range(std::string_view option, T value, T min, T max) {
  if (value < min || value > max)
    throw InputError(std::string(option) + " " + std::to_string(value) + ": expected an integer in " +
                     std::to_string(min) + ".." + std::to_string(max));
}

}  // namespace fp8check::cli
