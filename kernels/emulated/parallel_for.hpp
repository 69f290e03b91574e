// Runs body(item, worker) for every item in [0, count) on `threads` std::threads that
// take items from a shared counter. Callers make each item's result independent of
// which worker runs it (the emulated GEMM: one output tile per item), so results do not
// depend on the thread count. The first exception thrown by a body is rethrown here.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace fp8check::detail {

template <typename Body>
void parallel_for(std::int64_t count, int threads, Body&& body) {
  const int workers = static_cast<int>(std::clamp<std::int64_t>(count, 1, std::max(threads, 1)));
  std::atomic<std::int64_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&](int worker) {
    try {
      for (std::int64_t item = next++; item < count; item = next++) body(item, worker);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      next = count;  // the others stop after their current item
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(workers - 1));
  for (int w = 1; w < workers; ++w) pool.emplace_back(work, w);
  work(0);
  for (std::thread& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace fp8check::detail
