// The memory of this machine and overflow-safe size arithmetic: how inputs that declare
// sizes (problem shapes, HDF5 datasets, command-line counts) are bounded before anything
// is allocated, so a huge size is an input error with a message, never std::bad_alloc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fp8check {

// The memory this process may use, in bytes: the least of the machine's physical memory
// (sysconf(_SC_PHYS_PAGES) * page size), the address-space limit (RLIMIT_AS, `ulimit -v`)
// and the cgroup v2 limit (/sys/fs/cgroup/memory.max: containers, Slurm, Kubernetes).
// 0 when none is known (POSIX leaves _SC_PHYS_PAGES optional).
std::uint64_t machine_memory_bytes();

// a * b, or nullopt when it does not fit in 64 bits.
std::optional<std::uint64_t> checked_product(std::uint64_t a, std::uint64_t b);
// a + b, or nullopt when it does not fit in 64 bits.
std::optional<std::uint64_t> checked_sum(std::uint64_t a, std::uint64_t b);

// "1.5 GiB", "12 MiB", "512 bytes": sizes in messages.
std::string byte_text(std::uint64_t bytes);

}  // namespace fp8check
