#!/usr/bin/env python3
"""`fp8check convert` end to end, against numpy (interop, float16 conversion) and
hand-derived codes. Usage: convert_test.py PATH/TO/fp8check   (run by ctest).
Standard library + numpy only."""
import io
import os
import subprocess
import sys
import unittest

import numpy as np
from cli_support import TempDirTestCase

FP8CHECK = None  # set from argv

# Philox4x32-10 (Salmon et al., SC'11; Random123's philox.h), as a model of the
# documented stochastic-rounding contract: the random word of element i is word 0 of
# philox(counter = {i lo, i hi, 0, 0}, key = {seed lo, seed hi}).
MASK32 = 0xFFFFFFFF


def philox4x32_10(counter, key):
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for r in range(10):
        if r:
            k0, k1 = (k0 + 0x9E3779B9) & MASK32, (k1 + 0xBB67AE85) & MASK32
        p0, p1 = 0xD2511F53 * c0, 0xCD9E8D57 * c2
        c0, c1, c2, c3 = (p1 >> 32) ^ c1 ^ k0, p1 & MASK32, (p0 >> 32) ^ c3 ^ k1, p0 & MASK32
    return c0, c1, c2, c3


def stochastic_word(seed, index):
    return philox4x32_10((index & MASK32, index >> 32, 0, 0), (seed & MASK32, seed >> 32))[0]


