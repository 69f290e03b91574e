#!/usr/bin/env python3
"""A kernel that lives outside fp8check, in plain numpy: it reads the cases `fp8check export`
wrote, computes every GEMM, attention and quantize case, and writes the outputs
`fp8check verify` judges (docs/exchange-format.md is the contract this file follows).

    fp8check export smoke --out cases.h5
    python3 examples/python/reference_kernel.py cases.h5 outputs.h5
    fp8check verify cases.h5 outputs.h5

The arithmetic is deliberately plain: codes decoded through the file's tables, scales
applied, FP64 products and sums, one rounding to the output type. It stands in for the
Triton, CUDA or PyTorch kernel you want to check; replace compute_gemm / compute_attention /
compute_quantize with calls to yours.

--bug b-scales-column-major reads B's scale grid (stored row-major) as if it were stored
column-major, a real layout mistake: `fp8check verify` must fail the cases it breaks.
Needs numpy and h5py only (Debian: python3-numpy python3-h5py).
"""
import argparse
import sys

import h5py
import numpy as np

BUGS = ("b-scales-column-major",)

# Output types wider than 8 bits have no table in cases.h5: their rounding parameters.
# (explicit mantissa bits, smallest subnormal, largest finite, saturate to it?)
OUTPUT_TYPES = {
    "bf16": (7, 2.0**-133, float.fromhex("0x1.fep127"), False),
    "fp16": (10, 2.0**-24, 65504.0, False),
}


