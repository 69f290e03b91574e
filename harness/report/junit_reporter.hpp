// JUnit XML, so CI systems (GitLab, Jenkins, GitHub test reporters) list failures by name.
// The de-facto schema is Ant's / Jenkins' (testsuites > testsuite > testcase); per case:
//   <testcase classname="SUITE.OP" name="CASE-ID" time="SECONDS">
//     <failure type="fail|regression|error" message="REASON">checks, seed key, params</failure>
//     or <skipped message="REASON"/>
//   </testcase>
// Every verdict that fails a run (fail, regression, error) is a <failure>, so the
// `failures` attribute counts exactly the cases that make fp8check exit 1; `errors` is 0.
#pragma once

#include "harness/report/reporter.hpp"

namespace fp8check::report {

class JunitReporter final : public Reporter {
 public:
  void write(const RunMetadata& metadata, std::span<const CaseResult> cases, std::ostream& out) const override;
};

}  // namespace fp8check::report