class ConvertTest(TempDirTestCase):
    def run_convert(self, *args):
        return subprocess.run([FP8CHECK, "convert", *map(str, args)], capture_output=True, text=True)

    def convert(self, *args):
        r = self.run_convert(*args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def codes(self, values, fmt, *flags, dtype=np.float32):
        src = self.save("in.npy", np.asarray(values, dtype=dtype))
        self.convert(src, self.path("codes.npy"), "--to", fmt, *flags)
        return np.load(self.path("codes.npy"))

    def decoded(self, codes, fmt):
        src = self.save("codes_in.npy", codes)
        self.convert(src, self.path("values.npy"), "--from", fmt)
        return np.load(self.path("values.npy"))

    # --- known codes -------------------------------------------------------------------
    def test_e4m3fn_defaults_are_rne_satfinite(self):
        nan, inf = float("nan"), float("inf")
        values = [1.3, 448, 464, -464, 480, 1e9, -1e9, nan, inf, -inf, 0.0, -0.0, 2**-9, 2**-10, 3 * 2**-10]
        # 1.3 -> 1.25; 464 is the tie 448|480 (480 would be the NaN code): even, 448;
        # 2^-10 ties 0|2^-9 -> 0; 3*2^-10 ties 2^-9|2^-8 -> 2^-8 (even mantissa).
        expected = [0x3A, 0x7E, 0x7E, 0xFE, 0x7E, 0x7E, 0xFE, 0x7F, 0x7E, 0xFE, 0x00, 0x80, 0x01, 0x00, 0x02]
        out = self.codes(values, "e4m3fn")
        self.assertEqual(out.dtype, np.uint8)
        self.assertEqual([int(c) for c in out], expected)

    def test_e4m3fn_no_saturate_keep_inf_overflows_to_nan(self):
        out = self.codes([1e9, 464, 448, -1e9, float("inf")], "e4m3fn", "--no-saturate", "--keep-inf")
        self.assertEqual([int(c) for c in out[:3]], [0x7F, 0x7E, 0x7E])
        self.assertEqual([int(c) & 0x7F for c in out[3:]], [0x7F, 0x7F])  # NaN; its sign is not portable

    def test_e5m2_saturation_flags(self):
        # 61440 ties 57344 (0x7B) | 65536 (inf) and rounds to the even one, inf.
        values = [57344, 61440, float("inf")]
        self.assertEqual(list(self.codes(values, "e5m2")), [0x7B, 0x7B, 0x7B])
        self.assertEqual(list(self.codes(values, "e5m2", "--no-saturate", "--keep-inf")), [0x7B, 0x7C, 0x7C])
        self.assertEqual(list(self.codes(values, "e5m2", "--saturate", "--keep-inf")), [0x7B, 0x7B, 0x7C])
        self.assertEqual(list(self.codes(values, "e5m2", "--rounding", "rz", "--no-saturate")), [0x7B, 0x7B, 0x7B])

    def test_e2m1fn_codes_are_low_nibbles(self):
        # e2m1fn values by code: 0, 0.5, 1, 1.5, 2, 3, 4, 6; 2.5 ties 2|3 -> 2; -0.25 ties 0|0.5 -> -0.
        out = self.codes([0.5, 6, -6, 100, 2.5, -0.25, 5.0], "e2m1fn")
        self.assertEqual(list(out), [0x1, 0x7, 0xF, 0x7, 0x4, 0x8, 0x6])
        out = self.codes([5.0, 2.9], "e2m1fn", "--rounding", "down")
        self.assertEqual(list(out), [0x6, 0x4])
        rng = np.random.default_rng(4)
        self.assertLess(int(self.codes(rng.normal(0, 10, 1000), "e2m1fn").max()), 16)

    def test_fp16_matches_numpy(self):
        # numpy's float32/float64 -> float16 casts round to nearest even, as fp8check's fp16 default.
        rng = np.random.default_rng(7)
        f32 = rng.integers(0, 2**32, 20000, dtype=np.uint64).astype(np.uint32).view(np.float32)
        f32 = f32[~np.isnan(f32)]
        f64 = rng.normal(0, 1, 5000) * np.exp2(rng.integers(-30, 20, 5000))
        with np.errstate(over="ignore"):  # overflow to inf is part of what is compared
            f32_as_f16, f64_as_f16 = f32.astype(np.float16), f64.astype(np.float16)
        out = self.codes(f32, "fp16")
        self.assertEqual(out.dtype, np.dtype("<u2"))
        np.testing.assert_array_equal(out, f32_as_f16.view(np.uint16))
        np.testing.assert_array_equal(self.codes(f64, "fp16", dtype=np.float64), f64_as_f16.view(np.uint16))

    def test_every_input_dtype_is_read_exactly(self):
        for dtype in (np.float16, np.float32, np.float64):
            self.assertEqual(list(self.codes([1.0, -2.5, 0.1015625], "e4m3fn", dtype=dtype)), [0x38, 0xC2, 0x1D])
        # 1.0625 + 2^-30 is just above the tie 1|1.125; rounded through float32 first it
        # would become the tie itself and go to even (0x38).
        self.assertEqual(list(self.codes([1.0625 + 2**-30], "e4m3fn", dtype=np.float64)), [0x39])

    def test_summary_counts(self):
        values = [1.0, 500, -1e6, float("inf"), float("nan"), 2.0]
        out = self.codes(values, "e4m3fn")
        stdout = self.convert(self.path("in.npy"), self.path("o.npy"), "--to", "e4m3fn")
        self.assertIn("converted 6 float32 -> e4m3fn", stdout)
        self.assertIn("1 NaN, 1 inf, 3 beyond +-448 (3 -> +-max, 0 -> inf/NaN)", stdout)
        stdout = self.convert(self.path("codes.npy"), self.path("v.npy"), "--from", "e4m3fn")
        self.assertIn("converted 6 e4m3fn codes -> float32: 1 NaN, 0 inf", stdout)
        self.assertEqual(int(out[4]), 0x7F)

    # --- decoding and round trips ------------------------------------------------------
    def test_decode_known_values(self):
        out = self.decoded(np.array([0x3A, 0x7E, 0x01, 0x80, 0xFE, 0x7F], np.uint8), "e4m3fn")
        self.assertEqual(out.dtype, np.float32)
        self.assertEqual(list(out[:5]), [1.25, 448, 2**-9, 0.0, -448])
        self.assertTrue(np.signbit(out[3]) and np.isnan(out[5]))

    def test_every_code_of_every_format_round_trips(self):
        formats = {"e4m3fn": 8, "e5m2": 8, "e4m3fnuz": 8, "e5m2fnuz": 8, "e4m3b11fnuz": 8, "e4m3b15": 8,
                   "e8m0fnu": 8, "e2m1fn": 4, "e2m3fn": 6, "e3m2fn": 6, "bf16": 16, "fp16": 16}
        for fmt, bits in formats.items():
            with self.subTest(fmt=fmt):
                all_codes = np.arange(2**bits, dtype=np.uint16 if bits == 16 else np.uint8).reshape(-1, 2, 2)
                values = self.decoded(all_codes, fmt)
                self.assertEqual(values.shape, all_codes.shape)
                back = self.codes(values, fmt, "--keep-inf")
                keep = ~np.isnan(values)
                np.testing.assert_array_equal(back[keep], all_codes[keep])
        self.assertEqual(list(self.decoded(np.array([0, 15], np.uint8), "e2m1fn")), [0.0, -6.0])

    def test_shapes_and_numpy_bytes_are_preserved(self):
        for shape in [(), (0,), (2, 0, 3), (2, 3, 4)]:
            with self.subTest(shape=shape):
                out = self.codes(np.full(shape, 1.5, np.float32), "e5m2")
                self.assertEqual(out.shape, shape)
                with open(self.path("codes.npy"), "rb") as f:
                    written = f.read()
                buffer = io.BytesIO()
                np.save(buffer, out)
                self.assertEqual(written, buffer.getvalue())  # byte-identical to numpy.save

    def test_reads_version_2_headers(self):
        with open(self.path("v2.npy"), "wb") as f:
            np.lib.format.write_array(f, np.array([1.3, 2.0], np.float32), version=(2, 0))
        self.convert(self.path("v2.npy"), self.path("o.npy"), "--to", "e4m3fn")
        self.assertEqual(list(np.load(self.path("o.npy"))), [0x3A, 0x40])

    # --- stochastic rounding -----------------------------------------------------------
    def test_python_philox_model_matches_random123_known_answers(self):
        # Random123 kat_vectors, philox4x32 with 10 rounds.
        self.assertEqual(philox4x32_10((0, 0, 0, 0), (0, 0)), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8))
        self.assertEqual(philox4x32_10((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0)),
                         (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1))

    def test_stochastic_follows_the_documented_philox_contract(self):
        # In e4m3fn, 1.0625 drops fraction 1/2 (0.32 fixed point: 2^31) and 1.03125 drops
        # 1/4 (2^30); a value rounds away from zero iff fraction + word >= 2^32.
        n, seed = 1500, 0x123456789  # a seed above 2^32 exercises both key words
        values = np.array([1.0625, -1.0625, 1.03125] * (n // 3), np.float32)
        out = self.codes(values, "e4m3fn", "--rounding", "stochastic", "--seed", seed)
        fraction = {1.0625: 2**31, -1.0625: 2**31, 1.03125: 2**30}
        expected = []
        for i, x in enumerate(values):
            away = fraction[float(x)] + stochastic_word(seed, i) >= 2**32
            expected.append((0x80 if x < 0 else 0) | (0x39 if away else 0x38))
        np.testing.assert_array_equal(out, np.array(expected, np.uint8))
        # P(away) = dropped fraction: 1/4 of 500 draws, within 5 standard deviations (~48).
        self.assertLess(abs(int((out[2::3] == 0x39).sum()) - 125), 48)

    def test_stochastic_is_reproducible_and_depends_on_seed_and_index_only(self):
        values = np.full(4000, 1.0625, np.float32)
        a = self.codes(values, "e5m2", "--rounding", "stochastic", "--seed", 11)
        b = self.codes(values, "e5m2", "--rounding", "stochastic", "--seed", 11)
        c = self.codes(values, "e5m2", "--rounding", "stochastic", "--seed", 12)
        prefix = self.codes(values[:100], "e5m2", "--rounding", "stochastic", "--seed", 11)
        default_seed = self.codes(values, "e5m2", "--rounding", "stochastic")
        seed0 = self.codes(values, "e5m2", "--rounding", "stochastic", "--seed", 0)
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(prefix, a[:100])
        np.testing.assert_array_equal(default_seed, seed0)
        self.assertGreater(int((a != c).sum()), 1000)
        self.assertEqual(set(int(v) for v in a), {0x3C, 0x3D})

    # --- bad input ---------------------------------------------------------------------
    def test_bad_input_exits_2_and_writes_nothing(self):
        good = self.save("good.npy", np.array([1.0, 2.0], np.float32))
        codes = self.save("codes8.npy", np.array([1, 2], np.uint8))
        cases = {
            "int64": ([self.save("i.npy", np.arange(3)), "--to", "e4m3fn"], "dtype int64 ('<i8') is not supported"),
            "big-endian": ([self.save("be.npy", np.ones(3, ">f4")), "--to", "e4m3fn"], "big-endian arrays ('>f4')"),
            "fortran": ([self.save("f.npy", np.asfortranarray(np.ones((2, 3), np.float32))), "--to", "e4m3fn"],
                        "Fortran-order arrays are not supported"),
            "bad magic": ([self.write_bytes("t.npy", b"not numpy at all"), "--to", "e4m3fn"], "bad magic"),
            "truncated": ([self.write_bytes("cut.npy", self.read_bytes(good)[:-3]), "--to", "e4m3fn"],
                          "truncated data"),
            "missing input": ([self.path("missing.npy"), "--to", "e4m3fn"], "No such file or directory"),
            "unknown format": ([good, "--to", "e9m9"], "unknown format 'e9m9'"),
            "unknown rounding": ([good, "--to", "e4m3fn", "--rounding", "nope"], "unknown rounding mode 'nope'"),
            "seed without stochastic": ([good, "--to", "e4m3fn", "--seed", "3"], "--seed is used only with"),
            "bad seed": ([good, "--to", "e4m3fn", "--rounding", "stochastic", "--seed", "-1"], "--seed '-1'"),
            "to and from": ([good, "--to", "e4m3fn", "--from", "e5m2"], "exactly one of --to"),
            "neither": ([good], "exactly one of --to"),
            "both saturations": ([good, "--to", "e4m3fn", "--saturate", "--no-saturate"], "one of --saturate"),
            "both inf modes": ([good, "--to", "e4m3fn", "--inf-to-max", "--keep-inf"], "one of --inf-to-max"),
            "rounding with from": ([codes, "--from", "e4m3fn", "--rounding", "rz"], "applies only to --to"),
            "floats with from": ([good, "--from", "e4m3fn"], "holds float32: expected uint8"),
            "codes with to": ([codes, "--to", "e4m3fn"], "holds uint8: expected float16"),
            "uint8 for bf16": ([codes, "--from", "bf16"], "expected uint16 bf16 codes"),
            "code out of range": ([self.save("c16.npy", np.array([3, 16], np.uint8)), "--from", "e2m1fn"],
                                  "element 1 is 16, not a 4-bit e2m1fn code"),
        }
        for name, (args, message) in cases.items():
            with self.subTest(case=name):
                inputs_before = set(os.listdir(self.dir)) - {"out.npy"}
                if os.path.exists(self.path("out.npy")):
                    os.remove(self.path("out.npy"))
                r = self.run_convert(args[0], self.path("out.npy"), *args[1:])
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(message, r.stderr)
                self.assertEqual(r.stderr.count("\n"), 1, r.stderr)  # one line
                self.assertEqual(set(os.listdir(self.dir)), inputs_before)  # no output, no temporary
                self.write_bytes("out.npy", b"previous result")
                r = self.run_convert(args[0], self.path("out.npy"), *args[1:])
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertEqual(self.read_bytes(self.path("out.npy")), b"previous result")
                self.assertEqual(set(os.listdir(self.dir)), inputs_before | {"out.npy"})

    def test_usage_errors_exit_2(self):
        good = self.save("good.npy", np.array([1.0], np.float32))
        for args in [[good, "--to", "e4m3fn"], [good, "a.npy", "b.npy", "--to", "e4m3fn"],
                     [good, self.path("no_such_dir/out.npy"), "--to", "e4m3fn"], [good, "x.npy", "--bogus"]]:
            with self.subTest(args=args):
                r = self.run_convert(*args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertTrue(r.stderr.startswith("fp8check convert: error: "), r.stderr)
        self.assertEqual(sorted(os.listdir(self.dir)), ["good.npy"])

    def test_help_documents_every_flag(self):
        r = self.run_convert("--help")
        self.assertEqual(r.returncode, 0)
        for flag in ["--to", "--from", "--rounding", "--seed", "--saturate", "--no-saturate", "--inf-to-max",
                     "--keep-inf", "rne|rz|up|down|stochastic|away", "Philox4x32-10", "cvt.rn.satfinite"]:
            self.assertIn(flag, r.stdout)

    # --- helpers -------------------------------------------------------------------------
    def write_bytes(self, name, data):
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)

    def read_bytes(self, path):
        with open(path, "rb") as f:
            return f.read()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: convert_test.py PATH/TO/fp8check")
    FP8CHECK = sys.argv[1]
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:])