class Formats:
    """The decode tables of cases.h5 (/formats/NAME) and what rounding into them needs."""

    def __init__(self, f):
        self.tables, self.params = {}, {}
        for name, table in f["formats"].items():
            a = table.attrs
            self.tables[name] = table[()]
            self.params[name] = (int(a["mantissa_bits"]), float(a["min_subnormal"]), float(a["max_finite"]), True)
        self.params.update(OUTPUT_TYPES)

    def decode(self, dataset):
        """Element values of a codes dataset: uint8 codes through their table, int8 as they are."""
        codes = dataset[()]
        if dataset.dtype == np.int8:
            return codes.astype(np.float64)
        if dataset.dtype == np.uint16:  # bf16 codes: the upper half of an fp32
            return (codes.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
        return self.tables[dataset.attrs["format"]][codes]

    def round_to(self, name, x):
        """x rounded to nearest even onto format `name` (FP8/FP4 saturate to +-max, as cvt.rn.satfinite)."""
        mantissa_bits, min_subnormal, max_finite, saturate = self.params[name]
        a = np.abs(x)
        _, e = np.frexp(a)  # a = m * 2^e with m in [0.5, 1)
        quantum = np.maximum(np.ldexp(1.0, e - 1 - mantissa_bits), min_subnormal)
        with np.errstate(invalid="ignore"):
            r = np.rint(a / quantum) * quantum  # rint: ties to even
        r = np.where(r > max_finite, max_finite if saturate else np.inf, r)
        return np.where(np.isnan(x), np.nan, np.copysign(r, x))

    def encode(self, name, x):
        """Codes of format `name` for values x (already representable, or NaN)."""
        table = self.tables[name]
        codes = np.zeros(x.shape, dtype=np.uint8)
        nan_codes = np.flatnonzero(np.isnan(table))
        for code, value in enumerate(table):
            if not np.isnan(value):
                codes[(x == value) & (np.signbit(x) == np.signbit(value))] = code
        codes[np.isnan(x)] = nan_codes[0] if len(nan_codes) else 0
        return codes


def scale_values(formats, dataset, bug=False):
    """A scale grid as float64: fp32/fp16 values, or e8m0/ue4m3 codes through their table."""
    grid = dataset[()].astype(np.float64) if dataset.attrs["kind"] in ("fp32", "fp16") else \
        formats.tables[dataset.attrs["format"]][dataset[()]]
    if bug:  # the grid read column-major: [rows, cols] taken as [cols, rows] and transposed
        rows, cols = grid.shape[-2:]
        grid = grid.reshape(grid.shape[:-2] + (cols, rows)).swapaxes(-1, -2)
    return grid


def expand(grid, block, rows, cols):
    """Each scale repeated over the block of elements it covers, cropped to rows x cols."""
    br, bc = (int(b) for b in block)
    return np.repeat(np.repeat(grid, br, axis=-2), bc, axis=-1)[..., :rows, :cols]


def operand(formats, g, name, bug=False):
    """Values of a GEMM operand: decode(codes) * scale[row / block_rows, k / block_cols] (* tensor scale)."""
    values = formats.decode(g[name])
    scales = g[name + "_scale"]
    grid = scale_values(formats, scales, bug)
    if name == "a":  # A's grid covers its rows flattened across groups
        flat = values.reshape(-1, values.shape[-1])
        values = (flat * expand(grid, scales.attrs["block"], *flat.shape)).reshape(values.shape)
    else:  # one grid per B matrix
        values = values * expand(grid, scales.attrs["block"], *values.shape[-2:])
    if name + "_tensor_scale" in g:  # NVFP4: one fp32 tensor scale per matrix
        t = g[name + "_tensor_scale"][()].astype(np.float64)
        values = values * (t.reshape(-1, 1, 1) if values.ndim == 3 else t[0])
    return values


def to_output(formats, g, d):
    """D rounded to the case's output type: float32 values, or e4m3fn codes and their scale."""
    out_type = g.attrs["output_type"]
    if out_type == "fp32":
        return d.astype(np.float32), {}
    if out_type == "e4m3fn":
        scale = float(g.attrs["output_scale"])
        return formats.encode("e4m3fn", formats.round_to("e4m3fn", d * scale)), {"scale": scale}
    return formats.round_to(out_type, d).astype(np.float32), {}


def compute_gemm(formats, g, bug):
    kind, n = g.attrs["kind"], int(g.attrs["n"])
    a = operand(formats, g, "a")
    b = operand(formats, g, "b", bug == "b-scales-column-major")
    d = np.full(a.shape[:-1] + (n,), np.nan)
    if kind == "dense":
        d = a @ b.T
    elif kind == "batched":
        d = np.einsum("gmk,gnk->gmn", a, b)
    elif kind == "grouped_contiguous":
        offsets = g["group_offsets"][()]
        for grp in range(len(offsets) - 1):
            d[offsets[grp]:offsets[grp + 1]] = a[offsets[grp]:offsets[grp + 1]] @ b[grp].T
    elif kind == "grouped_masked":
        for grp, valid in enumerate(g["masked_m"][()]):
            d[grp, :valid] = a[grp, :valid] @ b[grp].T  # padding rows stay NaN: not written
    else:
        raise ValueError("unknown GEMM kind " + kind)
    d = float(g.attrs["alpha"]) * d
    if "c" in g:
        d = d + float(g.attrs["beta"]) * g["c"][()].astype(np.float64)
    if "bias" in g:
        d = d + g["bias"][()].astype(np.float64)
    return to_output(formats, g, d)


def compute_attention(formats, g):
    at = g.attrs
    def tensor(name):  # decode(codes) * the (batch, head) scale
        return formats.decode(g[name]) * g[name + "_scale"][()].astype(np.float64)[:, :, None, None]
    q, k, v = tensor("q"), tensor("k"), tensor("v")
    batch, heads, sq, skv = int(at["batch"]), int(at["q_heads"]), int(at["seq_q"]), int(at["seq_kv"])
    group = heads // int(at["kv_heads"])
    # Causal: bottom-right aligned, query i sees keys j <= i + seq_kv - seq_q.
    visible = np.arange(skv)[None, :] <= np.arange(sq)[:, None] + (skv - sq) if at["causal"] else \
        np.ones((sq, skv), dtype=bool)
    o = np.zeros((batch, heads, sq, v.shape[-1]))
    for bi in range(batch):
        for h in range(heads):
            s = float(at["softmax_scale"]) * (q[bi, h] @ k[bi, h // group].T)
            s = np.where(visible, s, -np.inf)
            m = np.max(s, axis=1, keepdims=True)
            p = np.where(visible, np.exp(s - np.where(np.isfinite(m), m, 0)), 0.0)
            total = p.sum(axis=1, keepdims=True)
            o[bi, h] = np.divide(p @ v[bi, h // group], total, out=np.zeros_like(o[bi, h]), where=total > 0)
    out_type = at["output_type"]
    return (o if out_type == "fp32" else formats.round_to(out_type, o)).astype(np.float32), {}


def compute_quantize(formats, g):
    """The recipe as cases.h5 spells it: scale = amax / format_max per block (dequantization
    multiplier, rounded to fp32, 1 for an all-zero block), code = round(x / scale). Recipes
    with other scale kinds are not implemented here: the entry says so and verify skips them."""
    at = g.attrs
    if at["scale_kind"] != "fp32" or at["scale_meaning"] != "dequant" or at["pow2_scale"] != "none" or \
            at["rounding"] != "rne" or at["format"] not in formats.tables:
        return None, "this example quantizes with fp32 dequantization scales and float formats only (recipe %s)" % at["recipe"]
    if at.get("convention", "exact") != "exact" or "amax_history" in at:
        return None, "this example follows the exact convention with current scaling only (convention %s, recipe %s)" % (
            at.get("convention", "exact"), at["recipe"])
    x = g["x"][()]
    rows, cols = x.shape
    br, bc = (int(b) for b in at["block"])
    grid = np.zeros(((rows + br - 1) // br, (cols + bc - 1) // bc), dtype=np.float32)
    for gi in range(grid.shape[0]):
        for gj in range(grid.shape[1]):
            block = np.abs(x[gi * br:(gi + 1) * br, gj * bc:(gj + 1) * bc])
            amax = np.max(block[~np.isnan(block)], initial=0.0)
            s = 1.0 if amax == 0 else min(max(amax / float(at["format_max"]), 2.0**-126), float(np.finfo(np.float32).max))
            grid[gi, gj] = np.float32(s)
    with np.errstate(invalid="ignore"):
        scaled = x / expand(grid.astype(np.float64), (br, bc), rows, cols)
    codes = formats.encode(at["format"], formats.round_to(at["format"], scaled))
    return {"codes": codes, "scales": grid}, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases")
    parser.add_argument("outputs")
    parser.add_argument("--bug", choices=BUGS, help="compute with one realistic bug (verify must catch it)")
    args = parser.parse_args()
    with h5py.File(args.cases, "r") as f, h5py.File(args.outputs, "w") as out:
        if f.attrs["fp8check_exchange"] != "cases" or f.attrs["version"] != 1:
            sys.exit(args.cases + ": not a version 1 cases file")
        formats = Formats(f)
        out.attrs["fp8check_exchange"] = "outputs"
        out.attrs["version"] = 1
        out.attrs["suite"] = f.attrs["suite"]
        out.attrs["cases_digest"] = f.attrs["cases_digest"]
        outputs = out.create_group("outputs")
        counts = {}
        for name, g in f["cases"].items():
            if g.attrs["status"] != "ready":  # fp8check skips these itself
                continue
            op = g.attrs["op"]
            if op == "quantize":
                result, skipped = compute_quantize(formats, g)
                entry = outputs.create_group(name)
                if skipped:
                    entry.attrs["skipped"] = skipped
                else:
                    entry.create_dataset("codes", data=result["codes"])
                    entry.create_dataset("scales", data=result["scales"])
            else:
                values, attrs = compute_gemm(formats, g, args.bug) if op == "gemm" else compute_attention(formats, g)
                entry = outputs.create_dataset(name, data=values)
                entry.attrs.update(attrs)
            entry.attrs["id"] = g.attrs["id"]
            counts[op] = counts.get(op, 0) + 1
    print("%s: %s" % (args.outputs, ", ".join("%d %s" % (c, op) for op, c in sorted(counts.items()))))


if __name__ == "__main__":
    main()
