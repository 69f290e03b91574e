#include "harness/cli/parse_options.hpp"

#include <cstdint>
#include <iostream>
#include <limits>
#include <typeinfo>

namespace fp8check::cli {

namespace po = boost::program_options;

namespace {

// The largest value of the option's unsigned type, or 0 when its type is not unsigned.
std::uint64_t unsigned_maximum(const po::option_description& d) {
  const auto* typed = dynamic_cast<const po::typed_value_base*>(d.semantic().get());
  if (typed == nullptr) return 0;
  const std::type_info& t = typed->value_type();
  if (t == typeid(unsigned char)) return std::numeric_limits<unsigned char>::max();
  if (t == typeid(unsigned short)) return std::numeric_limits<unsigned short>::max();
  if (t == typeid(unsigned int)) return std::numeric_limits<unsigned int>::max();
  if (t == typeid(unsigned long)) return std::numeric_limits<unsigned long>::max();
  if (t == typeid(unsigned long long)) return std::numeric_limits<unsigned long long>::max();
  return 0;
}

// Boost reads "-1" for an unsigned option as its largest value: refuse any sign instead.
void refuse_signed_unsigned(const po::parsed_options& parsed, const po::options_description& all) {
  for (const po::option& o : parsed.options) {
    if (o.unregistered || o.string_key.empty()) continue;
    const po::option_description* d = all.find_nothrow(o.string_key, false);
    const std::uint64_t max = d ? unsigned_maximum(*d) : 0;
    if (max == 0) continue;
    for (const std::string& token : o.value) {
      const auto first = token.find_first_not_of(" \t");
      if (first != std::string::npos && (token[first] == '-' || token[first] == '+'))
        throw InputError("--" + o.string_key + " '" + token + "': expected an integer in 0.." + std::to_string(max) +
                         " (digits only, no sign)");
    }
  }
}

// An empty value ("--device ''", an unset shell variable) is a mistake, not a request for
// the default: refuse it, except where empty has a meaning of its own (--filter: all cases).
void refuse_empty_values(const po::parsed_options& parsed, const po::options_description& all) {
  for (const po::option& o : parsed.options) {
    if (o.unregistered || o.string_key.empty() || o.position_key != -1 || o.string_key == "filter") continue;
    const po::option_description* d = all.find_nothrow(o.string_key, false);
    const auto* typed = d ? dynamic_cast<const po::typed_value_base*>(d->semantic().get()) : nullptr;
    if (typed == nullptr || typed->value_type() != typeid(std::string)) continue;
    for (const std::string& token : o.value)
      if (token.empty())
        throw InputError("--" + o.string_key + " '': expected a non-empty value (an option left out takes its "
                         "default; an empty one is refused)");
  }
}

}  // namespace

bool parse_options(const std::vector<std::string>& args, const po::options_description& visible,
                   const po::options_description& hidden, const po::positional_options_description& positional,
                   po::variables_map& vm) {
  po::options_description all;
  all.add(visible).add(hidden);
  const po::parsed_options parsed = po::command_line_parser(args).options(all).positional(positional).run();
  refuse_signed_unsigned(parsed, all);
  refuse_empty_values(parsed, all);
  po::store(parsed, vm);
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
