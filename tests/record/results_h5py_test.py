#!/usr/bin/env python3
"""Results files as other tools see them: a file written by fp8check (through the
results_sample helper) read with h5py, every value checked, plus an `h5dump -H` smoke
check. The layout is docs/results-format.md.
Usage: results_h5py_test.py PATH/TO/results_sample   (run by ctest). Needs numpy, h5py."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

SAMPLE = None  # set from argv


def bits(a):
    """float64 values as their bit patterns, so NaN and -0 compare exactly."""
    return np.asarray(a, dtype=np.float64).view(np.uint64)


class ResultsH5pyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="fp8check_results_h5py.")
        cls.path = os.path.join(cls.dir, "r.h5")
        subprocess.run([SAMPLE, cls.path, "base"], check=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def setUp(self):
        self.f = h5py.File(self.path, "r")

    def tearDown(self):
        self.f.close()

    def test_root_describes_the_run(self):
        a = self.f.attrs
        self.assertEqual(a["format"], "fp8check-results")
        self.assertEqual(a["schema_version"], 1)
        self.assertEqual(a["seed"].dtype, np.uint64)
        self.assertEqual(int(a["seed"]), 2**64 - 1)
        self.assertEqual(a["regenerate"], "results_sample OUT.h5 base")
        self.assertEqual(a["suite_name"], "smoke")
        self.assertEqual(a["shard"], "")
        ids = list(self.f["case_index"].asstr()[()])
        self.assertEqual(ids, ["gemm/emulated/m=2/n=3", "gemm/cuda/m=64/n=128", "quantize/skipped", "gemm/cuda/sampled"])
        self.assertEqual(sorted(self.f["cases"].keys()), ["000000", "000001", "000002", "000003"])
        for i, case_id in enumerate(ids):
            self.assertEqual(self.f["cases/%06d" % i].attrs["id"], case_id)

    def test_case_attributes_and_checks(self):
        c = self.f["cases/000000"]
        self.assertEqual(c.attrs["verdict"], "pass")
        self.assertEqual(c.attrs["backend"], "emulated")
        self.assertEqual(c.attrs["param_axes"], "m,n,format")
        self.assertEqual([c.attrs["param." + a] for a in ("m", "n", "format")], ["2", "3", "e4m3fn"])
        self.assertEqual(c.attrs["seconds"], 0.25)
        checks = c["checks"]
        self.assertEqual(list(checks["name"].asstr()[()]), ["kernel max_abs_error / bound", "unexpected NaN"])
        self.assertEqual(checks["observed"][0], 0.5)
        self.assertTrue(np.isnan(checks["observed"][1]))
        self.assertEqual(list(checks["passed"][()]), [1, 0])
        self.assertEqual(list(c["metrics/name"].asstr()[()]), ["bound"])
        self.assertEqual(list(c["metrics/value"][()]), [0.125])
        skipped = self.f["cases/000002"]
        self.assertEqual(skipped.attrs["verdict"], "skipped")
        self.assertEqual(skipped.attrs["reason"], "e4m3fn needs native FP8, sm_89+; device is sm_86")
        for absent in ("checks", "kernel_error", "total_error", "metrics", "output"):  # none: left out
            self.assertNotIn(absent, skipped)

    def test_statistics(self):
        k = self.f["cases/000000/kernel_error"]
        self.assertEqual(k.attrs["output_type"], "bf16")
        self.assertEqual(k.attrs["max_abs_error"], 0.0625)
        self.assertEqual(k.attrs["relative_frobenius"], np.inf)
        self.assertEqual(k.attrs["sqnr_db"], -np.inf)
        self.assertEqual(int(k.attrs["max_ulp"]), 2**64 - 1)
        self.assertEqual(k.attrs["element_count"], 6)
        self.assertEqual(list(k["ulp_histogram"][()]), [b * b for b in range(19)])
        self.assertEqual(list(k["worst/index"][()]), [1])
        self.assertTrue(np.signbit(k["worst/out"][0]) and k["worst/out"][0] == 0)
        self.assertEqual(k["worst/abs_error"][0], 1e-300)
        self.assertNotIn("max_relative_element.index", k.attrs)  # optional, absent
        self.assertIn("total_error", self.f["cases/000003"])
        self.assertNotIn("kernel_error", self.f["cases/000003"])

    def test_outputs(self):
        o = self.f["cases/000000/output"]
        self.assertEqual((o.attrs["type"], o.attrs["rows"], o.attrs["cols"]), ("bf16", 2, 3))
        self.assertEqual((o.attrs["digest"], o.attrs["complete"]), ("0123456789abcdef", 1))
        want = np.array([[1.0, -0.0, 1.5], [np.inf, np.nan, 2.0**-133]])
        self.assertEqual(o["values"].dtype, np.float64)
        np.testing.assert_array_equal(bits(o["values"][()]), bits(want))
        self.assertNotIn("sample_index", o)
        self.assertIsNone(o["values"].compression)  # 6 elements: stored contiguous

        big = self.f["cases/000001/output/values"]
        self.assertEqual(big.shape, (64, 128))
        self.assertEqual((big.compression, big.shuffle), ("gzip", True))  # >= 4096 elements
        np.testing.assert_array_equal(big[()], 0.5 * np.arange(64 * 128).reshape(64, 128))

        s = self.f["cases/000003/output"]
        self.assertEqual(s.attrs["complete"], 0)
        self.assertEqual((s.attrs["rows"], s.attrs["cols"]), (1000, 3000))
        self.assertEqual(list(s["sample_index"][()]), [0, 2999999, 12345])
        np.testing.assert_array_equal(bits(s["values"][()]), bits([-0.0, np.nan, -np.inf]))

    def test_h5dump_lists_the_layout(self):
        h5dump = shutil.which("h5dump")
        if h5dump is None:
            self.skipTest("h5dump not found (apt-get install hdf5-tools)")
        out = subprocess.run([h5dump, "-H", self.path], capture_output=True, text=True, check=True).stdout
        for part in ('ATTRIBUTE "format"', 'ATTRIBUTE "schema_version"', 'DATASET "case_index"', 'GROUP "cases"',
                     'GROUP "000000"', 'GROUP "kernel_error"', 'DATASET "ulp_histogram"', 'DATASET "values"'):
            self.assertIn(part, out)


if __name__ == "__main__":
    SAMPLE = sys.argv.pop(1)
    unittest.main()
