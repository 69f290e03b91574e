#!/usr/bin/env python3
"""`fp8check verify` on outputs that are wrong in the ways real kernels and scripts get them
wrong (docs/exchange-format.md, "What verify checks"). A problem with one case's output is
that case's `error` verdict with the reason, and the other cases are still judged; a file
that is not the outputs of the cases file is exit 2 with one line, before anything runs.
Never a crash, never a silent pass.
Usage: verify_bad_outputs_test.py PATH/TO/fp8check PATH/TO/reference_kernel.py   (run by ctest)."""
import os
import shutil
import subprocess
import sys
import unittest

import h5py
import numpy as np

from exchange_support import export_with_example

FP8CHECK = EXAMPLE = None  # set from argv

# Small cases of every op and output kind; the eight bf16 GEMMs differ only in their inputs,
# so each can carry one defect and all are judged in one verify run.
SUITE = """
[suite]
name = "exchange_bad"
seed = 7
device = "sm_90"

[[cases]]
op = "gemm"
formats = "e4m3fn.e4m3fn"
recipe = "tensor"
shape = "m32.n64.k128"
distribution = ["normal", "uniform", "integers", "normal(0,2)", "normal(1,1)", "uniform(-2,2)", "uniform(0,1)",
                "normal(0,0.5)"]

[[cases]]
op = "gemm"
shape = "m32.n64.k128"
output = "e4m3fn"

[[cases]]
op = "gemm"
shape = "m64.n64.k128.g2m.v20"
output = "fp32"

[[cases]]
op = "quantize"
recipe = ["vec128", "mxfp8"]
shape = "r32.c256"

[[cases]]
op = "attention"
shape = "b1.h2.kv1.sq16.skv40.d64.causal"
"""


def gemm_id(distribution):
    return "gemm/e4m3fn.e4m3fn/tensor/m32.n64.k128/TN/bf16/%s/fp32/plain/none/cfg:auto/dev:suite/external" % distribution


class VerifyBadOutputsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir, cls.cases, cls.good = export_with_example(FP8CHECK, EXAMPLE, SUITE, "exchange_bad", "fp8check_verify_bad.")
        with h5py.File(cls.cases, "r") as f:
            cls.entry = {g.attrs["id"]: name for name, g in f["cases"].items()}
            cls.suite, cls.digest = f.attrs["suite"], f.attrs["cases_digest"]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def copy(self, name):
        path = os.path.join(self.dir, name + ".h5")
        shutil.copyfile(self.good, path)
        return path

    def verify(self, outputs, *extra):
        out = os.path.join(self.dir, "results_" + os.path.basename(outputs))
        return subprocess.run([FP8CHECK, "verify", self.cases, outputs, "--jobs", "2", "--no-baseline", "--out", out,
                               "--report", out + ".report", *extra], capture_output=True, text=True), out

    def verdicts(self, results):
        with h5py.File(results, "r") as f:
            return {g.attrs["id"]: (g.attrs["verdict"], g.attrs.get("reason", "")) for g in f["cases"].values()}

    def assert_bad_file(self, outputs, message):
        proc, _ = self.verify(outputs)
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        self.assertEqual(proc.stderr.count("\n"), 1, proc.stderr)
        self.assertIn(message, proc.stderr)
        self.assertNotIn("case(s) of suite", proc.stderr)  # nothing ran

    def test_good_outputs_pass_and_a_declared_skip_is_a_skip(self):
        proc, results = self.verify(self.good)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        v = self.verdicts(results)
        self.assertEqual(len(v), 13)
        skipped = [i for i, (verdict, _) in v.items() if verdict == "skipped"]
        self.assertEqual(skipped, ["quantize/e4m3fn/mxfp8/r32.c256/normal/external"])
        self.assertIn("the external kernel has no implementation: ", v[skipped[0]][1])
        self.assertTrue(all(verdict == "pass" for i, (verdict, _) in v.items() if i not in skipped))
        proc, _ = self.verify(self.good, "--fail-on-skip")
        self.assertEqual(proc.returncode, 1)

    def test_each_bad_case_is_its_own_error_and_the_rest_are_judged(self):
        path = self.copy("per_case")
        e = lambda distribution: "outputs/" + self.entry[gemm_id(distribution)]
        with h5py.File(path, "r+") as f:
            del f[e("normal")]                                        # missing
            good = f[e("uniform")][()]
            del f[e("uniform")]
            f.create_dataset(e("uniform"), data=good[:-1])            # truncated: one row short
            f[e("uniform")].attrs["id"] = gemm_id("uniform")
            del f[e("integers")]
            f.create_dataset(e("integers"), data=good.astype(np.float64))  # float64, not float32
            f[e("integers")].attrs["id"] = gemm_id("integers")
            f[e("normal(0,2)")][0, 3] = np.float32(1 + 2.0**-10)      # not a bf16 value
            f[e("normal(1,1)")][...] = np.nan                         # NaN-filled
            f[e("uniform(-2,2)")].attrs["id"] = gemm_id("uniform")    # another case's output
            f[e("uniform(0,1)")][5, 7] = np.nan                       # one NaN: judged, fails
            masked = "outputs/" + [n for i, n in self.entry.items() if ".g2m.v20" in i][0]
            f[masked][0, 25, :] = 1.0                                 # a padding row written
            e4m3 = "outputs/" + [n for i, n in self.entry.items() if "/e4m3fn/" in i and i.startswith("gemm")][0]
            del f[e4m3].attrs["scale"]                                # e4m3 codes without their scale
            quant = "outputs/" + self.entry["quantize/e4m3fn/vec128/r32.c256/normal/external"]
            codes = f[quant + "/codes"][()]
            del f[quant + "/codes"]
            f.create_dataset(quant + "/codes", data=codes.astype(np.int16))  # int16 codes
        proc, results = self.verify(path)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        v = self.verdicts(results)
        expected = {
            gemm_id("normal"): ("error", "no output: "),
            gemm_id("uniform"): ("error", "has shape (31, 64): expected (32, 64)"),
            gemm_id("integers"): ("error", "holds 64-bit float values: expected float32 values"),
            gemm_id("normal(0,2)"): ("error", "element (0, 3) = 1.00097656 is not a bf16 value"),
            gemm_id("normal(1,1)"): ("error", "NaN-filled"),
            gemm_id("uniform(-2,2)"): ("error", "has id " + gemm_id("uniform") + ": expected " + gemm_id("uniform(-2,2)")),
            gemm_id("uniform(0,1)"): ("fail", "unexpected NaN/inf"),
            gemm_id("normal(0,0.5)"): ("pass", ""),
        }
        for case_id, (verdict, reason) in expected.items():
            self.assertEqual(v[case_id][0], verdict, case_id + ": " + v[case_id][1])
            self.assertIn(reason, v[case_id][1], case_id)
        masked = [r for i, r in v.items() if ".g2m.v20" in i][0]
        self.assertEqual(masked[0], "fail", masked[1])
        self.assertIn("padding rows written", masked[1])
        e4m3 = [r for i, r in v.items() if "/e4m3fn/" in i and i.startswith("gemm")][0]
        self.assertEqual(e4m3[0], "error")
        self.assertIn("has no attribute scale", e4m3[1])
        quant = v["quantize/e4m3fn/vec128/r32.c256/normal/external"]
        self.assertEqual(quant[0], "error")
        self.assertIn("holds 16-bit signed integer values: expected uint8 codes of e4m3fn", quant[1])
        attention = [r for i, r in v.items() if i.startswith("attention/")][0]
        self.assertEqual(attention[0], "pass", attention[1])
        # The console names each case with its reason.
        self.assertIn(gemm_id("normal"), proc.stdout)
        self.assertIn("NaN-filled", proc.stdout)

    def test_wrong_quantize_codes_and_scales_are_caught(self):
        path = self.copy("quantize")
        quant = "outputs/" + self.entry["quantize/e4m3fn/vec128/r32.c256/normal/external"]
        with h5py.File(path, "r+") as f:
            f[quant + "/codes"][0, 0] ^= 1   # one code off by one ulp
            f[quant + "/scales"][1, 0] *= 2  # one block's scale doubled
        proc, results = self.verify(path)
        self.assertEqual(proc.returncode, 1)
        verdict, reason = self.verdicts(results)["quantize/e4m3fn/vec128/r32.c256/normal/external"]
        self.assertEqual(verdict, "fail")
        self.assertIn("code mismatches vs reference quantizer", reason)

    def test_goldens_compare_bits_for_a_deterministic_kernel_and_drift_otherwise(self):
        proc, results = self.verify(self.good)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        golden = os.path.join(self.dir, "golden", "exchange_bad.h5")
        os.makedirs(os.path.dirname(golden), exist_ok=True)
        approve = subprocess.run([FP8CHECK, "golden", "update", results, "--golden", golden, "--write"],
                                 capture_output=True, text=True)
        self.assertEqual(approve.returncode, 0, approve.stdout + approve.stderr)
        proc, _ = self.verify(self.good, "--golden", golden, "--deterministic")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        nudged = self.copy("nudged")
        case = gemm_id("normal(0,0.5)")
        with h5py.File(nudged, "r+") as f:
            d = f["outputs/" + self.entry[case]]
            bits = d[()].view(np.uint32)
            bits[0, 0] += 0x10000  # the next bf16 value: still within every bound
            d[...] = bits.view(np.float32)
        proc, results = self.verify(nudged, "--golden", golden, "--deterministic")
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        verdict, reason = self.verdicts(results)[case]
        self.assertEqual(verdict, "regression")
        self.assertIn("output bits changed", reason)
        proc, results = self.verify(nudged, "--golden", golden)  # not deterministic: statistics drift
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(self.verdicts(results)[case][0], "pass")

    def test_files_that_are_not_these_outputs_are_bad_input(self):
        text = os.path.join(self.dir, "text.h5")
        with open(text, "w") as f:
            f.write("not hdf5\n")
        self.assert_bad_file(text, "not an HDF5 file")
        truncated = self.copy("truncated")
        size = os.path.getsize(truncated)
        with open(truncated, "r+b") as f:
            f.truncate(size // 2)
        self.assert_bad_file(truncated, "truncated.h5: ")
        foreign = os.path.join(self.dir, "foreign.h5")
        with h5py.File(foreign, "w") as f:
            f.create_dataset("weights", data=np.zeros(3))
        self.assert_bad_file(foreign, "not an fp8check exchange file")
        for name, attribute, value, message in [
                ("version", "version", 2, "exchange version 2"),
                ("suite", "suite", "smoke", "outputs of suite smoke, but"),
                ("digest", "cases_digest", "0" * 64, "outputs of another export of suite exchange_bad")]:
            path = self.copy(name)
            with h5py.File(path, "r+") as f:
                f.attrs[attribute] = value
            self.assert_bad_file(path, message)
        stray = self.copy("stray")
        with h5py.File(stray, "r+") as f:
            f.create_dataset("outputs/000099", data=np.zeros((1, 1), np.float32))
        self.assert_bad_file(stray, "/outputs/000099 names no case of")
        proc = subprocess.run([FP8CHECK, "verify", self.good, self.cases], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("expected a cases file", proc.stderr)
        proc = subprocess.run([FP8CHECK, "verify", self.cases, self.cases], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("are the arguments swapped?", proc.stderr)

    def test_an_edited_cases_file_is_bad_input(self):
        edited = os.path.join(self.dir, "edited_cases.h5")
        shutil.copyfile(self.cases, edited)
        with h5py.File(edited, "r+") as f:
            f["cases/000000"].attrs["params"] = f["cases/000000"].attrs["params"].replace('"m32.', '"m33.')
        proc = subprocess.run([FP8CHECK, "verify", edited, self.good], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("does not match its params", proc.stderr)


if __name__ == "__main__":
    FP8CHECK, EXAMPLE = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1])
