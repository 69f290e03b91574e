#!/usr/bin/env python3
"""`fp8check verify` on kernels with real-world numerical bugs whose error stays under the
a-priori bound (a worst case, docs/tolerance.md) but not under 2x the error of the emulated
kernel of the arithmetic the case claims (check (b)). Each bug must fail with the check that
names it; the faithful kernel (examples/python/reference_kernel.py) must pass.
Usage: verify_buggy_kernels_test.py PATH/TO/fp8check PATH/TO/reference_kernel.py   (run by ctest)."""
import importlib.util
import os
import shutil
import subprocess
import sys
import unittest

import h5py
import numpy as np

from exchange_support import export_with_example

FP8CHECK = EXAMPLE = None  # set from argv

# Smoke's seed and ids: the cases where these bugs passed before check (b) covered kernel models.
SUITE = """
[suite]
name = "exchange_buggy"
seed = 20261121
device = "sm_90"

[[cases]]
op = "gemm"
formats = ["e4m3fn.e4m3fn", "e4m3fn.e5m2"]
recipe = "vec128.blk128x128"
shape = "m128.n256.k512"
accumulation = "sm90-wgmma.p128"

[[cases]]   # the device profile's default model: an assumption about the device, judged by the bound alone
op = "gemm"
formats = "e4m3fn.e4m3fn"
recipe = "vec128.blk128x128"
shape = "m128.n256.k512"
accumulation = "device"
"""


def load_example():
    spec = importlib.util.spec_from_file_location("reference_kernel", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def b_scale_next_block(formats, g, rk):
    """B's scale of N-block i read from block i + 1 (the last one kept): an off-by-one in the
    scale pointer. Neighbouring 128x128 blocks of normal data have scales within ~10 %."""
    grid = rk.scale_values(formats, g["b_scale"])
    grid = np.concatenate([grid[1:], grid[-1:]], axis=0)
    values = formats.decode(g["b"]) * rk.expand(grid, g["b_scale"].attrs["block"], *g["b"].shape)
    return rk.operand(formats, g, "a") @ values.T


def bf16_accumulator(formats, g, rk):
    """FP32 products summed into a bf16 register, one k at a time."""
    a, b = rk.operand(formats, g, "a"), rk.operand(formats, g, "b")
    acc = np.zeros((a.shape[0], b.shape[0]))
    for k in range(a.shape[1]):
        acc = formats.round_to("bf16", acc + np.outer(a[:, k], b[:, k]).astype(np.float32))
    return acc


class VerifyBuggyKernelsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir, cls.cases, cls.good = export_with_example(FP8CHECK, EXAMPLE, SUITE, "exchange_buggy",
                                                           "fp8check_verify_buggy.")
        cls.rk = load_example()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def buggy(self, name, compute):
        """The faithful outputs with every GEMM recomputed by `compute`."""
        path = os.path.join(self.dir, name + ".h5")
        shutil.copyfile(self.good, path)
        with h5py.File(self.cases, "r") as f, h5py.File(path, "r+") as out:
            formats = self.rk.Formats(f)
            for entry, g in f["cases"].items():
                d = compute(formats, g, self.rk)
                out["outputs/" + entry][...] = formats.round_to(g.attrs["output_type"], d).astype(np.float32)
        return path

    def verify(self, outputs):
        results = outputs + ".results.h5"
        proc = subprocess.run([FP8CHECK, "verify", self.cases, outputs, "--jobs", "2", "--out", results,
                               "--report", results + ".report"], capture_output=True, text=True)
        with h5py.File(results, "r") as f:
            verdicts = {g.attrs["id"]: (g.attrs["verdict"], g.attrs.get("reason", "")) for g in f["cases"].values()}
            self.checks = {g.attrs["id"]: list(g["checks/name"].asstr()[()]) for g in f["cases"].values()}
        return proc, verdicts

    def test_the_faithful_kernel_passes(self):
        proc, verdicts = self.verify(self.good)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual([v for v, _ in verdicts.values()], ["pass", "pass", "pass"])
        # Check (b) against a kernel model only where the case names it, not for "device".
        for case_id, names in self.checks.items():
            has_b = "kernel max error vs emulated sm90-wgmma.p128 baseline" in names
            self.assertEqual(has_b, "/device/" not in case_id, case_id + ": " + str(names))

    def test_bugs_under_the_bound_fail_against_the_emulated_kernel_model(self):
        for name, compute in [("b_scale_next_block", b_scale_next_block), ("bf16_accumulator", bf16_accumulator)]:
            proc, verdicts = self.verify(self.buggy(name, compute))
            self.assertEqual(proc.returncode, 1, name + ": " + proc.stdout + proc.stderr)
            for case_id, (verdict, reason) in verdicts.items():
                if "/device/" in case_id:
                    continue  # judged by the bound alone, which these bugs may stay under
                self.assertEqual(verdict, "fail", name + " " + case_id)
                self.assertTrue(reason.startswith("kernel max error vs emulated sm90-wgmma.p128 baseline") or
                                reason.startswith("kernel error / a-priori bound"), name + " " + case_id + ": " + reason)
            # At least one case is caught by check (b) alone: its error is under the bound.
            self.assertTrue(any(r.startswith("kernel max error vs emulated sm90-wgmma.p128 baseline")
                                for _, r in verdicts.values()), name + ": " + str(verdicts))


if __name__ == "__main__":
    FP8CHECK, EXAMPLE = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1])
