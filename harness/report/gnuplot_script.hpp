// The gnuplot script that draws one Plot as SVG. Deterministic: the data go inline as
// datablocks ($name << EOD) with every number at 17 significant digits, colours come from
// a fixed palette, and text is drawn literally (noenhanced), so equal plots give equal
// scripts and - with the same gnuplot - equal SVG bytes. The output file is set by
// run_gnuplot (gnuplot_runner.hpp), not here.
#pragma once

#include <string>

#include "harness/report/plot_data.hpp"

namespace fp8check::report {

std::string gnuplot_script(const Plot& plot);

}  // namespace fp8check::report
