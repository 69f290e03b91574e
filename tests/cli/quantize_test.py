#!/usr/bin/env python3
"""`fp8check quantize` end to end: the HDF5 file read with h5py, checked against
numpy models of the scale rules, plus bad inputs (exit 2, one line, nothing written).
Usage: quantize_test.py PATH/TO/fp8check   (run by ctest). Needs numpy and h5py."""
import os
import subprocess
import sys
import unittest

import h5py
import numpy as np
from cli_support import TempDirTestCase

FP8CHECK = None  # set from argv


def e4m3fn_table():
    """Value of every e4m3fn code (OCP OFP8: bias 7, S.1111.111 = NaN)."""
    out = np.empty(256)
    for c in range(256):
        sign = -1.0 if c & 0x80 else 1.0
        e, m = (c >> 3) & 0xF, c & 7
        if e == 0xF and m == 7:
            out[c] = np.nan
        elif e == 0:
            out[c] = sign * m * 2.0**-9
        else:
            out[c] = sign * (1 + m / 8) * 2.0 ** (e - 7)
    return out


def e2m1fn_table():
    """Value of every e2m1fn code (OCP MX: bias 1, no inf or NaN)."""
    out = np.empty(16)
    for c in range(16):
        sign = -1.0 if c & 8 else 1.0
        e, m = (c >> 1) & 3, c & 1
        out[c] = sign * (m * 0.5 if e == 0 else (1 + m / 2) * 2.0 ** (e - 1))
    return out


E4M3FN, E2M1FN = e4m3fn_table(), e2m1fn_table()


def e4m3fn_encode(v):
    """cvt.rn.satfinite to e4m3fn of float values: the nearest finite code, ties to the even code."""
    v = np.asarray(v, dtype=np.float64)
    positive = E4M3FN[:127]  # codes 0x00..0x7E in increasing order
    a = np.minimum(np.abs(v), 448.0)
    hi = np.clip(np.searchsorted(positive, a), 1, 126)
    lo = hi - 1
    d_lo, d_hi = a - positive[lo], positive[hi] - a
    code = np.where((d_hi < d_lo) | ((d_hi == d_lo) & (hi % 2 == 0)), hi, lo)
    code = np.where(a == positive[hi], hi, code)
    return (code | np.where(np.signbit(v), 0x80, 0)).astype(np.uint8)


def bf16(x):
    """float32 values rounded to bfloat16 (nearest even), as float32."""
    b = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    b = (b + 0x7FFF + ((b >> 16) & 1)) & 0xFFFF0000
    return b.astype(np.uint32).view(np.float32)


def grid(f):
    """Scales as a (grid_rows, grid_cols) array, whatever their storage order."""
    s = f["scales"]
    values, rows, cols = s["values"][()], s.attrs["grid_rows"], s.attrs["grid_cols"]
    if s.attrs["order"] == "row-major":
        return values[:, :cols]
    return values[:, :rows].T


def expand(scales, block_rows, block_cols, shape):
    """Each element's scale."""
    return np.repeat(np.repeat(scales, block_rows, axis=0), block_cols, axis=1)[: shape[0], : shape[1]]


