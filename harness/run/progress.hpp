// Progress of a run: a bar with an ETA on a terminal; otherwise quiet, one line per
// failing case (CI logs stay readable).
#pragma once

#include <chrono>
#include <cstdio>

#include "harness/record/case_result.hpp"

namespace fp8check {

class Progress {
 public:
  explicit Progress(std::FILE* out);
  void case_done(const CaseResult& r, std::size_t done, std::size_t total);
  void finish();

 private:
  std::FILE* out_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace fp8check
