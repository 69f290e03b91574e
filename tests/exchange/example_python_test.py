#!/usr/bin/env python3
"""examples/python/reference_kernel.py end to end (README, "Your own kernel"): export the
smoke suite (every op: 35 GEMM, 12 quantize, 24 attention cases), compute it with the
example, and `verify` passes every case through the run pipeline; the example with its
realistic bug (B's scale grid read column-major) fails `verify`, which names the broken
cases and the check that caught them, while the cases the bug cannot touch still pass.
Usage: example_python_test.py PATH/TO/fp8check PATH/TO/reference_kernel.py   (run by ctest)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py

FP8CHECK = EXAMPLE = None  # set from argv

BLOCK_SCALED = ("gemm/e4m3fn.e4m3fn/vec128.blk128x128/m128.n256.k512/TN/bf16/normal/fp32/plain/none/"
                "cfg:auto/dev:suite/external")
PER_TENSOR = "gemm/e4m3fn.e4m3fn/tensor/m64.n128.k256/TN/bf16/normal/fp32/plain/none/cfg:auto/dev:suite/external"


def results(path):
    """id -> (op, verdict, reason, backend) of a results file."""
    out = {}
    with h5py.File(path, "r") as f:
        for g in f["cases"].values():
            a = g.attrs
            out[a["id"]] = (a["op"], a["verdict"], a.get("reason", ""), a["backend"])
    return out


class ExamplePythonTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="fp8check_example_python.")
        cls.cases = os.path.join(cls.dir, "cases.h5")
        export = subprocess.run([FP8CHECK, "export", "smoke", "--out", cls.cases], capture_output=True, text=True)
        assert export.returncode == 0, export.stderr
        # Every smoke case is ready: none skipped, none an error.
        assert re.search(r"smoke: (\d+) case\(s\) .*\(\1 ready, 0 skipped, 0 errors\)", export.stdout), export.stdout

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def kernel_and_verify(self, name, *bug):
        outputs = os.path.join(self.dir, name + ".h5")
        kernel = subprocess.run([sys.executable, EXAMPLE, self.cases, outputs, *bug], capture_output=True, text=True)
        self.assertEqual(kernel.returncode, 0, kernel.stderr)
        self.assertIn("24 attention, 35 gemm, 24 quantize", kernel.stdout)
        out = os.path.join(self.dir, name)
        verify = subprocess.run([FP8CHECK, "verify", self.cases, outputs, "--jobs", "2", "--out",
                                 os.path.join(out, "results.h5"), "--report", os.path.join(out, "report")],
                                capture_output=True, text=True)
        return verify, results(os.path.join(out, "results.h5")), out

    def test_the_example_passes_every_case_of_every_op(self):
        verify, r, out = self.kernel_and_verify("good")
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
        # The example quantizes by the exact convention with current scaling and fp32 scales;
        # it marks the smoke suite's library-convention, delayed and MX (E8M0 scales) quantize
        # cases skipped, with its reasons.
        self.assertIn("result: all 71 judged cases passed (12 skipped)", verify.stdout)
        self.assertEqual(len(r), 83)
        self.assertEqual({op for op, _, _, _ in r.values()}, {"gemm", "quantize", "attention"})
        for case_id, (op, verdict, reason, backend) in r.items():
            library_rule = "/conv:" in case_id or "/delayed" in case_id
            mx_quantize = op == "quantize" and "/mxfp8/" in case_id
            self.assertEqual(backend, "external", case_id)
            if library_rule:
                self.assertEqual(verdict, "skipped", case_id)
                self.assertIn("this example follows the exact convention with current scaling only", reason)
            elif mx_quantize:
                self.assertEqual(verdict, "skipped", case_id)
                self.assertIn("fp32 dequantization scales and float formats only", reason)
            else:
                self.assertEqual(verdict, "pass", case_id + ": " + reason)
        # The same reports as run.
        for name in ("report.html", "junit.xml", "summary.json", "report.md"):
            self.assertTrue(os.path.isfile(os.path.join(out, "report", name)), name)

    def test_the_wrong_variant_fails_naming_the_case_and_the_check(self):
        verify, r, _ = self.kernel_and_verify("bug", "--bug", "b-scales-column-major")
        self.assertEqual(verify.returncode, 1, verify.stdout + verify.stderr)
        op, verdict, reason, _ = r[BLOCK_SCALED]
        self.assertEqual(verdict, "fail")
        self.assertTrue(reason.startswith("kernel error / a-priori bound: "), reason)
        self.assertIn(BLOCK_SCALED, verify.stdout)
        self.assertIn("kernel error / a-priori bound", verify.stdout)
        # A per-tensor scale grid is 1 x 1: read either way, it is the same.
        self.assertEqual(r[PER_TENSOR][1], "pass", r[PER_TENSOR][2])
        failed = [i for i, (_, v, _, _) in r.items() if v not in ("pass", "skipped")]
        self.assertTrue(all(i.startswith("gemm/") for i in failed), failed)
        self.assertGreaterEqual(len(failed), 20)

    def test_a_declared_kernel_model_is_checked_bit_for_bit(self):
        outputs = os.path.join(self.dir, "declared.h5")
        subprocess.run([sys.executable, EXAMPLE, self.cases, outputs], check=True, capture_output=True)
        out = os.path.join(self.dir, "declared")
        verify = subprocess.run([FP8CHECK, "verify", self.cases, outputs, "--jobs", "2", "--kernel-model", "fp32",
                                 "--out", os.path.join(out, "results.h5"), "--report", os.path.join(out, "report")],
                                capture_output=True, text=True)
        # FP64 sums rounded once are not FP32 accumulation: some outputs carry other bits.
        self.assertEqual(verify.returncode, 1, verify.stdout + verify.stderr)
        self.assertIn("bits equal to emulated fp32: ", verify.stdout)
        r = results(os.path.join(out, "results.h5"))
        self.assertTrue(all(op == "gemm" for op, v, _, _ in r.values() if v not in ("pass", "skipped")))
        bad = subprocess.run([FP8CHECK, "verify", self.cases, outputs, "--kernel-model", "nonesuch"],
                             capture_output=True, text=True)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("unknown kernel model 'nonesuch'", bad.stderr)

if __name__ == "__main__":
    FP8CHECK, EXAMPLE = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1])
