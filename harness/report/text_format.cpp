#include "harness/report/text_format.hpp"

#include <cmath>
#include <cstdio>

namespace fp8check::report {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

std::string non_finite_text(double value) {
  if (std::isnan(value)) return "nan";
  return value > 0 ? "inf" : "-inf";
}

// Length of the valid UTF-8 sequence at text[i], or 0 if none starts there (Unicode 15
// Table 3-7: shortest forms only, no surrogates, at most U+10FFFF).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) length = 2;
  else if (b0 == 0xE0) length = 3, low = 0xA0;
  else if (b0 >= 0xE1 && b0 <= 0xEC) length = 3;
  else if (b0 == 0xED) length = 3, high = 0x9F;
  else if (b0 >= 0xEE && b0 <= 0xEF) length = 3;
  else if (b0 == 0xF0) length = 4, low = 0x90;
  else if (b0 >= 0xF1 && b0 <= 0xF3) length = 4;
  else if (b0 == 0xF4) length = 4, high = 0x8F;
  else return 0;
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return length;
}

// Calls emit(sequence) for every valid sequence and emit(kReplacement) for each invalid byte run.
template <class Emit>
void for_each_code_point(std::string_view text, Emit emit) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (const std::size_t n = utf8_sequence_length(text, i)) {
      emit(text.substr(i, n));
      i += n;
      continue;
    }
    emit(kReplacement);
    // Skip the maximal invalid subpart: the lead byte and the continuation bytes after it.
    ++i;
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80 && !utf8_sequence_length(text, i))
      ++i;
  }
}

bool is_forbidden_control(unsigned char c) { return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F; }

}  // namespace

std::string format_number(double value) {
  if (!std::isfinite(value)) return non_finite_text(value);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", value);
  return buffer;
}

std::string format_fixed3(double value) {
  if (!std::isfinite(value)) return non_finite_text(value);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3f", value);
  return buffer;
}

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_code_point(text, [&](std::string_view cp) { out += cp; });
  return out;
}

std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for_each_code_point(text, [&](std::string_view cp) {
    if (cp.size() > 1) {
      out += cp;
      return;
    }
    switch (const char c = cp[0]) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (is_forbidden_control(static_cast<unsigned char>(c))) out += kReplacement;
        else out += c;
    }
  });
  return out;
}

std::string single_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_code_point(text, [&](std::string_view cp) {
    if (cp.size() > 1) out += cp;
    else if (cp[0] == '\t' || cp[0] == '\n' || cp[0] == '\r') out += ' ';
    else if (is_forbidden_control(static_cast<unsigned char>(cp[0]))) out += kReplacement;
    else out += cp;
  });
  return out;
}

std::string escape_markdown(std::string_view text) {
  // Inline markup only: every cell and paragraph the reporters write starts with their own text,
  // so block markup (#, -, +, >) cannot begin a line and stays readable unescaped.
  constexpr std::string_view kMarkup = "\\`*_[]|~";
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  for_each_code_point(text, [&](std::string_view cp) {
    if (cp.size() > 1) {
      out += cp;
      return;
    }
    const char c = cp[0];
    if (c == '\n' || c == '\r' || c == '\t') out += ' ';
    else if (c == '<') out += "&lt;";
    else if (c == '&') out += "&amp;";
    else if (is_forbidden_control(static_cast<unsigned char>(c))) out += kReplacement;
    else {
      if (kMarkup.find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  });
  return out;
}

std::vector<std::string> wrap_words(std::string_view text, std::size_t first_width, std::size_t width) {
  std::vector<std::string> lines(1);
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    if (end == i) break;
    const std::string_view word = text.substr(i, end - i);
    const std::size_t limit = lines.size() == 1 ? first_width : width;
    std::string& line = lines.back();
    if (line.empty()) line = word;
    else if (line.size() + 1 + word.size() <= limit) line += ' ', line += word;
    else lines.emplace_back(word);
    i = end;
  }
  return lines;
}

}  // namespace fp8check::report
