// Where a case's time goes: wall-clock seconds per pipeline stage, recorded in
// CaseResult::stage_seconds (results files: attributes `seconds.<stage>` on the case group;
// docs/results-format.md). The stages (kCaseStages), in pipeline order:
//   inputs (parse, config, generation), quantize, reference (the FP64 references and the
//   baseline kernel of check (b)), kernel (the backend), statistics (error statistics and
//   bound ratios), judge (checks, verdict, output record), golden (comparison).
// Their sum is at most the case's `seconds`.
#pragma once

#include <chrono>
#include <string>

#include "harness/record/case_result.hpp"

namespace fp8check {

class StageTimer {
 public:
  explicit StageTimer(CaseResult& result) : result_(result), last_(std::chrono::steady_clock::now()) {}
  // The time since the previous lap (or construction) is added to `stage`.
  void lap(const std::string& stage) {
    const auto now = std::chrono::steady_clock::now();
    result_.stage_seconds[stage] += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }

 private:
  CaseResult& result_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace fp8check
