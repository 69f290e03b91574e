#!/usr/bin/env python3
"""`fp8check run`'s header says how the run uses the machine and which BLAS kernels the FP64
references run on, and the results file and JSON report record the same (issue 14).
Usage: run_header_test.py PATH/TO/fp8check SOURCE_DIR   (run by ctest; needs h5py)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py

FP8CHECK = SOURCE_DIR = None  # set from argv
CASE = "gemm/e4m3fn.e4m3fn/vec128.blk128x128/m96.n200.k384/TN/bf16/normal/fp32/plain/none/cfg:auto/dev:suite/emulated"


class RunHeaderTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="fp8check_run_header.")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_one(self, jobs):
        out, report = os.path.join(self.dir, "r%d.h5" % jobs), os.path.join(self.dir, "report%d" % jobs)
        # OPENBLAS_CORETYPE is never set by tests: the BLAS is whatever this machine gives.
        env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
        r = subprocess.run([FP8CHECK, "run", "smoke", "--filter", CASE.replace(":", "\\:"), "--jobs", str(jobs),
                            "--no-golden", "--out", out, "--report", report],
                           capture_output=True, text=True, cwd=SOURCE_DIR, env=env)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        with h5py.File(out, "r") as f:
            attrs = {k: f.attrs[k] for k in ("blas", "blas_core", "blas_threads", "blas_warning")}
        with open(os.path.join(report, "summary.json")) as f:
            run = json.load(f)["run"]
        return r.stderr.splitlines(), attrs, run

    def test_header_and_results_name_the_blas(self):
        for jobs in (1, 2):
            lines, attrs, run = self.run_one(jobs)
            self.assertTrue(lines[0].startswith("fp8check run smoke: 1 case(s), %d job(s), " % jobs), lines[0])
            self.assertIn(" thread(s) per case, device profile sm_90", lines[0])
            if jobs > 1:
                self.assertIn(", 1 thread(s) per case", lines[0])
                self.assertEqual(attrs["blas_threads"], "1")  # several jobs: one BLAS thread each
            self.assertTrue(lines[1].startswith("BLAS: " + attrs["blas"]), lines[1])
            if attrs["blas_core"]:
                self.assertIn(", core %s, %s thread" % (attrs["blas_core"], attrs["blas_threads"]), lines[1])
            # The fallback warning: one line naming OPENBLAS_CORETYPE, exactly when one is recorded.
            warnings = [l for l in lines if l.startswith("warning: ")]
            if attrs["blas_warning"]:
                self.assertEqual(warnings, ["warning: " + attrs["blas_warning"]])
                self.assertIn("OPENBLAS_CORETYPE=", attrs["blas_warning"])
            else:
                self.assertEqual(warnings, [])
            for key, value in attrs.items():
                self.assertEqual(run[key], value, key)


if __name__ == "__main__":
    FP8CHECK, SOURCE_DIR = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1])
