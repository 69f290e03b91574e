// Turns a standalone SVG file (as gnuplot writes it) into a fragment that can sit inline
// in an HTML5 document next to other SVGs (HTML Living Standard, "SVG" embedded content):
// - drops the XML declaration and DOCTYPE, and the xmlns attributes (the HTML parser puts
//   <svg> in the SVG namespace itself, and handles xlink:href), so the page holds no URL;
// - prefixes every id and every reference to it (#id) with `id_prefix`, because gnuplot
//   names its markers gpPt0, gpPt1, ... in every file and ids must be unique in a page;
// - replaces gnuplot's <title> with `title` and marks the root role="img" for readers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fp8check::report {

// nullopt when `svg` has no <svg ...> ... </svg> element.
std::optional<std::string> inline_svg(std::string_view svg, std::string_view id_prefix, std::string_view title);

}  // namespace fp8check::report
