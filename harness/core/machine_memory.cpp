#include "harness/core/machine_memory.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <string>

namespace fp8check {

std::uint64_t machine_memory_bytes() {
  std::uint64_t least = 0;  // 0: none known yet
  const auto consider = [&least](std::uint64_t limit) {
    if (limit > 0 && (least == 0 || limit < least)) least = limit;
  };
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page_size > 0)
    consider(checked_product(static_cast<std::uint64_t>(pages), static_cast<std::uint64_t>(page_size))
                 .value_or(UINT64_MAX));
  rlimit address_space{};
  if (::getrlimit(RLIMIT_AS, &address_space) == 0 && address_space.rlim_cur != RLIM_INFINITY)
    consider(static_cast<std::uint64_t>(address_space.rlim_cur));
  // cgroup v2: "max" or a byte count.
  std::ifstream cgroup("/sys/fs/cgroup/memory.max");
  std::string text;
  if (cgroup >> text) {
    std::uint64_t bytes = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bytes);
    if (ec == std::errc() && end == text.data() + text.size()) consider(bytes);
  }
  return least;
}

std::optional<std::uint64_t> checked_product(std::uint64_t a, std::uint64_t b) {
  std::uint64_t p = 0;
  if (__builtin_mul_overflow(a, b, &p)) return std::nullopt;
  return p;
}

std::optional<std::uint64_t> checked_sum(std::uint64_t a, std::uint64_t b) {
  std::uint64_t s = 0;
  if (__builtin_add_overflow(a, b, &s)) return std::nullopt;
  return s;
}

std::string byte_text(std::uint64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 6) {
    value /= 1024;
    ++unit;
  }
  char text[48];
  if (unit == 0) std::snprintf(text, sizeof text, "%llu bytes", static_cast<unsigned long long>(bytes));
  else std::snprintf(text, sizeof text, "%.3g %s", value, units[unit]);
  return text;
}

}  // namespace fp8check
