#!/usr/bin/env python3
"""Scale-out on one machine (docs/scale-out.md): the smoke suite in 1, 2 and 3 concurrent
processes, sharded by --shard and by GoogleTest's variables; `fp8check merge` of each set must
be the whole run, with the unsharded run's cases and output bits (compared with
golden/smoke.h5, the unsharded run's golden: every case `match`, none missing).
Usage: scale_out_test.py PATH/TO/fp8check SOURCE_DIR   (run by ctest; needs h5py)."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py

FP8CHECK = SOURCE_DIR = None  # set from argv
SUITE = "smoke"

# Test name -> why it fails today. Remove an entry once the run layer lands.


def clean_environment(extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GTEST_SHARD", "GTEST_TOTAL", "SLURM_ARRAY", "JOB_COMPLETION"))}
    env.update(extra or {})
    return env


class ScaleOutTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="fp8check_scale_out.")
        cls.golden = os.path.join(SOURCE_DIR, "golden", SUITE + ".h5")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    runs = {}  # (tag, n) -> results files: tests that check the same runs share them

    def run_shards(self, tag, n, args_of, env_of):
        """Runs the n shards as n concurrent processes; returns their results files."""
        if (tag, n) in self.runs:
            return self.runs[(tag, n)]
        outs, procs = [], []
        for i in range(n):
            out = self.path("%s-%d-of-%d.h5" % (tag, i, n))
            cmd = [FP8CHECK, "run", SUITE, "--jobs", "1", "--no-golden", "--out", out,
                   "--report", self.path("report-%s-%d-%d" % (tag, i, n)), *args_of(i, n)]
            procs.append(subprocess.Popen(cmd, env=clean_environment(env_of(i, n)), cwd=SOURCE_DIR,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
            outs.append(out)
        errors = [(p.communicate(timeout=600)[1], p.returncode) for p in procs]
        for stderr, rc in errors:
            self.assertEqual(rc, 0, stderr[-2000:])
        self.runs[(tag, n)] = outs
        return outs

    def assert_merges_to_the_whole_run(self, tag, n, shards):
        merged = self.path("%s-merged-%d.h5" % (tag, n))
        m = subprocess.run([FP8CHECK, "merge", merged, *shards], capture_output=True, text=True)
        self.assertEqual(m.returncode, 0, m.stderr)
        self.assertNotIn("missing shards", m.stdout)
        with h5py.File(merged, "r") as f:
            self.assertEqual(f.attrs["shard"], "")
            ids = list(f["case_index"].asstr()[()])
        with h5py.File(self.golden, "r") as g:
            self.assertEqual(sorted(ids), sorted(g["case_index"].asstr()[()]))
        c = subprocess.run([FP8CHECK, "compare", merged, self.golden], capture_output=True, text=True)
        self.assertEqual(c.returncode, 0, c.stdout[-3000:] + c.stderr)
        self.assertIn("summary: %d match, 0 bits_changed, 0 verdict_changed" % len(ids), c.stdout)
        self.assertIn(" 0 missing: no regression", c.stdout)

    def recorded(self, path):
        with h5py.File(path, "r") as f:
            return f.attrs["shard"], f.attrs.get("shard_source", "")

    def test_shard_option_merges_to_the_whole_run(self):
        for n in (1, 2, 3):
            shards = self.run_shards("opt", n, lambda i, n: ["--shard", "%d/%d" % (i, n)], lambda i, n: {})
            for i, s in enumerate(shards):
                if n > 1:  # 0/1 is a whole run: recorded as "" (test_shard_option_source_is_recorded)
                    self.assertEqual(self.recorded(s)[0], "%d/%d" % (i, n))
            self.assert_merges_to_the_whole_run("opt", n, shards)

    def test_googletest_shards_merge_to_the_whole_run(self):
        for n in (1, 2, 3):
            shards = self.run_shards("gtest", n, lambda i, n: [],
                                     lambda i, n: {"GTEST_SHARD_INDEX": str(i), "GTEST_TOTAL_SHARDS": str(n)})
            self.assert_merges_to_the_whole_run("gtest", n, shards)

    def test_googletest_shards_are_recorded(self):
        shards = self.run_shards("gtest", 2, lambda i, n: [],
                                 lambda i, n: {"GTEST_SHARD_INDEX": str(i), "GTEST_TOTAL_SHARDS": str(n)})
        for i, s in enumerate(shards):
            self.assertEqual(self.recorded(s), ("%d/2" % i, "GTEST_SHARD_INDEX"))

    def test_shard_option_source_is_recorded(self):
        shards = self.run_shards("opt", 2, lambda i, n: ["--shard", "%d/%d" % (i, n)], lambda i, n: {})
        for i, s in enumerate(shards):
            self.assertEqual(self.recorded(s), ("%d/2" % i, "--shard"))
        whole = self.run_shards("opt", 1, lambda i, n: ["--shard", "%d/%d" % (i, n)], lambda i, n: {})
        self.assertEqual(self.recorded(whole[0]), ("", "--shard"))

    def test_slurm_array_shards_are_recorded(self):
        # sbatch --array=4-5: tasks 4 and 5 are shards 0/2 and 1/2.
        shards = self.run_shards("slurm", 2, lambda i, n: [], lambda i, n: {
            "SLURM_ARRAY_TASK_ID": str(4 + i), "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_COUNT": "2"})
        for i, s in enumerate(shards):
            self.assertEqual(self.recorded(s), ("%d/2" % i, "SLURM_ARRAY_TASK_ID"))
        self.assert_merges_to_the_whole_run("slurm", 2, shards)

    def test_kubernetes_indexed_job_merges_to_the_whole_run(self):
        shards = self.run_shards("k8s", 2, lambda i, n: ["--shard-total", str(n)],
                                 lambda i, n: {"JOB_COMPLETION_INDEX": str(i)})
        for i, s in enumerate(shards):
            self.assertEqual(self.recorded(s), ("%d/2" % i, "JOB_COMPLETION_INDEX"))
        self.assert_merges_to_the_whole_run("k8s", 2, shards)

    def test_list_shows_every_source_partitioning_the_suite(self):
        """`list` selects with the same resolver: the shards of every source partition the suite."""
        whole = subprocess.run([FP8CHECK, "list", SUITE], capture_output=True, text=True, cwd=SOURCE_DIR,
                               env=clean_environment())
        self.assertEqual(whole.returncode, 0, whole.stderr)
        all_ids = whole.stdout.split()
        sources = {
            "option": lambda i: (["--shard", "%d/3" % i], {}),
            "gtest": lambda i: ([], {"GTEST_SHARD_INDEX": str(i), "GTEST_TOTAL_SHARDS": "3"}),
            "slurm": lambda i: ([], {"SLURM_ARRAY_TASK_ID": str(10 + 2 * i), "SLURM_ARRAY_TASK_MIN": "10",
                                     "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_STEP": "2",
                                     "SLURM_ARRAY_TASK_MAX": "14"}),
            "k8s": lambda i: (["--shard-total", "3"], {"JOB_COMPLETION_INDEX": str(i)}),
        }
        for name, source in sources.items():
            seen = []
            for i in range(3):
                args, env = source(i)
                r = subprocess.run([FP8CHECK, "list", SUITE, *args], capture_output=True, text=True,
                                   cwd=SOURCE_DIR, env=clean_environment(env))
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("shard %d/3 (from " % i, r.stderr)
                seen += r.stdout.split()
            self.assertEqual(sorted(seen), sorted(all_ids), name)



if __name__ == "__main__":
    SOURCE_DIR = sys.argv.pop(2)
    FP8CHECK = sys.argv.pop(1)
    unittest.main()
