// Text helpers every reporter shares: how numbers print, and escaping for XML/HTML and
// Markdown. Results are data from users and kernels, so every string is treated as
// untrusted: invalid UTF-8 and control characters never reach a report unescaped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fp8check::report {

// 4 significant digits ("%.4g"), or "inf", "-inf", "nan": the same text on every platform.
std::string format_number(double value);
// 3 decimals, for seconds and other times ("12.345"); non-finite as format_number.
std::string format_fixed3(double value);

// `text` with every invalid UTF-8 sequence replaced by U+FFFD (one per maximal invalid
// subpart, as Unicode 15, section 3.9, recommends).
std::string sanitize_utf8(std::string_view text);

// Text for XML 1.0 / HTML element content and attribute values: & < > " ' as entities,
// tab/LF/CR as numeric references (so attribute values keep them, XML 1.0 section 3.3.3),
// other C0 controls and DEL as U+FFFD (XML 1.0 section 2.2 forbids them), invalid UTF-8
// as U+FFFD.
std::string escape_xml(std::string_view text);

// `text` safe for a terminal, on one line: invalid UTF-8, C0 controls (ESC included, so
// no terminal escape sequence gets through) and DEL become U+FFFD; tab, CR and LF spaces.
std::string single_line(std::string_view text);

// Text for one Markdown table cell or paragraph (CommonMark + GFM tables): backslash-
// escapes the inline markup characters \ ` * _ [ ] | ~ ('|' ends a GFM cell); newlines become
// spaces; invalid UTF-8 and controls as escape_xml; '<' and '&' as entities so no HTML
// passes through.
std::string escape_markdown(std::string_view text);

// Greedy word wrap of one paragraph at `width` columns (bytes). Words longer than the
// width get a line of their own. The first line may be `first_width` wide, the rest
// `width` (for hanging indents).
std::vector<std::string> wrap_words(std::string_view text, std::size_t first_width, std::size_t width);

}  // namespace fp8check::report
