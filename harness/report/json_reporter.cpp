#include "harness/report/json_reporter.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <ostream>

#include "harness/compare/numeric_type.hpp"
#include "harness/report/run_summary.hpp"

namespace fp8check::report {

namespace {

// ordered_json keeps keys in insertion order, so the document reads in schema order.
using Json = nlohmann::ordered_json;

// RFC 8259 has no inf/nan: they are written as strings (docs/reports.md).
Json number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

Json counts_json(const VerdictCounts& counts) {
  Json j = Json::object();
  j["total"] = counts.total();
  for (Verdict v : kVerdicts) j[std::string(verdict_name(v))] = counts[v];
  return j;
}

Json groups_json(const std::vector<GroupCounts>& groups) {
  Json j = Json::object();
  for (const GroupCounts& g : groups) j[g.name] = counts_json(g.counts);
  return j;
}

Json specials_json(const SpecialCounts& s) { return {{"nan", s.nan}, {"pos_inf", s.pos_inf}, {"neg_inf", s.neg_inf}}; }

Json element_json(const std::optional<ElementReport>& e) {
  if (!e) return nullptr;
  return {{"index", e->index},     {"row", e->row},         {"col", e->col},
          {"out", number(e->out)}, {"ref", number(e->ref)}, {"abs_error", number(e->abs_error)}};
}

Json statistics_json(const std::optional<ErrorStatistics>& s) {
  if (!s) return nullptr;
  Json j;
  j["output_type"] = std::string(numeric_type_name(s->output_type));
  j["relative_floor"] = number(s->relative_floor);
  j["atol"] = number(s->atol);
  j["rtol"] = number(s->rtol);
  j["element_count"] = s->element_count;
  j["finite_count"] = s->finite_count;
  j["max_abs_error"] = number(s->max_abs_error);
  j["max_relative_error"] = number(s->max_relative_error);
  j["max_relative_element"] = element_json(s->max_relative_element);
  j["mean_abs_error"] = number(s->mean_abs_error);
  j["rms_error"] = number(s->rms_error);
  j["relative_frobenius"] = number(s->relative_frobenius);
  j["calc_diff"] = number(s->calc_diff);
  j["cosine_similarity"] = number(s->cosine_similarity);
  j["sqnr_db"] = number(s->sqnr_db);
  j["max_ulp"] = s->max_ulp;
  j["ulp_histogram"] = s->ulp_histogram;  // buckets as ulp_bucket_label(): 0, 1, 2, 3-4, ... >65536
  j["over_tolerance_count"] = s->over_tolerance_count;
  j["over_tolerance_fraction"] = number(s->over_tolerance_fraction);
  j["expected_specials"] = specials_json(s->expected_specials);
  j["unexpected_specials"] = specials_json(s->unexpected_specials);
  j["missing_specials"] = specials_json(s->missing_specials);
  j["special_mismatch_count"] = s->special_mismatch_count;
  j["first_special_mismatch"] = element_json(s->first_special_mismatch);
  j["worst"] = Json::array();
  for (const ElementReport& e : s->worst) j["worst"].push_back(element_json(e));
  return j;
}

Json case_json(const CaseResult& c) {
  Json j;
  j["id"] = c.id;
  j["op"] = c.op;
  j["params"] = Json::object();
  for (const auto& [name, value] : c.params) j["params"][name] = value;
  j["seed_key"] = c.seed_key;
  j["backend"] = c.backend;
  j["config"] = c.config;
  j["verdict"] = std::string(verdict_name(c.verdict));
  j["reason"] = c.reason;
  j["seconds"] = number(c.seconds);
  j["stage_seconds"] = Json::object();
  for (const auto& [stage, seconds] : c.stage_seconds) j["stage_seconds"][stage] = number(seconds);
  j["checks"] = Json::array();
  for (const Check& k : c.checks)
    j["checks"].push_back({{"name", k.name},
                           {"observed", number(k.observed)},
                           {"limit", number(k.limit)},
                           {"passed", k.passed},
                           {"detail", k.detail}});
  j["worst_check_ratio"] = number(worst_check_ratio(c));
  j["kernel_error"] = statistics_json(c.kernel_error);
  j["total_error"] = statistics_json(c.total_error);
  j["metrics"] = Json::object();
  for (const auto& [name, value] : c.metrics) j["metrics"][name] = number(value);
  // The output values belong in the results file (harness/record/), not in a report.
  if (c.output)
    j["output"] = {{"type", c.output->type},
                   {"rows", c.output->rows},
                   {"cols", c.output->cols},
                   {"digest", c.output->digest},
                   {"complete", c.output->complete}};
  else
    j["output"] = nullptr;
  return j;
}

Json run_json(const RunMetadata& m) {
  return {{"schema_version", m.schema_version}, {"fp8check_version", m.fp8check_version},
          {"git_sha", m.git_sha},               {"compiler", m.compiler},
          {"compile_flags", m.compile_flags},   {"cuda_version", m.cuda_version},
          {"device", m.device},                 {"host", m.host},
          {"started_at", m.started_at},         {"suite_name", m.suite_name},
          {"suite_file", m.suite_file},         {"suite_sha256", m.suite_sha256},
          {"filter", m.filter},                 {"shard", m.shard},
          {"seed", m.seed},                     {"command_line", m.command_line},
          {"blas", m.blas},                     {"blas_core", m.blas_core},
          {"blas_threads", m.blas_threads},     {"blas_warning", m.blas_warning}};
}

}  // namespace

void JsonReporter::write(const RunMetadata& metadata, std::span<const CaseResult> cases, std::ostream& out) const {
  const RunSummary s = summarize(cases);
  Json doc;
  doc["format"] = kJsonReportFormat;
  doc["schema_version"] = kJsonReportSchemaVersion;
  doc["run"] = run_json(metadata);
  Json& summary = doc["summary"];
  summary["verdicts"] = counts_json(s.all);
  summary["by_op"] = groups_json(s.by_op);
  summary["by_backend"] = groups_json(s.by_backend);
  summary["seconds"] = number(s.total_seconds);
  // op -> stage -> seconds summed over the op's cases (what the HTML report's bars show).
  summary["stage_seconds_by_op"] = Json::object();
  for (const CaseResult& c : cases)
    for (const auto& [stage, seconds] : c.stage_seconds) {
      Json& slot = summary["stage_seconds_by_op"][c.op][stage];
      slot = (slot.is_number() ? slot.get<double>() : 0.0) + seconds;
    }
  summary["failing_ids"] = Json::array();
  for (const CaseResult* c : s.failures) summary["failing_ids"].push_back(c->id);
  summary["seeded_bug_ids"] = Json::array();
  for (const CaseResult* c : s.seeded_bugs) summary["seeded_bug_ids"].push_back(c->id);
  doc["cases"] = Json::array();
  for (const CaseResult& c : cases) doc["cases"].push_back(case_json(c));
  // Invalid UTF-8 in a string becomes U+FFFD rather than an exception mid-report.
  out << doc.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
}

}  // namespace fp8check::report
