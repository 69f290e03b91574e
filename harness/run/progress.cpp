#include "harness/run/progress.hpp"

#include <unistd.h>

#include <string>

namespace fp8check {

Progress::Progress(std::FILE* out)
    : out_(out), terminal_(isatty(fileno(out)) != 0), start_(std::chrono::steady_clock::now()) {}

void Progress::case_done(const CaseResult& r, std::size_t done, std::size_t total) {
  if (is_failure(r.verdict)) {
    if (terminal_) std::fprintf(out_, "\r\033[K");
    std::fprintf(out_, "%-10s %s\n           %s (inputs: key %s)\n", std::string(verdict_name(r.verdict)).c_str(),
                 r.id.c_str(), r.reason.c_str(), r.seed_key.empty() ? "-" : r.seed_key.c_str());
  }
  if (!terminal_) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta = done ? elapsed / static_cast<double>(done) * static_cast<double>(total - done) : 0.0;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * done / (total ? total : 1));
  std::fprintf(out_, "\r[%s%s] %zu/%zu  %.0fs elapsed, ETA %.0fs ", std::string(filled, '#').c_str(),
               std::string(kWidth - filled, '.').c_str(), done, total, elapsed, eta);
  std::fflush(out_);
}

void Progress::finish() {
  if (terminal_) std::fprintf(out_, "\r\033[K");
}

}  // namespace fp8check
