#!/usr/bin/env bash
# Static checks of fp8check's own CUDA kernels for one architecture, on a machine without
# a GPU (docs/cuda-kernels.md, "Static checks"):
#  1. the GEMM, attention and quantize kernels compile for the architecture;
#  2. every GEMM kernel whose body this architecture compiles (native FP8 from sm_89, the
#     software path below; the mma_sync shared-memory model below sm_90, the wgmma one from
#     sm_90) has the static shared memory the layout gives (gemm_tiling.hpp), which equals
#     the config selector's model for its config (printed by own_kernel_expectations, which
#     also holds them equal); kernels above 48 KiB take dynamic shared memory (0 static);
#  3. registers within the profile's limit, no spills, no stack frame;
#  4. the PTX of sm_89 and sm_90a issues mma.sync ... e4m3 and the hardware
#     cvt.rn.satfinite.e4m3x2.f32; the PTX of sm_80 and sm_86 neither (software path);
#  5. the attention kernels (bodies from sm_89, trap stubs below): registers within the
#     sm_89 profile's limit, no spills, no stack frame, no static shared memory (all
#     dynamic); their PTX issues mma.sync m16n8k32 e4m3 (and m16n8k16 bf16 for a bf16 P).
# Usage: own_kernels_static_check.sh NVCC SOURCE_DIR EXPECTATIONS_PROGRAM ARCH [INCLUDE_DIRS]
#   (ARCH: 80, 86, 89, 90a, 100a; INCLUDE_DIRS: ';'-separated, Eigen's for quantize_kernels.cu,
#   which includes harness/core/matrix.hpp). Exit 0 = every check holds.
set -euo pipefail
nvcc=$1 src=$2 expectations=$3 arch=$4
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flags=(-std=c++20 --expt-relaxed-constexpr --fmad=false -Xcompiler=-ffp-contract=off -I"$src")
IFS=';' read -r -a includes <<<"${5:-}"
for dir in "${includes[@]}"; do [ -n "$dir" ] && flags+=(-I"$dir"); done
number=${arch%a}
fail=0
for cu in gemm_kernels attention_kernels quantize_kernels; do
  mkdir -p "$out/$cu"
  if ! "$nvcc" "${flags[@]}" -gencode "arch=compute_$arch,code=[sm_$arch,compute_$arch]" --resource-usage \
       --keep --keep-dir "$out/$cu" -c "$src/kernels/cuda/own/$cu.cu" -o "$out/$cu.o" 2>"$out/$cu.usage"; then
    cat "$out/$cu.usage"; echo "FAIL sm_$arch: $cu.cu does not compile"; exit 1
  fi
  cat "$out/$cu"/*.ptx >"$out/$cu.ptx"  # the PTX ptxas compiled (kept intermediate)
done
echo "sm_$arch: gemm_kernels.cu, attention_kernels.cu and quantize_kernels.cu compile"

"$expectations" >"$out/expected.txt"
"$expectations" --attention >"$out/attention_expected.txt"
python3 - "$out" "$number" <<'PY' || fail=1
import re, sys
out, arch = sys.argv[1], int(sys.argv[2])

def resources(path):  # ptxas --resource-usage: registers, static smem, (stack, spill stores, spill loads)
    found = {}
    for block in re.split(r"ptxas info\s+: Compiling entry function '", open(path).read())[1:]:
        name = block.split("'")[0]
        regs = re.search(r"Used (\d+) registers", block)
        smem = re.search(r"(\d+) bytes smem", block)
        spill = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", block)
        found[name] = (int(regs.group(1)) if regs else 0, int(smem.group(1)) if smem else 0,
                       tuple(int(x) for x in spill.groups()) if spill else (0, 0, 0))
    return found

def check_body(symbol, found, static_smem, limit, extra=""):  # a compiled body: smem, registers, spills
    regs, smem, (stack, spill_st, spill_ld) = found[symbol]
    bad = 0
    if smem != static_smem:
        print(f"FAIL sm_{arch} {symbol}: ptxas {smem} B static shared memory, layout {static_smem} B"); bad += 1
    if regs > limit:
        print(f"FAIL sm_{arch} {symbol}: {regs} registers > {limit}"); bad += 1
    if spill_st or spill_ld or stack:
        print(f"FAIL sm_{arch} {symbol}: {stack} B stack frame, {spill_st}/{spill_ld} B spilled"); bad += 1
    print(f"sm_{arch} {symbol}: {regs} registers, {smem} B static shared memory{extra}, no spills")
    return bad

bad = checked = 0
found = resources(f"{out}/gemm_kernels.usage")
for line in open(f"{out}/expected.txt").read().split('\n'):
    if not line: continue
    symbol, family, path, static_smem, selector, limit, total = line.split()
    static_smem, selector, limit, total = int(static_smem), int(selector), int(limit), int(total)
    if symbol not in found:
        print(f"FAIL sm_{arch}: {symbol} missing from ptxas's output"); bad += 1; continue
    native_ok = arch >= 89 if path == "native" else arch < 89
    family_ok = arch < 90 if family == "mma_sync" else arch >= 90
    if not (native_ok and family_ok):
        continue  # a trap stub on this architecture: it compiles, nothing else to check
    checked += 1
    if static_smem and static_smem != selector:
        print(f"FAIL {symbol}: layout {static_smem} B != selector model {selector} B"); bad += 1
    bad += check_body(symbol, found, static_smem, limit, '' if static_smem else f' (dynamic {total} B)')
if checked == 0:
    print(f"FAIL sm_{arch}: no kernel body checked"); bad += 1

found = resources(f"{out}/attention_kernels.usage")
for line in open(f"{out}/attention_expected.txt").read().split('\n'):
    if not line: continue
    symbol, total, limit = line.split()
    if symbol not in found:
        print(f"FAIL sm_{arch}: {symbol} missing from ptxas's output"); bad += 1; continue
    if arch >= 89:  # below: a trap stub
        bad += check_body(symbol, found, 0, int(limit), f" (dynamic {total} B)")
sys.exit(1 if bad else 0)
PY

ptx="$out/gemm_kernels.ptx"
mma=$(grep -c "mma.sync.aligned.m16n8k32.row.col.f32.e[45]m[23].e[45]m[23].f32" "$ptx" || true)
cvt=$(grep -c "cvt.rn.satfinite.e4m3x2.f32" "$ptx" || true)
case $number in
  89|90|100)
    if [ "$mma" -lt 1 ]; then echo "FAIL sm_$arch: no mma.sync m16n8k32 FP8 in the PTX"; fail=1; fi
    if [ "$cvt" -lt 1 ]; then echo "FAIL sm_$arch: no cvt.rn.satfinite.e4m3x2.f32 in the PTX"; fail=1; fi
    echo "sm_$arch: PTX issues mma.sync m16n8k32 FP8 ($mma sites) and cvt.rn.satfinite.e4m3x2.f32 ($cvt sites)" ;;
  *)
    any=$(grep -cE "\.e4m3|\.e5m2|e4m3x2|e5m2x2" "$ptx" || true)
    if [ "$any" -ne 0 ]; then echo "FAIL sm_$arch: $any FP8 instructions in the PTX of a device without FP8 tensor cores"; fail=1; fi
    bf16=$(grep -c "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32" "$ptx" || true)
    if [ "$bf16" -lt 1 ]; then echo "FAIL sm_$arch: the software path issues no bf16 mma.sync"; fail=1; fi
    echo "sm_$arch: PTX has no FP8 instruction; the software path issues bf16 mma.sync ($bf16 sites)" ;;
esac
ptx="$out/attention_kernels.ptx"
mma=$(grep -c "mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32" "$ptx" || true)
bf16=$(grep -c "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32" "$ptx" || true)
case $number in
  89|90|100)
    if [ "$mma" -lt 1 ] || [ "$bf16" -lt 1 ]; then echo "FAIL sm_$arch: attention PTX lacks mma.sync m16n8k32 e4m3 or m16n8k16 bf16"; fail=1; fi
    echo "sm_$arch: attention PTX issues mma.sync m16n8k32 e4m3 ($mma sites) and m16n8k16 bf16 ($bf16 sites)" ;;
  *)
    any=$(grep -cE "\.e4m3|\.e5m2|mma\.sync" "$ptx" || true)
    if [ "$any" -ne 0 ]; then echo "FAIL sm_$arch: the attention trap stubs hold $any FP8 or mma instructions"; fail=1; fi
    echo "sm_$arch: attention kernels are trap stubs" ;;
esac
[ $fail -eq 0 ] && echo "own kernels, sm_$arch: all static checks hold"
exit $fail
