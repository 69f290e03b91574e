// fp8check report RESULTS.h5... --out DIR: the reports of one or more results files
// (for instance the shards of one run, or last night's run) without running anything.
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/core/error.hpp"
#include "harness/io/output_path.hpp"
#include "harness/record/results_file.hpp"
#include "harness/report/reporter.hpp"

namespace fp8check::cli {

int run_report(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::vector<std::string> inputs;
  std::string out, gnuplot = "gnuplot";
  po::options_description opts(
      "fp8check report RESULTS.h5 [RESULTS.h5 ...] --out DIR [--gnuplot PROGRAM]\n\n"
      "Writes report.html (one file, plots inline), report.md, summary.json and junit.xml\n"
      "into DIR and prints the console summary. Several files are reported as one run (the\n"
      "first file's metadata heads the report); a case id present twice is an error.\n\nOptions");
  opts.add_options()("help,h", "show this help")("results", po::value(&inputs)->multitoken(), "results files")(
      "out", po::value(&out), "report folder")("gnuplot", po::value(&gnuplot)->default_value(gnuplot),
                                               "the gnuplot program the HTML plots are drawn with");
  po::positional_options_description pos;
  pos.add("results", -1);
  po::variables_map vm;
  if (!parse_options(args, opts, po::options_description(), pos, vm)) return kExitPass;
  if (inputs.empty()) throw InputError("fp8check report needs at least one RESULTS.h5");
  if (out.empty()) throw InputError("fp8check report needs --out DIR (the folder the reports go to)");
  // Before reading anything: a --out that is a file fails at once.
  io::create_output_directory(out);
  RunMetadata meta;
  std::vector<CaseResult> cases;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    record::ResultsFile f = record::read_results(inputs[i]);
    if (i == 0) meta = f.metadata;
    for (CaseResult& c : f.cases) {
      for (const CaseResult& seen : cases)
        if (seen.id == c.id) throw InputError(inputs[i] + ": case " + c.id + " is already in an earlier file");
      cases.push_back(std::move(c));
    }
  }
  report::ReportOptions ro;
  ro.gnuplot = gnuplot;
  report::make_reporter("console", ro)->write(meta, cases, std::cout);
  const std::pair<const char*, const char*> files[] = {
      {"json", "summary.json"}, {"junit", "junit.xml"}, {"markdown", "report.md"}, {"html", "report.html"}};
  for (const auto& [kind, name] : files)
    report::write_report_file(*report::make_reporter(kind, ro), std::filesystem::path(out) / name, meta, cases);
  std::cout << "\nreport: " << (std::filesystem::path(out) / "report.html").string() << "\n";
  for (const CaseResult& c : cases)
    if (is_failure(c.verdict)) return kExitFail;
  return kExitPass;
}

}  // namespace fp8check::cli
