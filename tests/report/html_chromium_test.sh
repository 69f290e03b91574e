#!/usr/bin/env bash
# Renders the sample HTML report in headless Chromium (Debian package `chromium`) and
# checks what a reader would see: the DOM holds an inline <svg> per plot and every failing
# case id, and a screenshot is a non-empty PNG.
#   html_chromium_test.sh WRITE_SAMPLE_REPORT_BINARY
# Exit 77 (ctest SKIP_RETURN_CODE) when /usr/bin/chromium or gnuplot is absent.
# FP8CHECK_SCREENSHOT_DIR=DIR keeps the report and the screenshot there.
set -euo pipefail

writer=${1:?usage: html_chromium_test.sh WRITE_SAMPLE_REPORT_BINARY}
chromium=/usr/bin/chromium
if [ ! -x "$chromium" ]; then
  echo "SKIP: $chromium not found (apt-get install chromium; ci/setup lists it)"
  exit 77
fi
if ! command -v gnuplot >/dev/null; then
  echo "SKIP: gnuplot not found, the report has no plots to check (apt-get install gnuplot-nox)"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$writer" "$work/out"
html="$work/out/report.html"

# A fresh profile and no network services: the run touches nothing outside $work.
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
       --disable-sync --no-first-run --user-data-dir="$work/profile")
timeout 120 "$chromium" "${flags[@]}" --dump-dom "file://$html" >"$work/dom.html" 2>"$work/chromium.log" || {
  echo "FAIL: chromium --dump-dom failed:"; tail -20 "$work/chromium.log"; exit 1; }

status=0
while IFS= read -r line; do
  what=${line%% *}
  value=${line#* }
  case "$what" in
    svg) grep -qF "class=\"plot\" role=\"img\" aria-label=\"$value\"" "$work/dom.html" || {
           echo "FAIL: no inline <svg> for plot '$value' in the rendered DOM"; status=1; } ;;
    case) grep -qF "$value" "$work/dom.html" || { echo "FAIL: failing case '$value' not in the rendered DOM"; status=1; } ;;
  esac
done <"$work/out/expected.txt"
plots=$(grep -c '^svg ' "$work/out/expected.txt")
svgs=$(grep -o '<svg' "$work/dom.html" | wc -l)
if [ "$svgs" -lt "$plots" ]; then echo "FAIL: $svgs <svg> elements in the DOM for $plots plots"; status=1; fi

timeout 120 "$chromium" "${flags[@]}" --hide-scrollbars --window-size=1280,4000 --screenshot="$work/shot.png" \
  "file://$html" >/dev/null 2>>"$work/chromium.log" || { echo "FAIL: chromium --screenshot failed"; exit 1; }
# A PNG starts with the 8-byte signature 89 50 4E 47 0D 0A 1A 0A (PNG spec, section 5.2).
if [ ! -s "$work/shot.png" ] || [ "$(head -c 8 "$work/shot.png" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]; then
  echo "FAIL: the screenshot is missing, empty or not a PNG"; status=1
fi
if [ -n "${FP8CHECK_SCREENSHOT_DIR:-}" ]; then
  mkdir -p "$FP8CHECK_SCREENSHOT_DIR" && cp "$html" "$work/shot.png" "$work/dom.html" "$FP8CHECK_SCREENSHOT_DIR/"
fi
[ "$status" -eq 0 ] && echo "ok: $plots plots as inline SVG, $(grep -c '^case ' "$work/out/expected.txt") failing ids, screenshot $(stat -c %s "$work/shot.png") bytes"
exit "$status"
