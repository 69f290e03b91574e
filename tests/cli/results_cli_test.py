#!/usr/bin/env python3
"""`fp8check compare`, `golden update` and `merge` end to end: exit codes, the printed
differences, dry run vs --write, and the merged file read with h5py.
Usage: results_cli_test.py PATH/TO/fp8check PATH/TO/results_sample   (run by ctest)."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py

FP8CHECK = SAMPLE = None  # set from argv


def run(*args):
    return subprocess.run([FP8CHECK, *args], capture_output=True, text=True)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


class ResultsCliTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="fp8check_results_cli.")
        for variant in ("base", "changed", "shard1", "shard2"):
            subprocess.run([SAMPLE, self.path(variant + ".h5"), variant], check=True)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def test_compare_exit_codes(self):
        same = run("compare", self.path("base.h5"), self.path("base.h5"))
        self.assertEqual(same.returncode, 0, same.stderr)
        self.assertIn("summary: 4 match, 0 bits_changed", same.stdout)

        changed = run("compare", self.path("changed.h5"), self.path("base.h5"))
        self.assertEqual(changed.returncode, 1, changed.stderr)
        self.assertIn("bits_changed     gemm/emulated/m=2/n=3  output bits changed: 1 of 6 elements differ, "
                      "first at (0,2): 1.5078125 vs golden 1.5\n", changed.stdout)
        self.assertIn("CHANGED", changed.stdout)

        with open(self.path("text.h5"), "w") as f:
            f.write("not hdf5\n")
        bad = run("compare", self.path("base.h5"), self.path("text.h5"))
        self.assertEqual(bad.returncode, 2)
        self.assertEqual(bad.stderr.count("\n"), 1)
        self.assertIn("text.h5: not an HDF5 file", bad.stderr)
        self.assertEqual(run("compare", self.path("base.h5")).returncode, 2)
        self.assertEqual(run("compare", "--help").returncode, 0)

    def test_golden_update_writes_only_with_write(self):
        golden = self.path("golden/smoke.h5")
        os.mkdir(self.path("golden"))
        dry = run("golden", "update", self.path("base.h5"), "--golden", golden)
        self.assertEqual(dry.returncode, 0, dry.stderr)
        self.assertIn("4 new, 0 changed, 0 removed, 0 unchanged", dry.stdout)
        self.assertIn("dry run: nothing written", dry.stdout)
        self.assertFalse(os.path.exists(golden))

        wrote = run("golden", "update", self.path("base.h5"), "--golden", golden, "--write")
        self.assertEqual(wrote.returncode, 0, wrote.stderr)
        self.assertEqual(run("compare", self.path("base.h5"), golden).returncode, 0)
        with h5py.File(golden, "r") as f:  # goldens drop checks, metrics and timings
            self.assertNotIn("checks", f["cases/000000"])
            self.assertNotIn("metrics", f["cases/000000"])
            self.assertEqual(f["cases/000000"].attrs["seconds"], 0)
            self.assertTrue(f.attrs["regenerate"].endswith("--golden " + golden + " --write"))

        before = read_bytes(golden)
        dry = run("golden", "update", self.path("changed.h5"), "--golden", golden)
        self.assertEqual(dry.returncode, 0, dry.stderr)
        self.assertIn("  changed  gemm/emulated/m=2/n=3  output bits changed: 1 of 6", dry.stdout)
        self.assertIn("0 new, 1 changed, 0 removed, 3 unchanged", dry.stdout)
        self.assertEqual(read_bytes(golden), before)

        self.assertEqual(run("golden", "update", self.path("changed.h5"), "--golden", golden, "--write").returncode, 0)
        self.assertEqual(run("compare", self.path("changed.h5"), golden).returncode, 0)
        self.assertEqual(run("compare", self.path("base.h5"), golden).returncode, 1)
        again = run("golden", "update", self.path("changed.h5"), "--golden", golden, "--write")
        self.assertIn("no changes", again.stdout)

        shard = run("golden", "update", self.path("shard1.h5"), "--golden", golden)
        self.assertEqual(shard.returncode, 2)
        self.assertIn("merge the shards first", shard.stderr)
        self.assertEqual(run("golden", "remove", self.path("base.h5"), "--golden", golden).returncode, 2)

    def test_merge_joins_shards(self):
        out = self.path("merged.h5")
        merged = run("merge", out, self.path("shard2.h5"), self.path("shard1.h5"))
        self.assertEqual(merged.returncode, 0, merged.stderr)
        self.assertIn("merged 4 cases from 2 files", merged.stdout)
        with h5py.File(out, "r") as f:
            ids = list(f["case_index"].asstr()[()])
            self.assertEqual(ids, sorted(ids))
            self.assertEqual(len(ids), 4)
            self.assertEqual(f.attrs["shard"], "")
            self.assertEqual(f.attrs["host"], "host-b, host-a")
            self.assertEqual(f.attrs["started_at"], "2026-11-22T00:01:00Z")
        same = run("compare", out, self.path("base.h5"))
        self.assertEqual(same.returncode, 0, same.stdout)
        self.assertIn("summary: 4 match", same.stdout)

        dup = run("merge", self.path("dup.h5"), self.path("shard1.h5"), self.path("shard1.h5"))
        self.assertEqual(dup.returncode, 2)
        self.assertIn("shard 0/2 is also", dup.stderr)
        self.assertFalse(os.path.exists(self.path("dup.h5")))


if __name__ == "__main__":
    SAMPLE = sys.argv.pop(2)
    FP8CHECK = sys.argv.pop(1)
    unittest.main()
