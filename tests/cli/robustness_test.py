#!/usr/bin/env python3
"""Robustness of the fp8check command line: a corpus of bad inputs - options, .npy files,
TOML suites, HDF5 files (truncated, corrupted, declaring huge datasets), special files as
outputs - each with the exit code and the one-line message it must give; interruption by
SIGKILL at several points of a run, a golden update and a merge; two writers on one path.
Before and after every case the SHA-256 of every golden (the repository's and the scratch
copies) proves that nothing was damaged: a harness must never lose its memory (issue 13).

Exit codes (docs/cli.md): 0 pass, 1 failure or regression, 2 usage or input error (one line
on stderr: "fp8check CMD: error: ..."), 3 only for a bug of fp8check, and never a signal.

Usage: robustness_test.py PATH/TO/fp8check SOURCE_DIR   (run by ctest; needs numpy and h5py)."""
import hashlib
import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest

import h5py
import numpy as np

FP8CHECK = SOURCE_DIR = None  # set from argv

# Case name -> why it fails today. Remove an entry once the run layer lands.


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def clean_environment(extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GTEST_SHARD", "GTEST_TOTAL", "SLURM_ARRAY", "JOB_COMPLETION"))}
    env.update(extra or {})
    return env


def fp8check(*args, env=None, timeout=120, limit_memory=None):
    preexec = None
    if limit_memory:
        def preexec():
            resource.setrlimit(resource.RLIMIT_AS, (limit_memory, limit_memory))
    return subprocess.run([FP8CHECK, *map(str, args)], capture_output=True, text=True, cwd=SOURCE_DIR,
                          env=clean_environment(env), timeout=timeout, preexec_fn=preexec)


class Case:
    """One bad input: the command, and the exit code and message it must give."""

    def __init__(self, name, argv, rc, message, env=None, setup=None, outputs=(), check=None,
                 timeout=120, limit_memory=None):
        self.name, self.argv, self.rc, self.message = name, argv, rc, message
        self.env, self.setup, self.outputs, self.check = env, setup, outputs, check
        self.timeout, self.limit_memory = timeout, limit_memory


class Scratch:
    """Files the corpus needs, in one temporary folder."""

    def __init__(self, root):
        self.root = root
        os.makedirs(self.p("gold"))
        for suite in ("smoke", "seeds"):
            shutil.copy(os.path.join(SOURCE_DIR, "golden", suite + ".h5"), self.p("gold", suite + ".h5"))
        # Whole runs of the golden's suite and seed with one output changed: legitimate updates.
        for name, case in (("changed.h5", 0), ("changed2.h5", 1)):
            with h5py.File(self.copy_golden(name), "r+") as f:
                values = f["cases/%06d/output/values" % case]
                flat = values[()].reshape(-1)
                flat[0] = flat[0] * 2 + 1
                values[...] = flat.reshape(values.shape)
        self.copy_golden("other_seed.h5")
        with h5py.File(self.p("other_seed.h5"), "r+") as f:
            f.attrs["seed"] = np.uint64(7)
        self.npy("in.npy", np.array([1.0, -2.5, 448.0, 1e9], dtype=np.float32))
        self.npy("in2.npy", np.array([3.0, 0.25, -1.0, 7.5], dtype=np.float32))
        os.mkfifo(self.p("fifo"))
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.socket.bind(self.p("sock"))
        os.symlink(self.p("fifo"), self.p("fifo_link"))
        with open(self.p("file"), "w") as f:
            f.write("a regular file\n")
        os.makedirs(self.p("dir"))

    def exchange(self, selection):
        """cases.h5 of smoke (selection: export options) and outputs.h5 from the example kernel."""
        r = fp8check("export", "smoke", *selection, "--out", self.p("cases.h5"))
        assert r.returncode == 0, r.stderr
        subprocess.run([sys.executable, os.path.join(SOURCE_DIR, "examples", "python", "reference_kernel.py"),
                        self.p("cases.h5"), self.p("outputs.h5")], check=True, capture_output=True)

    def p(self, *parts):
        return os.path.join(self.root, *parts)

    def copy_golden(self, name, suite="smoke"):
        os.makedirs(os.path.dirname(self.p(name)), exist_ok=True)
        shutil.copy(os.path.join(SOURCE_DIR, "golden", suite + ".h5"), self.p(name))
        return self.p(name)

    def npy(self, name, array):
        np.save(self.p(name), array)
        return self.p(name)

    def raw(self, name, data):
        with open(self.p(name), "wb") as f:
            f.write(data)
        return self.p(name)

    def suite(self, name, text):
        os.makedirs(self.p("suites"), exist_ok=True)
        with open(self.p("suites", name + ".toml"), "w") as f:
            f.write(text)
        return self.p("suites", name + ".toml")

    def protected(self):
        """Every golden: the repository's and the scratch copies."""
        paths = [os.path.join(SOURCE_DIR, "golden", n) for n in sorted(os.listdir(os.path.join(SOURCE_DIR, "golden")))
                 if n.endswith(".h5")]
        return paths + [self.p("gold", n) for n in sorted(os.listdir(self.p("gold")))]


def npy_header(descr, shape, fortran=False, version=(1, 0)):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY" + bytes(version) + len(header).to_bytes(2, "little") + header.encode()


def truncated(t, name, keep):
    data = read_bytes(t.copy_golden(name))
    return t.raw(name, data[:keep(len(data))])


def corrupted(t, name, start, end):
    data = bytearray(read_bytes(t.copy_golden(name)))
    data[start:end] = b"\xff" * (end - start)
    return t.raw(name, bytes(data))


def declaring_huge_output(t, name):
    """A results file whose first output declares 10^5 x 10^6 float64 values (800 GB) in a few KB."""
    path = t.copy_golden(name)
    with h5py.File(path, "r+") as f:
        out = f["cases/000000/output"]
        del out["values"]
        if "sample_index" in out:
            del out["sample_index"]
        out.attrs["rows"] = np.int64(100000)
        out.attrs["cols"] = np.int64(1000000)
        out.attrs["complete"] = np.int64(1)
        out.create_dataset("values", shape=(100000, 1000000), dtype="f8", chunks=(1, 1024))
    return path


def as_results(path):
    """A golden's copy made a results file: `regenerate` no longer records a golden update."""
    with h5py.File(path, "r+") as f:
        f.attrs["regenerate"] = "fp8check run smoke"
    return path


def unchanged(path):
    """A check that `path` has the bytes it has now."""
    digest = sha256(path)
    return lambda r: sha256(path) == digest


def shorter_case_index(t, name):
    path = t.copy_golden(name)
    with h5py.File(path, "r+") as f:
        ids = list(f["case_index"].asstr()[()])
        del f["case_index"]
        f.create_dataset("case_index", data=ids[:-1], dtype=h5py.string_dtype())
    return path


def with_attrs(t, name, suite="smoke", **attrs):
    path = t.copy_golden(name, suite)
    with h5py.File(path, "r+") as f:
        for k, v in attrs.items():
            if v is None:
                del f.attrs[k]
            else:
                f.attrs[k] = v
    return path


def largest_scale(path):
    with h5py.File(path, "r") as f:
        return float(f["scales/values"][()].max())


SMOKE_SHAPE = '[suite]\nname = "%s"\n[[cases]]\nop = "gemm"\nformats = "e4m3fn.e4m3fn"\nrecipe = "tensor"\n'


def corpus(t):
    """The bad inputs. argv may use t (Scratch) for paths; rc and message are what they must give."""
    c = []
    add = lambda *a, **k: c.append(Case(*a, **k))
    # --- options: one way of parsing numbers, ranges named -----------------------------------
    add("run_seed_negative", ["run", "smoke", "--seed", "-1"], 2, "--seed '-1': expected an integer in 0..18446744073709551615")
    add("run_seed_plus_sign", ["run", "smoke", "--seed", "+5"], 2, "--seed '+5'")
    add("run_seed_beyond_64_bits", ["run", "smoke", "--seed", "18446744073709551616"], 2, "--seed")
    add("run_jobs_zero", ["run", "smoke", "--jobs", "0"], 2, "--jobs")
    add("run_jobs_beyond_int", ["run", "smoke", "--jobs", "99999999999"], 2, "--jobs")
    add("run_shard_out_of_range", ["run", "smoke", "--shard", "3/3"], 2, "shard '3/3' is out of range")
    add("run_shard_one_based_name", ["run", "smoke", "--shard", "4/3"], 2, "expected I/N with 0 <= I < N")
    add("run_shard_not_numbers", ["run", "smoke", "--shard", "a/b"], 2, "is not two decimal numbers")
    add("run_empty_shard_blames_the_shard", ["run", "smoke", "--shard", "99999/100000"], 2, "holds no case")
    add("run_backend_unknown", ["run", "smoke", "--backend", "tpu", "--no-golden", "--out", t.p("tpu.h5"), "--report",
                                t.p("rep_tpu")], 2, "unknown backend 'tpu': expected one of",
        check=lambda r: "case(s)," not in r.stderr)
    add("list_backend_unknown", ["list", "smoke", "--backend", "tpu"], 2, "unknown backend 'tpu'")
    add("run_filter_selects_nothing", ["run", "smoke", "--filter", "nothing*"], 2, "selects no case of suite smoke")
    add("run_filter_bad_escape", ["run", "smoke", "--filter", "gemm\\"], 2, "escapes nothing")
    add("run_shard_conflicts_with_googletest", ["run", "smoke", "--shard", "0/2"], 2, "the shard is given two ways",
        env={"GTEST_SHARD_INDEX": "1", "GTEST_TOTAL_SHARDS": "2"})
    add("run_googletest_index_alone", ["run", "smoke"], 2, "expected both GoogleTest shard variables or neither",
        env={"GTEST_SHARD_INDEX": "1"})
    add("run_slurm_task_without_count", ["run", "smoke"], 2, "SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT",
        env={"SLURM_ARRAY_TASK_ID": "3"})
    add("list_slurm_list_array", ["list", "smoke"], 2, "do not end at MAX",
        env={"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3",
             "SLURM_ARRAY_TASK_MAX": "7"})
    add("list_shard_total_outside_a_job", ["list", "smoke", "--shard-total", "3"], 2, "JOB_COMPLETION_INDEX")
    add("list_shard_total_zero", ["list", "smoke", "--shard-total", "0"], 2, "--shard-total '0'",
        env={"JOB_COMPLETION_INDEX": "0"})
    add("list_completion_index_beyond_total", ["list", "smoke", "--shard-total", "2"], 2,
        "expected a decimal JOB_COMPLETION_INDEX < --shard-total", env={"JOB_COMPLETION_INDEX": "2"})
    add("run_golden_and_no_golden", ["run", "smoke", "--golden", "golden/smoke.h5", "--no-golden"], 2,
        "--golden golden/smoke.h5 and --no-golden: expected one of them")
    add("configs_masked_and_batched", ["configs", "--m", "128", "--n", "128", "--k", "128", "--groups", "2", "--masked",
                                       "--batched"], 2, "--masked and --batched")
    add("emulate_threads_zero", ["emulate", "gemm", "--a", t.p("in.npy"), "--b", t.p("in.npy"), "--formats",
                                 "e4m3fn.e4m3fn", "--kernel", "fp32", "--threads", "0", "--out", t.p("d.npy")], 2,
        "--threads 0: expected an integer in 1..4096")
    add("run_device_empty", ["run", "smoke", "--device", ""], 2, "--device '': expected a non-empty value")
    add("run_golden_empty", ["run", "smoke", "--golden", ""], 2, "--golden '': expected a non-empty value")
    add("export_out_empty", ["export", "smoke", "--out", ""], 2, "--out '': expected a non-empty value")
    add("formats_format_empty", ["formats", "--format", ""], 2, "--format '': expected a non-empty value")
    add("list_filter_empty_selects_all", ["list", "smoke", "--filter", ""], 0, "case(s) in suite smoke, the whole suite")
    add("configs_groups_negative", ["configs", "--m", "128", "--n", "128", "--k", "128", "--groups", "-1", "--masked"],
        2, "--groups -1: expected an integer in 1..1048576")
    add("configs_groups_huge", ["configs", "--m", "128", "--n", "128", "--k", "128", "--groups",
                                "4611686018427387904", "--batched"], 2, "--groups 4611686018427387904")
    add("configs_m_zero", ["configs", "--m", "0", "--n", "128", "--k", "128"], 2, "--m 0: expected an integer")
    add("configs_shape_beyond_memory", ["configs", "--m", "1000000000", "--n", "1000000000", "--k", "128"], 2,
        "of memory this process may use")
    add("configs_top_negative", ["configs", "--m", "128", "--n", "128", "--k", "128", "--top", "-1"], 2, "--top -1")
    add("configs_m_not_a_number", ["configs", "--m", "12a", "--n", "128", "--k", "128"], 2, "'--m' is invalid")
    add("compare_drift_ratio_one", ["compare", t.p("gold", "smoke.h5"), t.p("gold", "smoke.h5"), "--drift-ratio", "1"],
        2, "drift ratio 1: expected a finite ratio > 1")
    add("compare_drift_sigmas_negative", ["compare", t.p("gold", "smoke.h5"), t.p("gold", "smoke.h5"),
                                          "--drift-sigmas", "-1"], 2, "drift sigmas -1")
    add("compare_drift_tail_probability_one", ["compare", t.p("gold", "smoke.h5"), t.p("gold", "smoke.h5"),
                                               "--drift-tail-probability", "1"], 2, "drift tail probability 1")
    add("golden_sample_elements_zero", ["golden", "update", t.p("changed.h5"), "--golden", t.p("gold", "smoke.h5"),
                                       "--sample-elements", "0"], 2, "sample_elements >= 1")
    add("unknown_command", ["frobnicate"], 2, "unknown command 'frobnicate'")
    add("no_command", [], 2, "fp8check: error: expected a command, one of run, list")
    add("newline_in_a_path_stays_on_one_line", ["list", t.p("two\nlines.toml")], 2, "two\\x0alines.toml' does not exist")
    add("convert_seed_negative", ["convert", t.p("in.npy"), t.p("o.npy"), "--to", "e4m3fn", "--rounding", "stochastic",
                                  "--seed", "-5"], 2, "--seed '-5'")
    add("quantize_amax_history_negative", ["quantize", "--recipe", "delayed", "--format", "e4m3fn", "--amax-history",
                                           "-1", t.p("in.npy"), t.p("q.h5")], 2, "--amax-history entry '-1'")
    # --- .npy inputs ---------------------------------------------------------------------------
    f32x4 = np.arange(4, dtype=np.float32).tobytes()
    add("npy_truncated", ["convert", t.raw("trunc.npy", npy_header("<f4", "(8,)") + f32x4), t.p("o.npy"),
                          "--to", "e4m3fn"], 2, "truncated data")
    add("npy_not_npy", ["convert", t.raw("text.npy", b"a,b\n1,2\n"), t.p("o.npy"), "--to", "e4m3fn"], 2,
        "not a .npy file")
    add("npy_empty_file", ["convert", t.raw("empty.npy", b""), t.p("o.npy"), "--to", "e4m3fn"], 2, "empty.npy")
    add("npy_big_endian", ["convert", t.raw("be.npy", npy_header(">f4", "(4,)") + f32x4), t.p("o.npy"),
                           "--to", "e4m3fn"], 2, "big-endian")
    add("npy_fortran_2d", ["convert", t.raw("fo.npy", npy_header("<f4", "(2, 2)", fortran=True) + f32x4),
                           t.p("o.npy"), "--to", "e4m3fn"], 2, "Fortran")
    add("npy_object_dtype", ["convert", t.raw("obj.npy", npy_header("|O", "(4,)") + f32x4), t.p("o.npy"),
                             "--to", "e4m3fn"], 2, "is not supported")
    add("npy_declares_2_64_elements", ["convert", t.raw("huge.npy", npy_header("<f4", "(4294967296, 4294967296)") +
                                                        f32x4), t.p("o.npy"), "--to", "e4m3fn"], 2, "is too large")
    add("npy_version_4", ["convert", t.raw("v4.npy", npy_header("<f4", "(4,)", version=(4, 0)) + f32x4),
                          t.p("o.npy"), "--to", "e4m3fn"], 2, "version 4.0 is not supported")
    add("npy_trailing_bytes", ["convert", t.raw("trail.npy", npy_header("<f4", "(2,)") + f32x4), t.p("o.npy"),
                               "--to", "e4m3fn"], 2, "bytes follow the array data")
    add("npy_input_is_a_directory", ["convert", t.p("dir"), t.p("o.npy"), "--to", "e4m3fn"], 2, "cannot read")
    add("npy_input_is_a_fifo", ["convert", t.p("fifo"), t.p("o.npy"), "--to", "e4m3fn"], 2,
        "cannot read: not a regular file (a FIFO (named pipe))", timeout=10)
    add("quantize_input_is_a_fifo", ["quantize", "--recipe", "tensor", t.p("fifo"), t.p("q.h5")], 2,
        "not a regular file", timeout=10)
    add("emulate_input_is_a_fifo", ["emulate", "gemm", "--a", t.p("fifo"), "--b", t.p("in.npy"), "--formats",
                                    "e4m3fn.e4m3fn", "--kernel", "fp32", "--out", t.p("d.npy")], 2,
        "not a regular file", timeout=10)
    add("npy_header_with_an_unknown_key_is_one_line",
        ["convert", t.raw("key.npy", npy_header("<f4", "(4,)").replace(b"'shape'", b"'shapx'") + f32x4), t.p("o.npy"),
         "--to", "e4m3fn"], 2, "malformed .npy header (unexpected key 'shapx'")
    add("npy_input_missing", ["convert", t.p("missing.npy"), t.p("o.npy"), "--to", "e4m3fn"], 2, "cannot read")
    add("npy_code_beyond_format", ["convert", t.npy("codes.npy", np.array([16], dtype=np.uint8)), t.p("o.npy"),
                                   "--from", "e2m1fn"], 2, "not a 4-bit e2m1fn code")
    add("quantize_declares_huge_input", ["quantize", "--recipe", "tensor", "--format", "e4m3fn",
                                         t.p("huge.npy"), t.p("q.h5")], 2, "is too large")
    # --- TOML suites ---------------------------------------------------------------------------
    add("suite_syntax_error", ["list", t.suite("syntax", "[suite\nname = 1\n")], 2, "syntax.toml:1:")
    add("suite_name_not_the_stem", ["list", t.suite("stem", SMOKE_SHAPE % "other" + 'shape = "m64.n64.k64"\n')], 2,
        "does not match the file name")
    add("suite_unknown_op", ["list", t.suite("op", '[suite]\nname = "op"\n[[cases]]\nop = "conv"\n')], 2, "conv")
    add("suite_tolerance_minus_inf", ["list", t.suite("minf", SMOKE_SHAPE % "minf" +
                                                      'shape = "m64.n64.k64"\ntolerance = { max_over_bound = -inf }\n')],
        2, "tolerance max_over_bound is -inf (expected a finite number >= 0)")
    add("suite_tolerance_nan", ["list", t.suite("tnan", SMOKE_SHAPE % "tnan" +
                                                'shape = "m64.n64.k64"\ntolerance = { max_over_bound = nan }\n')],
        2, "tolerance max_over_bound is nan")
    add("suite_tolerance_negative", ["list", t.suite("tneg", SMOKE_SHAPE % "tneg" +
                                                     'shape = "m64.n64.k64"\ntolerance = { rtol = -1 }\n')],
        2, "tolerance rtol is -1")
    add("suite_shape_field_twice", ["list", t.suite("twice", SMOKE_SHAPE % "twice" + 'shape = "m64.m32.n64.k64"\n')], 2,
        "'m' is given twice")
    add("suite_shape_leading_zero", ["list", t.suite("zero", SMOKE_SHAPE % "zero" + 'shape = "m064.n64.k64"\n')], 2,
        "'064' has a leading zero (expected 64")
    add("suite_device_unknown", ["list", t.suite("dev", '[suite]\nname = "dev"\ndevice = "sm_999"\n' +
                                                SMOKE_SHAPE.split("\n", 2)[2] + 'shape = "m64.n64.k64"\n')], 2,
        "dev.toml: [suite] device: unknown device 'sm_999'")
    add("suite_without_cases", ["list", t.suite("nocases", '[suite]\nname = "nocases"\n')], 2, "has no cases")
    add("suite_duplicate_ids", ["list", t.suite("dup", SMOKE_SHAPE % "dup" + 'shape = "m64.n64.k64"\n' +
                                                '[[cases]]\nop = "gemm"\nformats = "e4m3fn.e4m3fn"\n'
                                                'recipe = "tensor"\nshape = "m64.n64.k64"\n')], 2, "dup.toml")
    add("suite_negative_seed", ["list", t.suite("negseed", '[suite]\nname = "negseed"\nseed = -1\n' +
                                                SMOKE_SHAPE.split("\n", 2)[2] + 'shape = "m64.n64.k64"\n')], 2,
        "negseed.toml")
    add("suite_path_is_a_directory", ["run", t.p("dir"), "--no-golden"], 2, "is a directory")
    add("suite_path_is_a_fifo", ["list", t.p("fifo")], 2, "is not a regular file", timeout=10)
    add("suite_missing", ["list", t.p("suites", "missing.toml")], 2, "does not exist")
    huge = t.suite("huge", SMOKE_SHAPE % "huge" + 'shape = "m1000000000.n1000000000.k128"\n')
    add("run_huge_shape_jobs_1_is_an_error_verdict", ["run", huge, "--jobs", "1", "--no-golden", "--out",
                                                      t.p("huge1.h5"), "--report", t.p("huge1")], 1,
        "of memory this process may use")
    add("run_huge_shape_jobs_2_is_an_error_verdict", ["run", huge, "--jobs", "2", "--no-golden", "--out",
                                                      t.p("huge2.h5"), "--report", t.p("huge2")], 1,
        "of memory this process may use")
    # A shape within memory (513 MiB of A, B and D) whose FP64 output is not, under a 1.5 GiB
    # address-space limit: std::bad_alloc inside the case must become its error verdict.
    alloc = t.suite("alloc", SMOKE_SHAPE % "alloc" + 'shape = "m16384.n16384.k32"\n')
    for jobs in (1, 2):
        add("run_bad_alloc_in_a_case_jobs_%d_is_an_error_verdict" % jobs,
            ["run", alloc, "--jobs", str(jobs), "--no-golden", "--no-baseline", "--out", t.p("alloc%d.h5" % jobs),
             "--report", t.p("alloc%d" % jobs)], 1, "error", limit_memory=3 << 29)
    # --- HDF5 results and goldens --------------------------------------------------------------
    gold = t.p("gold", "smoke.h5")
    with h5py.File(t.copy_golden("count.h5"), "r") as f:
        smoke_cases = len(f["case_index"])  # the golden's case count: the suite grows
    add("hdf5_truncated_half", ["compare", truncated(t, "half.h5", lambda n: n // 2), gold], 2, "half.h5")
    add("hdf5_truncated_4k", ["compare", truncated(t, "4k.h5", lambda n: 4096), gold], 2, "4k.h5")
    add("hdf5_not_hdf5", ["compare", t.raw("text.h5", b"case,verdict\n"), gold], 2, "not an HDF5 file")
    add("hdf5_superblock_destroyed", ["compare", corrupted(t, "sb.h5", 0, 64), gold], 2, "sb.h5")
    add("hdf5_metadata_overwritten", ["compare", corrupted(t, "meta.h5", 512, 8192), gold], 2, "meta.h5")
    add("hdf5_foreign_file", ["compare", with_attrs(t, "foreign.h5", format=None), gold], 2,
        "not an fp8check results file")
    add("hdf5_schema_version_2", ["compare", with_attrs(t, "v2.h5", schema_version=np.int64(2)), gold], 2,
        "schema_version 2")
    add("hdf5_shorter_case_index", ["compare", shorter_case_index(t, "short.h5"), gold], 2,
        "/case_index lists %d case(s) but /cases holds %d" % (smoke_cases - 1, smoke_cases))
    declaring_huge_output(t, "huge.h5")
    add("compare_huge_declared_dataset", ["compare", t.p("huge.h5"), gold], 2, "declares a 100000 x 1000000 output")
    add("golden_update_huge_declared_dataset", ["golden", "update", t.p("huge.h5"), "--golden", gold], 2,
        "declares a 100000 x 1000000 output")
    add("merge_huge_declared_dataset", ["merge", t.p("m.h5"), t.p("huge.h5")], 2, "declares a 100000 x 1000000")
    add("report_huge_declared_dataset", ["report", t.p("huge.h5"), "--out", t.p("rep")], 2,
        "declares a 100000 x 1000000")
    add("compare_results_is_a_directory", ["compare", t.p("dir"), gold], 2, "is a directory: expected an HDF5 file")
    add("compare_results_is_a_fifo", ["compare", t.p("fifo"), gold], 2, "is not a regular file", timeout=10)
    # --- goldens never shrink, change suite or change seed by accident --------------------------
    add("golden_update_another_suite", ["golden", "update", t.p("gold", "seeds.h5"), "--golden", gold, "--write"], 2,
        "holds results of suite 'seeds'")
    add("golden_update_another_seed", ["golden", "update", t.p("other_seed.h5"), "--golden", gold, "--write"], 2,
        "ran with seed 7")
    add("golden_update_a_shard", ["golden", "update", with_attrs(t, "shard.h5", shard="0/2"), "--golden", gold,
                                  "--write"], 2, "is not a whole run of suite smoke (shard 0/2)")
    add("golden_update_a_filtered_run", ["golden", "update", with_attrs(t, "filtered.h5", filter="gemm/*"),
                                         "--golden", gold, "--write"], 2, "filter 'gemm/*'")
    add("golden_update_fewer_cases_than_the_suite", ["golden", "update", with_attrs(
        t, "fewer.h5", suite_case_count=np.int64(smoke_cases + 9)), "--golden", gold, "--write"], 2,
        "%d of the suite's %d cases" % (smoke_cases, smoke_cases + 9))
    add("golden_update_refuses_a_googletest_shard", ["golden", "update", t.p("gtest_shard.h5"), "--golden",
                                                      t.p("g1", "smoke.h5"), "--write"], 2, "is not a whole run",
        setup=lambda: t.copy_golden(os.path.join("g1", "smoke.h5")), outputs=[t.p("g1", "smoke.h5")])
    add("merge_one_based_shard", ["merge", t.p("m.h5"), with_attrs(t, "s1.h5", shard="1/2"),
                                  with_attrs(t, "s2.h5", shard="2/2")], 2, "shard '2/2': expected i/n with 0 <= i < n")
    add("merge_shard_twice", ["merge", t.p("m.h5"), with_attrs(t, "s0.h5", shard="0/2"),
                              with_attrs(t, "s0b.h5", shard="0/2")], 2, "expected each shard once")
    add("merge_other_seed", ["merge", t.p("m.h5"), t.p("s0.h5"), with_attrs(t, "s1seed.h5", shard="1/2",
                                                                             seed=np.uint64(7))], 2, "seed 7 differs")
    # --- special files and bad places as outputs -------------------------------------------------
    add("convert_out_dev_null", ["convert", t.p("in.npy"), "/dev/null", "--to", "e4m3fn"], 2,
        "/dev/null: is a character device")
    add("convert_out_fifo", ["convert", t.p("in.npy"), t.p("fifo"), "--to", "e4m3fn"], 2, "is a FIFO (named pipe)",
        timeout=10)
    add("convert_out_link_to_fifo", ["convert", t.p("in.npy"), t.p("fifo_link"), "--to", "e4m3fn"], 2,
        "is a symbolic link to a FIFO")
    add("convert_out_socket", ["convert", t.p("in.npy"), t.p("sock"), "--to", "e4m3fn"], 2, "is a socket")
    add("convert_out_directory", ["convert", t.p("in.npy"), t.p("dir"), "--to", "e4m3fn"], 2, "is a directory")
    add("merge_out_under_a_file", ["merge", t.p("file", "x.h5"), gold], 2, "is a file, not a directory")
    add("golden_write_to_a_fifo", ["golden", "update", t.p("changed.h5"), "--golden", t.p("fifo"), "--write"], 2,
        "is a FIFO", timeout=10)
    add("golden_is_a_directory", ["golden", "update", t.p("changed.h5"), "--golden", t.p("dir"), "--write"], 2,
        "is a directory")
    add("report_out_is_a_file", ["report", gold, "--out", t.p("file")], 2, "is a file: expected a directory")
    add("list_suite_dir_slash", ["list", t.p("dir") + "/"], 2, "is a directory")
    add("run_out_under_a_file_fails_before_running", ["run", "smoke", "--no-golden", "--out", t.p("file", "x.h5"),
                                                      "--report", t.p("rep_out")], 2, "is a file, not a directory",
        check=lambda r: "case(s)," not in r.stderr)
    if os.path.isdir("/sys"):  # sysfs takes no new file, not even from root
        add("run_out_on_sysfs_fails_before_running", ["run", "smoke", "--filter", "gemm/e4m3fn.e4m3fn/tensor/*",
                                                      "--no-golden", "--out", "/sys/x.h5", "--report", t.p("rep_sys")],
            2, "/sys/x.h5: cannot write in /sys", check=lambda r: "case(s)," not in r.stderr)
    add("run_out_fifo_fails_before_running", ["run", "smoke", "--no-golden", "--out", t.p("fifo"),
                                              "--report", t.p("rep_fifo")], 2, "is a FIFO",
        check=lambda r: "case(s)," not in r.stderr, timeout=60)
    add("run_report_dir_is_a_file_fails_before_running",
        ["run", "smoke", "--filter", "gemm/e4m3fn.e4m3fn/tensor/*", "--no-golden", "--out", t.p("rr.h5"), "--report",
         t.p("file")], 2, "is a file", check=lambda r: "case(s)," not in r.stderr)
    # --- an output never replaces an input or a golden ----------------------------------------
    tensor_filter = ["--filter", "gemm/e4m3fn.e4m3fn/tensor/*"]
    add("run_out_is_its_default_golden", ["run", "smoke", *tensor_filter, "--out", "golden/smoke.h5", "--report",
                                          t.p("rep_golden")], 2, "is the golden this command reads",
        check=lambda r: "case(s)," not in r.stderr)
    add("run_out_is_its_golden", ["run", "smoke", *tensor_filter, "--golden", gold, "--out", gold, "--report",
                                  t.p("rep_golden")], 2, "is the golden this command reads")
    add("run_out_is_a_golden", ["run", "smoke", *tensor_filter, "--no-golden", "--out", gold, "--report",
                                t.p("rep_golden")], 2, "is a golden (written by fp8check golden update)")
    out_suite = t.suite("outsuite", SMOKE_SHAPE % "outsuite" + 'shape = "m64.n64.k64"\n')
    add("run_out_is_its_suite", ["run", out_suite, "--no-golden", "--out", out_suite, "--report", t.p("rep_suite")], 2,
        "is the suite file this command reads", check=unchanged(out_suite))
    add("export_out_is_its_suite", ["export", out_suite, "--out", out_suite], 2, "is the suite file this command reads",
        check=unchanged(out_suite))
    add("export_out_is_a_golden", ["export", "smoke", *tensor_filter, "--out", gold], 2, "is a golden")
    add("merge_out_is_a_golden", ["merge", gold, t.p("gtest_shard.h5")], 2, "is a golden")
    add("convert_out_is_its_input", ["convert", t.p("in.npy"), t.p("in.npy"), "--to", "e4m3fn"], 2,
        "is the input IN.npy this command reads", check=unchanged(t.p("in.npy")))
    add("emulate_out_is_an_input", ["emulate", "gemm", "--a", t.p("in2.npy"), "--b", t.p("in.npy"), "--formats",
                                    "e4m3fn.e4m3fn", "--kernel", "fp32", "--out", t.p("in2.npy")], 2,
        "is the --a input this command reads", check=unchanged(t.p("in2.npy")))
    add("run_out_is_the_report_folder", ["run", "smoke", *tensor_filter, "--no-golden", "--out", t.p("same"),
                                         "--report", t.p("same")], 2, "is a directory",
        check=lambda r: "case(s)," not in r.stderr)
    add("verify_out_is_its_cases_file", ["verify", t.p("cases.h5"), t.p("outputs.h5"), "--out", t.p("cases.h5"),
                                         "--report", t.p("rep_verify")], 2, "is CASES.h5 this command reads",
        setup=lambda: t.exchange(tensor_filter), check=lambda r: "case(s) of suite" not in r.stderr)
    # (cases.h5 from here on)
    add("verify_outputs_is_a_directory", ["verify", t.p("cases.h5"), t.p("dir")], 2, "dir: is a directory")
    add("verify_outputs_is_a_fifo", ["verify", t.p("cases.h5"), t.p("fifo")], 2, "fifo: is not a regular file",
        timeout=10)
    # --- a golden of another suite judges nothing ------------------------------------------------
    add("compare_with_a_golden_of_another_suite", ["compare", gold, t.p("gold", "seeds.h5")], 2,
        "holds results of suite 'smoke', the golden %s those of suite 'seeds'" % t.p("gold", "seeds.h5"))
    add("run_with_a_golden_of_another_suite", ["run", "smoke", *tensor_filter, "--golden", t.p("gold", "seeds.h5"),
                                               "--out", t.p("other_suite.h5"), "--report", t.p("rep_other_suite")], 2,
        "the run of suites/smoke.toml holds results of suite 'smoke'", check=lambda r: "case(s)," not in r.stderr)
    # --- a device is named whole ---------------------------------------------------------------------
    add("export_device_fragment", ["export", "smoke", "--device", "x", "--out", t.p("device_x.h5")], 2,
        "unknown device 'x'", check=lambda r: not os.path.exists(t.p("device_x.h5")))
    add("configs_device_fragment", ["configs", "--m", "128", "--n", "128", "--k", "128", "--device", "rtx"], 2,
        "unknown device 'rtx'")
    # --- what must work, next to what must not ------------------------------------------------
    add("quantize_amax_history_inf_gives_the_largest_scale",
        ["quantize", "--recipe", "delayed", "--format", "e4m3fn", "--amax-history", "inf", t.p("in.npy"),
         t.p("qinf.h5")], 0, "amax of this input",
        check=lambda r: largest_scale(t.p("qinf.h5")) == float(np.finfo(np.float32).max))
    add("golden_update_allow_partial_never_removes",
        ["golden", "update", with_attrs(t, "partial.h5", filter="gemm/*"), "--golden", t.p("g2", "smoke.h5"),
         "--allow-partial", "--write"], 0, "0 removed",
        setup=lambda: t.copy_golden(os.path.join("g2", "smoke.h5")), outputs=[t.p("g2", "smoke.h5")])
    return c


class RobustnessTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="fp8check_robustness.")
        cls.t = Scratch(cls.dir)
        cls.before = {p: sha256(p) for p in cls.t.protected()}

    @classmethod
    def tearDownClass(cls):
        cls.t.socket.close()
        shutil.rmtree(cls.dir)

    def assert_nothing_damaged(self, allowed=()):
        for path, digest in self.before.items():
            if path not in allowed:
                self.assertEqual(sha256(path), digest, path + " changed")

    def test_the_corpus(self):
        t = self.t
        # The GoogleTest-sharded run of the issue: a shard that must never update a golden.
        r = fp8check("run", "smoke", "--no-golden", "--out", t.p("gtest_shard.h5"), "--report", t.p("gtest_rep"),
                     env={"GTEST_SHARD_INDEX": "0", "GTEST_TOTAL_SHARDS": "2"})
        self.assertEqual(r.returncode, 0, r.stderr)
        cases = corpus(t)
        self.assertGreaterEqual(len(cases), 60)
        names = [case.name for case in cases]
        self.assertEqual(len(names), len(set(names)))
        failures = []
        for case in cases:
            if case.setup:
                case.setup()
            problem = self.run_case(case)
            self.assert_nothing_damaged(case.outputs)
            if problem is not None:
                failures.append("%s: %s" % (case.name, problem))
        self.assertEqual(failures, [], "\n".join(failures))

    def run_case(self, case):
        """None when the case behaves as it must, else what went wrong."""
        try:
            r = fp8check(*case.argv, env=case.env, timeout=case.timeout, limit_memory=case.limit_memory)
        except subprocess.TimeoutExpired:
            return "did not finish in %d s" % case.timeout
        if r.returncode < 0:
            return "killed by signal %d: %s" % (-r.returncode, r.stderr[-300:])
        if r.returncode != case.rc:
            return "exit %d, expected %d: %s" % (r.returncode, case.rc, (r.stderr or r.stdout)[-400:])
        text = r.stderr if case.rc == 2 else r.stdout + r.stderr
        if case.message not in text:
            return "message lacks %r: %s" % (case.message, text[-400:])
        if case.rc == 2:
            lines = r.stderr.splitlines()
            if len(lines) != 1 or not lines[0].startswith("fp8check"):
                return "expected one error line, got %r" % r.stderr[-600:]
        if case.check and not case.check(r):
            return "check failed: %s" % (r.stdout + r.stderr)[-400:]
        return None

    # --- interruption: SIGKILL at several points ------------------------------------------------
    def assert_intact_or_complete(self, path, digest, reference):
        """`path` is untouched (same bytes) or the complete new file (same content as `reference`)."""
        if sha256(path) == digest:
            return "old"
        r = fp8check("compare", path, reference)
        self.assertEqual(r.returncode, 0, r.stdout[-2000:] + r.stderr)
        self.assertIn(" 0 missing", r.stdout)
        return "new"

    def kill_at(self, args, delays, target, reference):
        seen = set()
        for delay in delays:
            before = sha256(target)
            p = subprocess.Popen([FP8CHECK, *args], cwd=SOURCE_DIR, env=clean_environment(),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            p.send_signal(signal.SIGKILL)
            p.wait()
            seen.add(self.assert_intact_or_complete(target, before, reference))
            self.assert_nothing_damaged([target])
        return seen

    def test_sigkill_during_a_run_leaves_the_results_file_whole(self):
        t = self.t
        out = as_results(t.copy_golden("killed_run.h5"))  # a golden is never a run's output
        reference = t.p("gold", "smoke.h5")  # a run's outputs are the golden's, bit for bit
        self.kill_at(["run", "smoke", "--jobs", "2", "--out", out, "--report", t.p("kill_rep")],
                     [0.05, 0.3, 0.8, 1.5, 2.5], out, reference)
        r = fp8check("run", "smoke", "--out", out, "--report", t.p("kill_rep"))  # and a run to the end replaces it
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.assert_intact_or_complete(out, "", reference), "new")

    def test_sigkill_during_a_golden_update_leaves_the_golden_whole(self):
        t = self.t
        golden = t.copy_golden(os.path.join("g3", "smoke.h5"))
        reference = t.copy_golden(os.path.join("g4", "smoke.h5"))
        r = fp8check("golden", "update", t.p("changed.h5"), "--golden", reference, "--write")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.kill_at(["golden", "update", t.p("changed.h5"), "--golden", golden, "--write"],
                     [0.01, 0.05, 0.1, 0.2, 0.4], golden, reference)

    def test_sigkill_during_a_merge_leaves_the_output_whole(self):
        t = self.t
        out = as_results(t.copy_golden("killed_merge.h5"))
        self.kill_at(["merge", out, t.p("gold", "smoke.h5")], [0.01, 0.05, 0.1, 0.3], out, t.p("gold", "smoke.h5"))

    # --- two writers on one path ----------------------------------------------------------------
    def test_two_golden_updates_on_one_golden_leave_one_whole_golden(self):
        t = self.t
        for attempt in range(3):
            golden = t.copy_golden(os.path.join("g5_%d" % attempt, "smoke.h5"))
            procs = [subprocess.Popen([FP8CHECK, "golden", "update", t.p(name), "--golden", golden, "--write"],
                                      cwd=SOURCE_DIR, env=clean_environment(), stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, text=True) for name in ("changed.h5", "changed2.h5")]
            for p in procs:
                _, stderr = p.communicate(timeout=120)
                self.assertEqual(p.returncode, 0, stderr)
            # Each writer replaced the whole file: the golden is exactly one of the two updates.
            matches = [fp8check("compare", t.p(name), golden).returncode == 0 for name in ("changed.h5", "changed2.h5")]
            self.assertEqual(sorted(matches), [False, True], golden)
            self.assertEqual(os.listdir(os.path.dirname(golden)), ["smoke.h5"])  # no temporary left
        self.assert_nothing_damaged()

    def test_two_converts_on_one_output_leave_one_whole_file(self):
        t = self.t
        expected = []
        for name in ("in.npy", "in2.npy"):
            r = fp8check("convert", t.p(name), t.p("ref_" + name), "--to", "e4m3fn")
            self.assertEqual(r.returncode, 0, r.stderr)
            expected.append(read_bytes(t.p("ref_" + name)))
        for attempt in range(5):
            procs = [subprocess.Popen([FP8CHECK, "convert", t.p(name), t.p("both.npy"), "--to", "e4m3fn"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                     for name in ("in.npy", "in2.npy")]
            self.assertEqual([p.wait(timeout=60) for p in procs], [0, 0])
            self.assertIn(read_bytes(t.p("both.npy")), expected)


if __name__ == "__main__":
    SOURCE_DIR = sys.argv.pop(2)
    FP8CHECK = sys.argv.pop(1)
    unittest.main()
