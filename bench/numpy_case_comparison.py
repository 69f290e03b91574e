#!/usr/bin/env python3
"""The plain numpy script a user would write instead of `fp8check run` for one block-scaled
FP8 GEMM case (issue 14; docs/performance.md, "One GEMM case against numpy"):

  inputs      A (M x K) and B (N x K, weights stored as output rows), standard normal, float64
  quantize    e4m3fn with DeepSeek-V3 / DeepGEMM scales: A per 1 x 128, B per 128 x 128 block,
              scale = max(amax, 1e-4) / 448 (DeepGEMM's per_token_cast_to_fp8 and
              per_block_cast_to_fp8), codes by round-to-nearest-even with saturation at 448
  emulate     FP32 products of the codes per 128-wide K block (sgemm), scaled by the two
              blocks' scales and accumulated in FP32, output rounded to bf16
  reference   FP64 product of the dequantized operands (dgemm)
  compare     DeepGEMM's calc_diff, 1 - 2 sum(xy) / sum(x^2 + y^2)

numpy only. With --fp8check PATH it also runs `PATH run` on the same case (a one-case suite
written to a temporary folder; --jobs 1, no golden) in the same process, alternating with the
script, and prints the medians and their ratio; --fp8check may be given several times (say, two
builds), each timed in turn in every round. Each round also times one FP64 dgemm of the problem
(numpy's a @ b.T: B read as stored, through the BLAS numpy links, on Debian the same OpenBLAS
library as fp8check's references), and each fp8check run's per-stage wall times are read from
its JSON report: the median of everything but the kernel under test over that dgemm is issue
14's "harness cost" ratio (goal: <= 3).

  python3 bench/numpy_case_comparison.py --shape 128,7168,2048 --repeat 3 --fp8check build/fp8check
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

E4M3_MAX = 448.0
BLOCK = 128


def round_e4m3(x):
    """x (float64, already divided by its scale) to the nearest e4m3fn value, ties to even,
    saturating at +-448: 3 fraction bits, smallest normal 2^-6, subnormal quantum 2^-9."""
    x = np.clip(x, -E4M3_MAX, E4M3_MAX)
    _, exponent = np.frexp(x)              # x = m 2^exponent, 0.5 <= |m| < 1
    exponent = np.maximum(exponent, -5)    # below 2^-6 the quantum stays 2^-9
    quantum_exp = exponent - 4             # 2^(exponent - 1) is the binade; 3 fraction bits
    return np.clip(np.ldexp(np.round(np.ldexp(x, -quantum_exp)), quantum_exp), -E4M3_MAX, E4M3_MAX)


def quantize_rows(a):
    """1 x 128 blocks along K (activations): codes (as float64) and scales (M x K/128)."""
    m, k = a.shape
    blocks = a.reshape(m, k // BLOCK, BLOCK)
    scale = np.maximum(np.abs(blocks).max(axis=2), 1e-4) / E4M3_MAX
    codes = round_e4m3(blocks / scale[:, :, None]).reshape(m, k)
    return codes, scale


def quantize_blocks(b):
    """128 x 128 blocks (weights, N x K): codes and scales (N/128 x K/128)."""
    n, k = b.shape
    blocks = b.reshape(n // BLOCK, BLOCK, k // BLOCK, BLOCK)
    scale = np.maximum(np.abs(blocks).max(axis=(1, 3)), 1e-4) / E4M3_MAX
    codes = round_e4m3(blocks / scale[:, None, :, None]).reshape(n, k)
    return codes, scale


def round_bf16(x32):
    """float32 to bf16 (round to nearest even), returned as float32."""
    bits = x32.view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).astype(np.uint32)
    return rounded.view(np.float32)


def emulate(a_codes, a_scale, b_codes, b_scale):
    """FP32 accumulation per 128-wide K block, each block's sum scaled by its two scales."""
    m, k = a_codes.shape
    n = b_codes.shape[0]
    a32, b32 = a_codes.astype(np.float32), b_codes.astype(np.float32)
    out = np.zeros((m, n), np.float32)
    for kb in range(k // BLOCK):
        cols = slice(kb * BLOCK, (kb + 1) * BLOCK)
        partial = a32[:, cols] @ b32[:, cols].T
        scale = a_scale[:, kb].astype(np.float32)[:, None] * np.repeat(b_scale[:, kb], BLOCK).astype(np.float32)[None, :n]
        out += partial * scale
    return round_bf16(out)


def calc_diff(x, y):
    x, y = x.astype(np.float64), y.astype(np.float64)
    return 1 - 2 * (x * y).sum() / (x * x + y * y).sum()


def run_script(m, n, k, seed):
    cpu_start = time.process_time()
    times = {}
    t = time.perf_counter()
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, k))
    b = rng.standard_normal((n, k))
    times["inputs"] = time.perf_counter() - t

    t = time.perf_counter()
    a_codes, a_scale = quantize_rows(a)
    b_codes, b_scale = quantize_blocks(b)
    times["quantize"] = time.perf_counter() - t

    t = time.perf_counter()
    out = emulate(a_codes, a_scale, b_codes, b_scale)
    times["emulate"] = time.perf_counter() - t

    t = time.perf_counter()
    a_deq = a_codes * np.repeat(a_scale, BLOCK, axis=1)
    b_deq = b_codes * np.repeat(np.repeat(b_scale, BLOCK, axis=0), BLOCK, axis=1)
    ref = a_deq @ b_deq.T
    times["reference"] = time.perf_counter() - t

    t = time.perf_counter()
    diff = calc_diff(out, ref)
    times["calc_diff"] = time.perf_counter() - t
    times["total"] = sum(times.values())
    times["cpu"] = time.process_time() - cpu_start  # every thread of this process
    return times, diff


