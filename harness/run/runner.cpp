#include "harness/run/runner.hpp"

#include <atomic>
#include <mutex>
#include <thread>

namespace fp8check {

std::vector<CaseResult> run_cases(const std::vector<CaseInput>& cases, const RunContext& ctx, int jobs,
                                  const CaseDone& on_done) {
  std::vector<CaseResult> results(cases.size());
  std::atomic<std::size_t> next{0};
  std::mutex done_mutex;
  std::size_t done = 0;
  auto worker = [&] {
    for (std::size_t i = next++; i < cases.size(); i = next++) {
      results[i] = run_case(cases[i], ctx);
      std::lock_guard lock(done_mutex);
      ++done;
      if (on_done) on_done(results[i], done, cases.size());
    }
  };
  const int workers = std::max(1, std::min<int>(jobs, static_cast<int>(cases.size())));
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  return results;
}

}  // namespace fp8check
