#!/usr/bin/env python3
"""Drift thresholds from the statistics' sampling spread (docs/results-format.md, "Drift
thresholds"), end to end: the smoke suite under another seed, compared with golden/smoke.h5
through the statistics path (its cases marked non-deterministic and `--deterministic none`:
judged by drift, as GPU backends are), is no regression; the same run with the P operand of its bf16-P attention
cases quantized to e4m3 instead (their kernel-error statistics replaced by those of the
matching p:e4m3 cases) regresses in every one of them.
Usage: drift_test.py PATH/TO/fp8check SOURCE_DIR   (run by ctest; needs h5py)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

FP8CHECK = SOURCE_DIR = None  # set from argv


def summary(stdout):
    m = re.search(r"summary: (\d+) match, (\d+) bits_changed, (\d+) verdict_changed, (\d+) drift_regressed, "
                  r"(\d+) drift_improved", stdout)
    return tuple(int(x) for x in m.groups())


class DriftTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="fp8check_drift.")
        cls.golden = os.path.join(SOURCE_DIR, "golden", "smoke.h5")
        cls.results = os.path.join(cls.dir, "seed7.h5")
        r = subprocess.run([FP8CHECK, "run", "smoke", "--seed", "7", "--no-golden", "--out", cls.results,
                            "--report", os.path.join(cls.dir, "report")], capture_output=True, text=True,
                           cwd=SOURCE_DIR)
        assert r.returncode == 0, r.stderr
        # Judged as a GPU backend's cases are: by drift, not bits (`deterministic` = 0).
        with h5py.File(cls.results, "r+") as f:
            for case in f["cases"].values():
                case.attrs["deterministic"] = np.int64(0)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def compare(self, path, *options):
        r = subprocess.run([FP8CHECK, "compare", path, self.golden, "--deterministic", "none", *options],
                           capture_output=True, text=True)
        self.assertIn(r.returncode, (0, 1), r.stderr)
        return r

    def test_a_seed_change_is_no_drift(self):
        r = self.compare(self.results)
        self.assertEqual(r.returncode, 0, r.stdout[-3000:])
        with h5py.File(self.golden, "r") as f:
            cases = len(f["case_index"])  # every case of the suite matches
        self.assertEqual(summary(r.stdout), (cases, 0, 0, 0, 0))
        # The fixed ratio of 1.25 flagged this seed change (the measurement that motivated this).
        fixed = self.compare(self.results, "--drift-ratio", "1.25")
        self.assertEqual(fixed.returncode, 1)
        self.assertGreaterEqual(summary(fixed.stdout)[3], 5)

    def test_a_precision_regression_is_drift(self):
        swapped = os.path.join(self.dir, "p_e4m3.h5")
        shutil.copy(self.results, swapped)
        with h5py.File(swapped, "r+") as f:
            ids = list(f["case_index"].asstr()[()])
            position = {case: i for i, case in enumerate(ids)}
            changed = [case for case in ids if "/p:bf16/" in case]
            for case in changed:
                a = f["cases/%06d/kernel_error" % position[case]]
                b = f["cases/%06d/kernel_error" % position[case.replace("/p:bf16/", "/p:e4m3/")]]
                for name in ("max_abs_error", "relative_frobenius", "rms_error", "mean_abs_error"):
                    a.attrs[name] = b.attrs[name]
                a["worst/abs_error"][...] = b["worst/abs_error"][()]
        self.assertEqual(len(changed), 12)
        r = self.compare(swapped)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(summary(r.stdout)[3], len(changed))
        for case in changed:
            self.assertRegex(r.stdout, r"drift_regressed +%s  kernel relative_frobenius grew" % re.escape(case))


if __name__ == "__main__":
    SOURCE_DIR = sys.argv.pop(2)
    FP8CHECK = sys.argv.pop(1)
    unittest.main()
