#!/usr/bin/env bash
# fp8check selftest: the built-in suite catches every fault class and passes every clean
# twin (exit 0); a suite where a fault cannot bite, a clean twin is flagged and classes are
# missing fails (exit 1) and says which.
# Usage: selftest_cli_test.sh FP8CHECK SOURCE_DIR
set -uo pipefail
fp8check=$1 source_dir=$2
fail() { echo "FAIL: $*"; exit 1; }

out=$("$fp8check" selftest --jobs 2 2>/dev/null); rc=$?
echo "$out"
[ "$rc" = 0 ] || fail "fp8check selftest exited $rc, expected 0"
grep -q "^selftest: all 13 fault classes caught; all 10 clean twins pass$" <<<"$out" || fail "summary line"
[ "$(grep -c ' caught  ' <<<"$out")" -ge 13 ] || fail "expected a 'caught' row per fault class"
grep -q "^inverted_scale .* caught " <<<"$out" || fail "inverted_scale not reported caught"
grep -q "scale mismatches vs reference quantizer" <<<"$out" || fail "the catching check is not named"

out=$("$fp8check" selftest --jobs 2 --suite "$source_dir/tests/data/selftest_unnoticed.toml" 2>/dev/null); rc=$?
echo "$out"
[ "$rc" = 1 ] || fail "selftest on a suite with an unnoticed fault exited $rc, expected 1"
grep -q "^padding_rows_read .* UNNOTICED " <<<"$out" || fail "padding_rows_read on a dense GEMM not reported unnoticed"
grep -q "went unnoticed" <<<"$out" || fail "the reason of the unnoticed fault"
grep -q "^  FLAGGED quantize/e4m3fn/vec128/r16.c256/normal/emulated$" <<<"$out" || fail "the flagged clean twin"
grep -q "^p_scale_overflow .* NO CASE " <<<"$out" || fail "a fault class without a case"

"$fp8check" selftest --jobs 0 >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || fail "--jobs 0 exited $rc, expected 2"
echo "PASS"