SUITE = """[suite]
name = "numpy_comparison"
description = "one block-scaled e4m3 GEMM case, the work of bench/numpy_case_comparison.py"
seed = 20261121
device = "sm_90"

[defaults]
backend = "emulated"

[[cases]]
op = "gemm"
formats = "e4m3fn.e4m3fn"
recipe = "vec128.blk128x128"
shape = "m{m}.n{n}.k{k}"
"""


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_fp8check(binary, suite_path, folder):
    """Wall and CPU seconds (user + system, every thread) of one `fp8check run`, and the case's
    per-stage wall seconds from its JSON report (empty for builds that do not record them)."""
    cpu_start = children_cpu()
    t = time.perf_counter()
    result = subprocess.run([binary, "run", suite_path, "--jobs", "1", "--no-golden", "--out",
                             os.path.join(folder, "results.h5"), "--report", os.path.join(folder, "report")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - t
    if result.returncode != 0:
        sys.exit(f"{binary} run failed (exit {result.returncode}):\n{result.stdout}")
    with open(os.path.join(folder, "report", "summary.json")) as f:
        stages = json.load(f)["cases"][0].get("stage_seconds", {})
    return seconds, children_cpu() - cpu_start, stages


def time_dgemm(m, n, k, seed):
    """Wall seconds of one FP64 product of the problem, B (N x K) read as stored."""
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((m, k)), rng.standard_normal((n, k))
    a @ b.T  # first call: the BLAS threads start
    t = time.perf_counter()
    a @ b.T
    return time.perf_counter() - t


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", default="128,7168,2048", help="M,N,K (multiples of 128)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fp8check", action="append", default=[],
                        help="path of an fp8check program to time on the same case (repeatable)")
    args = parser.parse_args()
    m, n, k = (int(v) for v in args.shape.split(","))
    if any(v % BLOCK for v in (m, n, k)):
        sys.exit(f"--shape {args.shape}: M, N and K must be multiples of {BLOCK}")

    script_totals, script_cpu = [], []
    fp8check_totals = {binary: [] for binary in args.fp8check}
    fp8check_cpu = {binary: [] for binary in args.fp8check}
    fp8check_stages = {binary: [] for binary in args.fp8check}
    dgemm_seconds = []
    with tempfile.TemporaryDirectory() as folder:
        suite_path = os.path.join(folder, "numpy_comparison.toml")
        with open(suite_path, "w") as f:
            f.write(SUITE.format(m=m, n=n, k=k))
        for r in range(args.repeat):
            times, diff = run_script(m, n, k, args.seed)
            script_totals.append(times["total"])
            script_cpu.append(times["cpu"])
            stages = "  ".join(f"{name} {seconds:.3f}" for name, seconds in times.items())
            print(f"numpy   m{m}.n{n}.k{k} run {r + 1}: {stages} s  (calc_diff {diff:.3g})", flush=True)
            for binary, totals in fp8check_totals.items():
                wall, cpu, stages = run_fp8check(binary, suite_path, folder)
                totals.append(wall)
                fp8check_cpu[binary].append(cpu)
                fp8check_stages[binary].append(stages)
                text = "  ".join(f"{name} {seconds:.3f}" for name, seconds in sorted(stages.items()))
                print(f"{binary} m{m}.n{n}.k{k} run {r + 1}: total {wall:.3f} s, cpu {cpu:.3f} s (whole program)"
                      + (f"; stages {text}" if text else ""), flush=True)
            if args.fp8check:
                dgemm_seconds.append(time_dgemm(m, n, k, args.seed))
                print(f"one FP64 dgemm m{m}.n{n}.k{k} run {r + 1}: {dgemm_seconds[-1]:.3f} s", flush=True)
    script, cpu = statistics.median(script_totals), statistics.median(script_cpu)
    print(f"numpy script: median {script:.3f} s wall, {cpu:.3f} s cpu over {args.repeat} runs")
    for binary, totals in fp8check_totals.items():
        wall, binary_cpu = statistics.median(totals), statistics.median(fp8check_cpu[binary])
        print(f"{binary} run --jobs 1: median {wall:.3f} s wall, {binary_cpu:.3f} s cpu; numpy / fp8check = "
              f"{script / wall:.2f}x (wall), {cpu / binary_cpu:.2f}x (cpu)")
        runs = [s for s in fp8check_stages[binary] if s]
        if runs:
            dgemm = statistics.median(dgemm_seconds)
            names = sorted({name for s in runs for name in s})
            medians = {name: statistics.median(s.get(name, 0.0) for s in runs) for name in names}
            harness = statistics.median(sum(v for name, v in s.items() if name != "kernel") for s in runs)
            print(f"{binary} stages (median wall s): " + "  ".join(f"{k} {v:.3f}" for k, v in medians.items()))
            print(f"{binary} everything but the kernel: median {harness:.3f} s = {harness / dgemm:.1f}x one FP64 dgemm "
                  f"({dgemm:.3f} s, median)")


if __name__ == "__main__":
    main()
