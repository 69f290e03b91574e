#!/usr/bin/env python3
"""`fp8check emulate` end to end: every vector and chain of tests/data/mma through the CLI,
the other outputs against independent conversions, and bad inputs (exit 2, one line,
nothing written). Usage: emulate_test.py PATH/TO/fp8check   (run by ctest).
Standard library + numpy only."""
import json
import os
import subprocess
import sys
import unittest

import numpy as np
from cli_support import TempDirTestCase

FP8CHECK = None  # set from argv
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "mma")
INF_CODES = {"e5m2": (0x7C, 0xFC), "bf16": (0x7F80, 0xFF80), "f16": (0x7C00, 0xFC00)}


def load(name):
    return np.load(os.path.join(DATA, name))


def read_json(name):
    with open(os.path.join(DATA, name)) as f:
        return json.load(f)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def f32_nan(bits):
    return (bits & 0x7F800000) == 0x7F800000 and (bits & 0x7FFFFF) != 0


class EmulateTest(TempDirTestCase):
    def emulate(self, *args):
        return subprocess.run([FP8CHECK, "emulate", *map(str, args)], capture_output=True, text=True)

    def ok(self, *args):
        r = self.emulate(*args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def mma(self, name, a, b, c, sa=None, sb=None):
        args = ["mma", "--instruction", name, "--a", self.save("a.npy", a), "--b", self.save("b.npy", b),
                "--c", self.save("c.npy", c), "--out", self.path("d.npy")]
        if sa is not None:
            args += ["--scale-a", self.save("sa.npy", sa), "--scale-b", self.save("sb.npy", sb)]
        self.ok(*args)
        return np.load(self.path("d.npy"))

    def test_every_vector(self):
        """Bit for bit, except the two documented classes of tests/data/mma/QUIRKS.md."""
        index = read_json("index.json")
        classes = {"inf element": 0, "2^53": 0}
        total = 0
        for name, v in index.items():
            args = ["mma", "--instruction", name, "--out", self.path(name + ".d.npy")]
            for part in ("a", "b", "c", "scale_a", "scale_b"):
                f = os.path.join(DATA, "%s.%s.npy" % (name, part))
                if os.path.exists(f):
                    args += ["--" + part.replace("_", "-"), f]
            self.ok(*args)
            got, want = np.load(self.path(name + ".d.npy")), load(name + ".d.npy")
            self.assertEqual(got.dtype, want.dtype, name)
            self.assertEqual(got.shape, want.shape, name)
            a, b = load(name + ".a.npy"), load(name + ".b.npy")
            for r in np.nonzero(got != want)[0]:
                g, w = int(got[r]), int(want[r])
                infs = [c for f, x in ((v["a"], a[r]), (v["b"], b[r])) for c in INF_CODES.get(f, ()) if c in x]
                if infs and f32_nan(w) and g in (0x7F800000, 0xFF800000):
                    classes["inf element"] += 1
                elif want.dtype == np.uint32 and abs(float(want[r:r + 1].view(np.float32)[0])) >= 2.0 ** 53 \
                        and (g ^ w) >> 31 == 0 and 0 < w - g <= 2:
                    classes["2^53"] += 1
                else:
                    self.fail("%s row %d: got 0x%x, file 0x%x, outside the documented classes" % (name, r, g, w))
            total += len(want)
        print("emulate mma: %d vectors, differing only in the documented classes: %s" % (total, classes))
        self.assertEqual(total, 6500)
        self.assertLess(sum(classes.values()), total // 50)

    def test_every_chain(self):
        chains = read_json("chains.json")
        for name in chains:
            a, b = os.path.join(DATA, name + ".a.npy"), os.path.join(DATA, name + ".b.npy")
            for tag, kernel in (("sm90_wgmma", "sm90-wgmma"), ("sm90_wgmma_promote128", "sm90-wgmma.p128"),
                                ("sm89_mma", "sm89-mma")):
                for threads in ("1", "3"):
                    self.ok("gemm", "--a", a, "--b", b, "--formats", "e4m3fn.e4m3fn", "--kernel", kernel,
                            "--output", "fp32", "--threads", threads, "--out", self.path("d.npy"))
                    got = np.load(self.path("d.npy"))
                    self.assertEqual(got.dtype, np.uint32)
                    np.testing.assert_array_equal(got, load("%s.%s.d.npy" % (name, tag)), "%s %s" % (name, kernel))

    def test_outputs_are_one_conversion_of_fp32(self):
        name = "chain2_normal_m4n16k1024"
        a, b = os.path.join(DATA, name + ".a.npy"), os.path.join(DATA, name + ".b.npy")
        outs = {}
        for output in ("fp32", "bf16", "fp16", "e4m3fn"):
            self.ok("gemm", "--a", a, "--b", b, "--formats", "e4m3fn.e4m3fn", "--kernel", "sm90-wgmma.p128",
                    "--output", output, "--out", self.path(output + ".npy"))
            outs[output] = np.load(self.path(output + ".npy"))
        values = outs["fp32"].view(np.float32)
        with np.errstate(over="ignore"):  # beyond 65504: inf, as the conversion should give
            np.testing.assert_array_equal(outs["fp16"], values.astype(np.float16).view(np.uint16))
        u = outs["fp32"].astype(np.uint64)
        bf16 = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)  # RNE, no NaN or inf here
        np.testing.assert_array_equal(outs["bf16"], bf16)
        np.save(self.path("values.npy"), values)
        subprocess.run([FP8CHECK, "convert", self.path("values.npy"), self.path("e4.npy"), "--to", "e4m3fn"], check=True,
                       capture_output=True)
        np.testing.assert_array_equal(outs["e4m3fn"], np.load(self.path("e4.npy")))

    def test_block_scaled_gemm_is_a_chain_of_instructions(self):
        rng = np.random.default_rng(5)
        m, n, k = 3, 4, 128
        a = rng.integers(0, 16, (m, k), dtype=np.uint8)
        b = rng.integers(0, 16, (k, n), dtype=np.uint8)
        sa = rng.integers(0x30, 0x40, (m, k // 16), dtype=np.uint8)
        sb = rng.integers(0x30, 0x40, (k // 16, n), dtype=np.uint8)
        self.ok("gemm", "--a", self.save("A.npy", a), "--b", self.save("B.npy", b), "--formats", "e2m1fn.e2m1fn",
                "--kernel", "sm100-nvf4", "--scale-a", self.save("SA.npy", sa), "--scale-b", self.save("SB.npy", sb),
                "--out", self.path("D.npy"))
        gemm = np.load(self.path("D.npy"))
        rows = [(i, j) for i in range(m) for j in range(n)]
        d = np.zeros(len(rows), dtype=np.uint32)
        for step in range(2):  # two k = 64 instructions, c = the first's d
            ks = slice(64 * step, 64 * step + 64)
            gs = slice(4 * step, 4 * step + 4)
            d = self.mma("sm100_nvf4_e2m1_ue4m3", np.stack([a[i, ks] for i, j in rows]),
                         np.stack([b[ks, j] for i, j in rows]), d,
                         np.stack([sa[i, gs] for i, j in rows]), np.stack([sb[gs, j] for i, j in rows]))
        np.testing.assert_array_equal(gemm.reshape(-1), d)
        # Without scales every scale is 1 (ue4m3 0x38).
        self.ok("gemm", "--a", self.path("A.npy"), "--b", self.path("B.npy"), "--formats", "e2m1fn.e2m1fn",
                "--kernel", "sm100-nvf4", "--out", self.path("D1.npy"))
        self.ok("gemm", "--a", self.path("A.npy"), "--b", self.path("B.npy"), "--formats", "e2m1fn.e2m1fn",
                "--kernel", "sm100-nvf4", "--scale-a", self.save("O.npy", np.full((m, 8), 0x38, np.uint8)),
                "--scale-b", self.save("P.npy", np.full((8, n), 0x38, np.uint8)), "--out", self.path("D2.npy"))
        np.testing.assert_array_equal(np.load(self.path("D1.npy")), np.load(self.path("D2.npy")))

    def test_bad_inputs_exit_2_and_write_nothing(self):
        e4 = self.save("e4.npy", np.full((4, 64), 0x38, np.uint8))
        e4t = self.save("e4t.npy", np.full((64, 4), 0x38, np.uint8))
        c = self.save("c.npy", np.zeros(4, np.uint32))
        out = self.path("out.npy")
        np.save(out, np.arange(3))
        before = read_bytes(out)
        gemm = ["gemm", "--formats", "e4m3fn.e4m3fn", "--kernel", "sm90-wgmma", "--out", out]
        cases = {
            "float A": (gemm + ["--a", self.save("f.npy", np.ones((4, 64), np.float32)), "--b", e4t],
                        "holds float32: expected uint8"),
            "K mismatch": (gemm + ["--a", e4, "--b", e4], "expected (K, N) with K = 64"),
            "K not a multiple": (gemm + ["--a", self.save("k48.npy", np.zeros((4, 48), np.uint8)),
                                         "--b", self.save("k48t.npy", np.zeros((48, 4), np.uint8))],
                                 "K 48 is not a multiple of sm90_wgmma_e4m3_f32's k 32"),
            "1-D A": (gemm + ["--a", self.save("v.npy", np.zeros(64, np.uint8)), "--b", e4t], "expected (M, K)"),
            "unknown kernel": (["gemm", "--a", e4, "--b", e4t, "--formats", "e4m3fn.e4m3fn", "--kernel", "sm90-wgmma.q1",
                                "--out", out], "unknown kernel model 'sm90-wgmma.q1'"),
            "unknown format": (["gemm", "--a", e4, "--b", e4t, "--formats", "e4m3fn.e9m9", "--kernel", "sm90-wgmma",
                                "--out", out], "unknown format 'e9m9'"),
            "no instruction": (["gemm", "--a", e4, "--b", e4t, "--formats", "e4m3fn.e4m3fn", "--kernel", "sm100-nvf4",
                                "--out", out], "has no instruction for formats e4m3fn.e4m3fn"),
            "FP4 code too wide": (["gemm", "--a", self.save("w.npy", np.full((4, 64), 17, np.uint8)), "--b", e4t,
                                   "--formats", "e2m1fn.e2m1fn", "--kernel", "sm100-mxf4", "--out", out],
                                  "element 0 is 17, not a e2m1fn code"),
            "scales without block scaling": (gemm + ["--a", e4, "--b", e4t, "--scale-a", e4, "--scale-b", e4],
                                             "takes no block scales"),
            "scale shape": (["gemm", "--a", e4, "--b", e4t, "--formats", "e4m3fn.e4m3fn", "--kernel", "sm100-mxf8",
                             "--scale-a", self.save("s.npy", np.full((4, 3), 127, np.uint8)),
                             "--scale-b", self.save("s2.npy", np.full((2, 4), 127, np.uint8)), "--out", out],
                            "shape (4, 3): expected (4, 2)"),
            "c in gemm": (gemm + ["--a", e4, "--b", e4t, "--c", c], "--c does not apply to emulate gemm"),
            "bad output": (gemm + ["--a", e4, "--b", e4t, "--output", "int8"], "--output 'int8'"),
            "missing file": (gemm + ["--a", self.path("nope.npy"), "--b", e4t], "nope.npy"),
            "unknown instruction": (["mma", "--instruction", "sm90_wgmma_e4m3_f64", "--a", e4, "--b", e4, "--c", c,
                                     "--out", out], "unknown MMA instruction 'sm90_wgmma_e4m3_f64'"),
            "mma k": (["mma", "--instruction", "sm90_wgmma_e4m3_f32", "--a", e4, "--b", e4, "--c", c, "--out", out],
                      "shape (4, 64): expected (4, 32)"),
            "mma c dtype": (["mma", "--instruction", "sm90_wgmma_e4m3_f16", "--a", self.save("a32.npy", np.zeros((4, 32), np.uint8)),
                             "--b", self.path("a32.npy"), "--c", c, "--out", out], "holds uint32: expected uint16"),
            "mma without scales": (["mma", "--instruction", "sm100_mxf8_e4m3_e8m0", "--a", self.path("a32.npy"),
                                    "--b", self.path("a32.npy"), "--c", c, "--out", out], "needs --scale-a"),
            "unknown target": (["matmul", "--out", out], "unknown emulate target 'matmul'"),
            "no target": (["--out", out], "expected emulate mma or emulate gemm"),
            "no out": (["gemm", "--a", e4, "--b", e4t, "--formats", "e4m3fn.e4m3fn", "--kernel", "sm90-wgmma"],
                       "needs --out"),
        }
        for what, (args, message) in cases.items():
            with self.subTest(what):
                r = self.emulate(*args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(message, r.stderr)
                self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
                self.assertEqual(r.stdout, "")
                self.assertEqual(read_bytes(out), before)
        self.assertEqual(sorted(f for f in os.listdir(self.dir) if f.startswith(".")), [])


if __name__ == "__main__":
    FP8CHECK = sys.argv.pop(1)
    unittest.main()
