#include "harness/cli/parse_options.hpp"

#include <iostream>

namespace fp8check::cli {

namespace po = boost::program_options;

bool parse_options(const std::vector<std::string>& args, const po::options_description& visible,
                   const po::options_description& hidden, const po::positional_options_description& positional,
                   po::variables_map& vm) {
  po::options_description all;
  all.add(visible).add(hidden);
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << visible << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

bool parse_options(const std::vector<std::string>& args, const po::options_description& visible,
                   po::variables_map& vm) {
  return parse_options(args, visible, po::options_description(), po::positional_options_description(), vm);
}

}  // namespace fp8check::cli