class QuantizeTest(TempDirTestCase):
    def save(self, array, name="in.npy"):
        np.save(self.path(name), array)
        return self.path(name)

    def quantize(self, array, *flags, out="out.h5"):
        r = subprocess.run([FP8CHECK, "quantize", self.save(array), self.path(out), *map(str, flags)],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return h5py.File(self.path(out), "r"), r.stdout

    def expect_bad_input(self, array, *flags, message):
        before = sorted(os.listdir(self.dir))
        r = subprocess.run([FP8CHECK, "quantize", self.save(array, "bad.npy"), self.path("bad.h5"),
                            *map(str, flags)], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertIn(message, r.stderr)
        after = sorted(os.listdir(self.dir))
        self.assertEqual(after, sorted(set(before) | {"bad.npy"}))  # no output, no temporary

    # --- scales, codes and the dequantized tensor --------------------------------------
    def test_vec128_partial_blocks_match_the_numpy_model(self):
        rng = np.random.default_rng(1)
        x = (rng.standard_normal((5, 300)) * np.exp(rng.standard_normal((5, 1)) * 3)).astype(np.float32)
        f, stdout = self.quantize(x, "--recipe", "vec128")
        self.assertEqual(f.attrs["schema"], "fp8check.quantize/1")
        self.assertEqual(f.attrs["recipe"], "vec128")
        self.assertEqual(f["scales"].attrs["meaning"], "dequant")
        codes, deq = f["codes"][()], f["dequantized"][()]
        self.assertEqual((codes.dtype, codes.shape, deq.dtype), (np.uint8, (5, 300), np.float64))
        # s = fp32(amax / 448) per 1x128 block, the last block of each row 44 elements wide.
        xd = x.astype(np.float64)
        amax = np.stack([np.abs(xd[:, j:j + 128]).max(axis=1) for j in (0, 128, 256)], axis=1)
        np.testing.assert_array_equal(grid(f), (amax / 448).astype(np.float32))
        s = expand(grid(f).astype(np.float64), 1, 128, x.shape)
        np.testing.assert_array_equal(deq, E4M3FN[codes] * s)
        # Round to nearest: within half a quantum (2^-4 relative for normals) of x / s.
        self.assertTrue(np.all(np.abs(deq - xd) <= np.maximum(np.abs(xd) * 2.0**-4, 2.0**-10 * s)))
        self.assertIn("SQNR", stdout)
        self.assertAlmostEqual(f.attrs["max_abs_error"], np.abs(deq - xd).max(), places=12)

    def test_power_of_two_blocks_round_trip_exactly_in_every_order(self):
        # Block (i, j) of 2x3 blocks is scaled by 2^(i + 2j); its top-left element is 448.
        m = np.array([[2.0 ** (i + 2 * j) for j in range(4)] for i in range(3)])
        v = np.resize(E4M3FN[[0x38, 0x3A, 0xB1, 0x02, 0x00, 0x55]], (5, 11))
        v[::2, ::3] = 448
        x = v * expand(m, 2, 3, v.shape)
        for order in ("row-major", "col-major", "col-major-tma"):
            f, _ = self.quantize(x, "--recipe", "blk2x3", "--scale-order", order, out=order + ".h5")
            np.testing.assert_array_equal(grid(f), m)
            np.testing.assert_array_equal(f["dequantized"][()], x)
            np.testing.assert_array_equal(E4M3FN[f["codes"][()]], v)
            if order == "col-major-tma":  # 3 grid rows padded to 4 fp32: 16-byte aligned columns
                self.assertEqual(f["scales"]["values"].shape, (4, 4))
                np.testing.assert_array_equal(f["scales"]["values"][:, 3], 0)

    def test_nvfp4_one_dimensional_input(self):
        x = np.zeros(40, dtype=np.float64)
        x[0], x[16], x[17], x[39] = 2688, 3, -1.5, 0.75
        f, _ = self.quantize(x, "--recipe", "nvfp4")
        self.assertEqual(f["codes"].shape, (40,))
        self.assertEqual(f["tensor_scale"][()].tolist(), [1.0])  # 2688 / (448 * 6)
        np.testing.assert_array_equal(f["scales"]["codes"][()], [[0x7E, 0x30, 0x20]])  # 448, 3/6, 0.75/6
        block = np.repeat(f["scales"]["values"][0].astype(np.float64), 16)[:40]
        np.testing.assert_array_equal(f["dequantized"][()], E2M1FN[f["codes"][()]] * block)

    def test_int4_groups_use_offset_binary_codes(self):
        x = np.array([[3.5, 1.2, -3.5, 0.25, 7, 1, -7, 0]], dtype=np.float32)
        f, _ = self.quantize(x, "--recipe", "int4_g4")
        np.testing.assert_array_equal(f["codes"][()], [[14, 9, 0, 7, 14, 8, 0, 7]])
        np.testing.assert_array_equal(grid(f), [[0.5, 1.0]])
        np.testing.assert_array_equal(f["dequantized"][()], [[3.5, 1.0, -3.5, 0, 7, 1, -7, 0]])

    def test_delayed_scaling_takes_the_history_max(self):
        x = np.full((2, 3), 100, dtype=np.float32)
        f, stdout = self.quantize(x, "--recipe", "delayed_max4", "--amax-history", "224,896,448")
        self.assertEqual(grid(f).tolist(), [[2.0]])  # 896 / 448
        self.assertIn("amax of this input: 100", stdout)

    def test_mx_and_gzip(self):
        x = np.linspace(-3, 5, 64, dtype=np.float32).reshape(2, 32)
        f, _ = self.quantize(x, "--recipe", "mxfp8", "--format", "e5m2", "--gzip", "4")
        self.assertEqual(f["codes"].compression, "gzip")
        # OCP MX: 2^(floor(log2 amax) - 15) -> codes 127 + 1 - 15 and 127 + 2 - 15.
        np.testing.assert_array_equal(f["scales"]["codes"][()], [[113], [114]])
        self.assertEqual(f.attrs["element"], "e5m2")

    def test_stochastic_rounding_uses_the_random_words_of_convert(self):
        # With amax 448 the tensor scale is 1, so the codes must be convert's, word for word.
        x = np.linspace(-448, 448, 999, dtype=np.float64)
        f, _ = self.quantize(x, "--recipe", "tensor", "--rounding", "stochastic", "--seed", "12345")
        self.assertEqual(f["scales"]["values"][()].tolist(), [[1.0]])
        r = subprocess.run([FP8CHECK, "convert", self.path("in.npy"), self.path("c.npy"), "--to", "e4m3fn",
                            "--rounding", "stochastic", "--seed", "12345"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        np.testing.assert_array_equal(f["codes"][()], np.load(self.path("c.npy")))

    # --- conventions: a library's fp32 arithmetic, modelled here in numpy float32 ------------
    def test_conventions_match_numpy_float32_models(self):
        rng = np.random.default_rng(7)
        x = bf16(rng.standard_normal((64, 256)).astype(np.float32))
        groups = x.reshape(64, 2, 128)
        amax = np.maximum(np.abs(groups).max(axis=2), np.float32(1e-4))
        f448 = np.float32(448)
        sf = amax / f448  # float32 / float32: IEEE fp32 division
        models = {
            # DeepGEMM utils: x * (1.0 / sf), stored sf
            "deepgemm": (e4m3fn_encode(groups * (np.float32(1) / sf)[:, :, None]), sf),
            # vLLM CUDA: clamp(x / y_s), stored y_s (eps 1e-10 below every amax here)
            "vllm": (e4m3fn_encode(groups / (np.abs(groups).max(axis=2) / f448)[:, :, None]),
                     np.abs(groups).max(axis=2) / f448),
            # Transformer Engine: x * (448 / amax), stored scale_inv = 1 / scale
            "transformer-engine": (e4m3fn_encode(groups * (f448 / np.abs(groups).max(axis=2))[:, :, None]),
                                   np.float32(1) / (f448 / np.abs(groups).max(axis=2))),
        }
        for name, (codes, scales) in models.items():
            f, stdout = self.quantize(x, "--recipe", "vec128", "--convention", name, out=name + ".h5")
            self.assertEqual(f.attrs["convention"], name)
            np.testing.assert_array_equal(f["codes"][()], codes.reshape(64, 256), err_msg=name)
            np.testing.assert_array_equal(grid(f), scales, err_msg=name)
            self.assertIn("convention " + name, stdout)
        self.assertEqual(self.quantize(x, "--recipe", "vec128", "--convention", "deepgemm",
                                       out="floor.h5")[0].attrs["amax_floor"], 1e-4)
        # The exact default differs from them on some codes (about 1e-3 of them), never on these scales.
        exact, _ = self.quantize(x, "--recipe", "vec128", out="exact.h5")
        self.assertEqual(exact.attrs["convention"], "exact")
        self.assertEqual(exact.attrs["amax_floor"], 0)
        np.testing.assert_array_equal(grid(exact), models["deepgemm"][1])

    def test_amax_floor_override(self):
        x = np.full((1, 8), 1e-3, dtype=np.float32)
        f, _ = self.quantize(x, "--recipe", "row", "--convention", "div-fp32", "--amax-floor", "0.5")
        self.assertEqual(grid(f).tolist(), [[np.float32(0.5) / np.float32(448)]])
        self.assertEqual(f.attrs["amax_floor"], 0.5)

    def test_bad_conventions(self):
        x = np.ones((2, 64), dtype=np.float32)
        r = subprocess.run([FP8CHECK, "quantize", self.save(x, "c.npy"), self.path("c.h5"), "--recipe", "vec64",
                            "--convention", "deep-gemm"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        for name in ("exact", "mul-reciprocal-fp32", "mul-inverse-scale-fp32", "div-fp32", "deepgemm",
                     "deepgemm-legacy", "transformer-engine", "vllm", "vllm-triton"):
            self.assertIn(name, r.stderr)
        self.expect_bad_input(x, "--recipe", "mxfp8", "--convention", "deepgemm", message="expected convention exact")
        self.expect_bad_input(x, "--recipe", "vec64", "--convention", "vllm", "--amax-floor", "-1",
                              message="finite value >= 0")
        self.expect_bad_input(x, "--recipe", "vec64", "--amax-floor", "tiny", message="--amax-floor 'tiny'")
        self.expect_bad_input(x, "--recipe", "tensor", "--convention", "transformer-engine",
                              "--zero-block-scale", "smallest", message="zero-block scale one")

    # --- bad input: exit 2, one line, nothing written ------------------------------------
    def test_bad_inputs(self):
        x = np.ones((3, 130), dtype=np.float32)
        self.expect_bad_input(x, "--recipe", "vec128", "--require-full-blocks", message="3x130")
        self.expect_bad_input(x, "--recipe", "vec7x", message="unknown recipe 'vec7x'")
        self.expect_bad_input(x, "--recipe", "nvfp4", "--block", "1x32", message="fixed")
        self.expect_bad_input(x, "--recipe", "mxfp8", "--format", "e2m1fn", message="8-bit MX element")
        self.expect_bad_input(x, "--recipe", "tensor", "--amax-history", "1", message="delayed recipes only")
        self.expect_bad_input(x, "--recipe", "tensor", "--scale-order", "diagonal", message="col-major-tma")
        y = x.copy()
        y[2, 5] = np.nan
        self.expect_bad_input(y, "--recipe", "vec128", "--nan", "reject", message="(2, 5)")
        self.expect_bad_input(y, "--recipe", "int8_g32", message="integer codes cannot hold NaN")
        self.expect_bad_input(np.ones((2, 2, 2), np.float32), "--recipe", "tensor", message="1-D or 2-D")
        self.expect_bad_input(np.ones(4, np.uint8), "--recipe", "tensor", message="float16, float32 or float64")
        self.expect_bad_input(np.ones(0, np.float32), "--recipe", "tensor", message="at least one element")

    def test_an_existing_output_survives_a_failed_run(self):
        with open(self.path("bad.h5"), "wb") as out:
            out.write(b"previous")
        self.expect_bad_input(np.ones((3, 130), np.float32), "--recipe", "vec128", "--require-full-blocks",
                              message="whole number")
        with open(self.path("bad.h5"), "rb") as out:
            self.assertEqual(out.read(), b"previous")


if __name__ == "__main__":
    FP8CHECK = sys.argv.pop(1)
    unittest.main()
