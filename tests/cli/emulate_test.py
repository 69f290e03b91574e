#!/usr/bin/env python3
"""`fp8check emulate` end to end: every vector and chain of tests/data/mma through the CLI,
the other outputs against independent conversions, recipes (scales at promotion, tensor
scales) and configs (split-K) against GEMMs composed from smaller emulated ones, and bad
inputs (exit 2, one line, nothing written). Usage: emulate_test.py PATH/TO/fp8check   (run by ctest).
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


def load(name):
    return np.load(os.path.join(DATA, name))


def read_json(name):
    with open(os.path.join(DATA, name)) as f:
        return json.load(f)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


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
        """Bit for bit, every vector (tests/data/mma/QUIRKS.md: fp8check follows the files)."""
        index = read_json("index.json")
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
            differing = np.nonzero(got != want)[0]
            self.assertEqual(len(differing), 0, "%s: rows %s differ from the file" % (name, differing[:8]))
            total += len(want)
        print("emulate mma: %d vectors, every one bit for bit" % total)
        self.assertEqual(total, 6500)

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

    def gemm(self, a, b, kernel, *extra, formats="e4m3fn.e4m3fn"):
        self.ok("gemm", "--a", self.save("ga.npy", a), "--b", self.save("gb.npy", b), "--formats", formats,
                "--kernel", kernel, "--out", self.path("gd.npy"), *extra)
        return np.load(self.path("gd.npy"))

    def random_e4m3(self, rng, shape):
        codes = rng.integers(0, 0x7F, shape, dtype=np.uint8)  # finite codes, sign added below
        return codes | (rng.integers(0, 2, shape, dtype=np.uint8) << 7)

    def test_recipe_scales_are_applied_at_promotion_with_one_rounding(self):
        # 1x128 / 128x128 power-of-two scales: every window's partial times its scale is exact in
        # FP32, so D = the windows' own GEMMs (K = 128 each), scaled and summed in float32 in order.
        rng = np.random.default_rng(11)
        m, n, k = 5, 200, 512
        a, b = self.random_e4m3(rng, (m, k)), self.random_e4m3(rng, (k, n))
        sa = np.ldexp(1.0, rng.integers(-3, 4, (m, k // 128))).astype(np.float32)
        sb = np.ldexp(1.0, rng.integers(-3, 4, (k // 128, 2))).astype(np.float32)  # blocks of 128 columns of N
        d = self.gemm(a, b, "sm90-wgmma.p128", "--recipe", "vec128.blk128x128", "--scale-a", self.save("sa.npy", sa),
                      "--scale-b", self.save("sb.npy", sb)).view(np.float32)
        expected = np.zeros((m, n), np.float32)
        for w in range(k // 128):
            part = self.gemm(a[:, 128 * w:128 * w + 128], b[128 * w:128 * w + 128], "sm90-wgmma.p128").view(np.float32)
            scale = sa[:, w:w + 1] * np.repeat(sb[w:w + 1], 128, axis=1)[:, :n]
            expected = (expected + scale * part).astype(np.float32)
        np.testing.assert_array_equal(d, expected)
        # Unit scales change nothing; fast accumulation cannot apply K-blocked scales.
        ones_a, ones_b = np.ones_like(sa), np.ones_like(sb)
        np.testing.assert_array_equal(
            self.gemm(a, b, "sm90-wgmma.p128", "--recipe", "vec128.blk128x128", "--scale-a", self.save("oa.npy", ones_a),
                      "--scale-b", self.save("ob.npy", ones_b)), self.gemm(a, b, "sm90-wgmma.p128"))

    def test_config_split_k_reduces_the_slices_in_fp32(self):
        rng = np.random.default_rng(12)
        a, b = self.random_e4m3(rng, (4, 384)), self.random_e4m3(rng, (384, 40))
        for kernel in ("sm90-wgmma", "sm89-mma.p64", "fp32"):
            with self.subTest(kernel):
                d = self.gemm(a, b, kernel, "--config", "bm128.bn128.bk64.s4.sk2").view(np.float32)
                # Slices of ceil(384 / 2 / 64) * 64 = 192 k, reduced sequentially in FP32.
                first = self.gemm(a[:, :192], b[:192], kernel, "--config", "bm128.bn128.bk64.s4").view(np.float32)
                second = self.gemm(a[:, 192:], b[192:], kernel, "--config", "bm128.bn128.bk64.s4").view(np.float32)
                np.testing.assert_array_equal(d, (first + second).astype(np.float32))

    def test_exact_and_tensor_scales(self):
        rng = np.random.default_rng(13)
        a, b = self.random_e4m3(rng, (3, 64)), self.random_e4m3(rng, (64, 8))
        np.save(self.path("codes.npy"), np.concatenate([a.ravel(), b.ravel()]))
        subprocess.run([FP8CHECK, "convert", self.path("codes.npy"), self.path("vals.npy"), "--from", "e4m3fn",
                        ], check=True, capture_output=True)
        vals = np.load(self.path("vals.npy")).astype(np.float64)
        av, bv = vals[:a.size].reshape(a.shape), vals[a.size:].reshape(b.shape)
        exact = self.gemm(a, b, "exact").view(np.float32)
        np.testing.assert_array_equal(exact, (av @ bv).astype(np.float32))  # FP8 products and their sum are exact in FP64
        # NVFP4's tensor scales enter the epilogue once: powers of two scale D exactly.
        fp4a, fp4b = rng.integers(0, 16, (3, 64), dtype=np.uint8), rng.integers(0, 16, (64, 8), dtype=np.uint8)
        one_a, one_b = np.ones((3, 4), np.float32), np.ones((4, 8), np.float32)
        args = ["--recipe", "nvfp4", "--scale-a", self.save("na.npy", one_a), "--scale-b", self.save("nb.npy", one_b)]
        plain = self.gemm(fp4a, fp4b, "sm100-nvf4", *args, formats="e2m1fn.e2m1fn").view(np.float32)
        scaled = self.gemm(fp4a, fp4b, "sm100-nvf4", *args, "--tensor-scale-a", "0.25", "--tensor-scale-b", "8",
                           formats="e2m1fn.e2m1fn").view(np.float32)
        np.testing.assert_array_equal(scaled, (plain * np.float32(2.0)).astype(np.float32))

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
            "recipe without scales": (gemm + ["--a", e4, "--b", e4t, "--recipe", "tensor"], "needs --scale-a and --scale-b"),
            "recipe scale dtype": (gemm + ["--a", e4, "--b", e4t, "--recipe", "tensor", "--scale-a", e4, "--scale-b", e4],
                                   "holds uint8: expected float32"),
            "recipe scale shape": (gemm + ["--a", e4, "--b", e4t, "--recipe", "row.col",
                                           "--scale-a", self.save("r1.npy", np.ones((4, 1), np.float32)),
                                           "--scale-b", self.save("r2.npy", np.ones((4, 1), np.float32))],
                                   "shape (4, 1): expected (1, 4)"),
            "fast accumulation with K blocks": (gemm + ["--a", e4, "--b", e4t, "--recipe", "vec32",
                                                        "--scale-a", self.save("v1.npy", np.ones((4, 2), np.float32)),
                                                        "--scale-b", self.save("v2.npy", np.ones((2, 4), np.float32))],
                                                "no promotion"),
            "unknown recipe": (gemm + ["--a", e4, "--b", e4t, "--recipe", "vec7x", "--scale-a", e4, "--scale-b", e4],
                               "vec7x"),
            "bad config": (gemm + ["--a", e4, "--b", e4t, "--config", "bm128.bn128.bk100.s4"], "block_k 100"),
            "tensor scale alone": (gemm + ["--a", e4, "--b", e4t, "--tensor-scale-a", "2"], "go with --recipe"),
            "config in mma": (["mma", "--instruction", "sm90_wgmma_e4m3_f32", "--config", "bm128.bn128.bk128.s4",
                               "--a", e4, "--b", e4, "--c", c, "--out", out], "--config does not apply to emulate mma"),
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
