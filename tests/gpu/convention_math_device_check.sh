#!/usr/bin/env bash
# The conventions' arithmetic as device code (tests/gpu/convention_math_device.cu): it
# compiles for sm_90a, and its fp32 operations are the IEEE round-to-nearest ones, so a
# GPU quantize kernel gives the CPU quantizer's bits by construction. No GPU needed.
# Usage: convention_math_device_check.sh NVCC SOURCE_DIR   (exit 0 = holds)
set -euo pipefail
nvcc=$1
src=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$nvcc" -std=c++20 --expt-relaxed-constexpr -I"$src" -arch=sm_90a -ptx \
  "$src/tests/gpu/convention_math_device.cu" -o "$out/k.ptx"
body=$(awk '/\.entry .*quantize_groups_kernel/,/^}/' "$out/k.ptx")
[ -n "$body" ] || { echo "FAIL: quantize_groups_kernel not found in the PTX"; exit 1; }
fail=0
for want in div.rn.f32 mul.rn.f32 rcp.rn.f32 div.rn.f64 fma.rn.f64; do
  if grep -q "$want" <<<"$body"; then echo "uses $want"; else echo "FAIL: no $want (expected in the fp32 or exact paths)"; fail=1; fi
done
for banned in div.full div.approx rcp.approx "fma.rn.f32" "mad.f32" "ex2.approx" "lg2.approx"; do
  if grep -q "$banned" <<<"$body"; then echo "FAIL: $banned in the convention arithmetic"; fail=1; fi
done
[ $fail -eq 0 ] && echo "convention_math_device_check: the device arithmetic is the CPU's"
exit $fail
