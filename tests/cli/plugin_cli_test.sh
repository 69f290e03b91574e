#!/usr/bin/env bash
# fp8check run --backend-lib: the example plug-in's suite is judged end to end (verdicts,
# results, a golden recorded and matched bit for bit, reports); what it declines is skipped
# with its reasons; a wrong ABI, a missing file and a failing plug-in give one clear line
# (exit 2) or an error verdict (exit 1).
# Usage: plugin_cli_test.sh FP8CHECK SOURCE_DIR EXAMPLE_PLUGIN WRONG_ABI_PLUGIN FAULTY_PLUGIN
set -uo pipefail
fp8check=$1 source_dir=$2 plugin=$3 wrong_abi=$4 faulty=$5
suite=$source_dir/examples/plugin/plugin_example.toml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$fp8check" run "$suite" --backend-lib "$plugin" --jobs 2 --out "$work/r1.h5" --report "$work/report" \
  >"$work/out" 2>&1; rc=$?
cat "$work/out"
[ "$rc" = 0 ] || fail "the example plug-in's suite exited $rc, expected 0"
grep -q "^result: all 21 judged cases passed (2 skipped)$" "$work/out" || fail "21 judged cases should pass"
grep -q "^backend example  *23 " "$work/out" || fail "every case should run on the plug-in"
grep -q "plug-in example has no attention kernel" "$work/out" || fail "the attention skip reason"
grep -q "the example plug-in writes fp32 and bf16 outputs only, not fp16" "$work/out" || fail "the fp16 skip reason"
[ -s "$work/report/report.html" ] || fail "no HTML report"

# A golden of the plug-in's run, then a second run compared with it bit for bit.
"$fp8check" golden update "$work/r1.h5" --golden "$work/golden.h5" --write >/dev/null 2>&1 || fail "golden update"
"$fp8check" run "$suite" --backend-lib "$plugin" --jobs 2 --out "$work/r2.h5" --report "$work/report2" \
  --golden "$work/golden.h5" >/dev/null 2>&1 || fail "the second run against the golden"
"$fp8check" compare "$work/r2.h5" "$work/golden.h5" >"$work/cmp" 2>&1 || { cat "$work/cmp"; fail "compare"; }
grep -q "summary: 23 match, 0 bits_changed" "$work/cmp" || { cat "$work/cmp"; fail "the golden should match bit for bit"; }

# The ids a run would execute, on the plug-in.
"$fp8check" list "$suite" --backend-lib "$plugin" 2>/dev/null | grep -q "^quantize/e4m3fn/tensor/r64.c512/normal/example$" \
  || fail "list --backend-lib should put the cases on the plug-in"

# A wrong ABI version: exit 2, one line naming both versions.
"$fp8check" run "$suite" --backend-lib "$wrong_abi" >"$work/out" 2>&1; rc=$?
cat "$work/out"
[ "$rc" = 2 ] || fail "a wrong-ABI plug-in exited $rc, expected 2"
[ "$(wc -l <"$work/out")" = 1 ] || fail "expected one line"
grep -q "ABI version 999; this fp8check loads version 1" "$work/out" || fail "both versions named"

"$fp8check" run "$suite" --backend-lib "$work/missing.so" >"$work/out" 2>&1; rc=$?
[ "$rc" = 2 ] && grep -q "cannot be loaded" "$work/out" || fail "a missing library: exit $rc, $(cat "$work/out")"

# A plug-in whose kernel fails: the case's verdict is error with its message; the run exits 1.
"$fp8check" run "$suite" --backend-lib "$faulty" --filter 'gemm/*m32.n64.k256.b3*' --no-golden \
  --out "$work/r3.h5" --report "$work/report3" >"$work/out" 2>&1; rc=$?
cat "$work/out"
[ "$rc" = 1 ] || fail "a failing plug-in's run exited $rc, expected 1"
grep -q "run_gemm failed (status 2): simulated device failure: illegal memory access" "$work/out" || fail "the message"
echo PASS
