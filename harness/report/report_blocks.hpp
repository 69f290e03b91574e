// The accuracy report as a list of blocks (headings, paragraphs, tables, plots), built
// once (accuracy_report.hpp) and rendered by the Markdown and HTML reporters, so both
// say the same things in the same order. Text in blocks is plain: renderers escape it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace fp8check::report {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each row has header.size() cells
};

// How a block should stand out; renderers map it to a style (HTML) or a marker (Markdown).
enum class Tone { plain, good, bad, note };

struct Block {
  enum class Kind { heading, paragraph, table, plot };
  Kind kind = Kind::paragraph;
  int level = 2;           // heading: 1 (title) .. 3
  std::string text;        // heading, paragraph
  std::string anchor;      // heading: id for links ("failures"); may be empty
  Tone tone = Tone::plain;
  Table table;             // table
  std::size_t plot = 0;    // plot: index into AccuracyReport::plots
};

}  // namespace fp8check::report
