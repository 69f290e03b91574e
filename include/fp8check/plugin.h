/* fp8check plug-in ABI: a kernel under test in a shared library, loaded with
 *   fp8check run SUITE --backend-lib path/to/libmine.so [--backend NAME]
 * and judged like every other backend (docs/plugins.md). Plain C, usable from C and C++.
 *
 * A plug-in defines one exported function, fp8check_plugin_entry(), returning a
 * description of itself (static storage): its name, whether it is deterministic, and per
 * op (GEMM, attention, quantize) a can_implement function and a run function. fp8check
 * passes plain-C mirrors of its backend-neutral arguments (harness/backend/: operands as
 * codes + scales in their declared layouts, the problem, the config) and output buffers it
 * owns. Nothing crosses the boundary but these structs, return codes and a message buffer:
 * a C++ plug-in must catch its exceptions.
 *
 * Versioning: `abi_version` is the first member of fp8check_plugin and stays there in
 * every version; the loader reads it before anything else and refuses a plug-in built for
 * another version. Any change to a struct below increments FP8CHECK_PLUGIN_ABI_VERSION.
 *
 * Every pointer in the arguments is valid only during the call. Strings are
 * NUL-terminated names as fp8check spells them (docs/formats.md, docs/recipes.md). */
#ifndef FP8CHECK_PLUGIN_H
#define FP8CHECK_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define FP8CHECK_PLUGIN_ABI_VERSION 1u
#define FP8CHECK_PLUGIN_ENTRY_SYMBOL "fp8check_plugin_entry"

#ifdef __cplusplus
#define FP8CHECK_PLUGIN_EXTERN_C extern "C"
#else
#define FP8CHECK_PLUGIN_EXTERN_C
#endif
/* Marks the entry function exported, also under -fvisibility=hidden. */
#define FP8CHECK_PLUGIN_EXPORT FP8CHECK_PLUGIN_EXTERN_C __attribute__((visibility("default")))

#ifdef __cplusplus
extern "C" {
#endif

/* What every plug-in function returns. */
enum fp8check_plugin_status {
  FP8CHECK_PLUGIN_OK = 0,       /* done; can_implement: these arguments can run */
  FP8CHECK_PLUGIN_DECLINED = 1, /* can_implement / why_unavailable: no, and the message says why */
  FP8CHECK_PLUGIN_ERROR = 2     /* failed; the message says why (the case's verdict becomes error) */
};

/* ---- GEMM: D = alpha * sum_k A[m,k] B[k,n] (scaled) + beta * C + bias[n] (docs/accumulation.md) ---- */

/* Block scales of one operand. The scale of block (i, j) of matrix `batch` (i along M for
 * A or N for B, j along K) is data[batch * batch_stride + i * stride_mn + j * stride_k];
 * element (mn, k) is in block (mn / block_mn, k / block_k), a block size 0 meaning the
 * whole extent (per-tensor: {0, 0}; per-row: {1, 0}; DeepSeek-V3: A {1, 128}, B {128, 128};
 * MX: {1, 32}). data == NULL: no block scales (every scale is 1). */
typedef struct fp8check_block_scales {
  const float* data;
  int64_t block_mn, block_k;
  int64_t stride_mn, stride_k, batch_stride;
} fp8check_block_scales;

/* One operand, indexed by (mn, k): A is M x K, B is N x K (B[k, n] at (n, k)). Exactly one
 * of codes / integers / values is set. Element (mn, k) of matrix `batch` is at
 * batch * batch_stride + (k_major ? mn * ld + k : k * ld + mn). Its value is
 * decode(format, code) * block scale * tensor_scale. */
typedef struct fp8check_gemm_operand {
  const char* format;       /* "e4m3fn", "e5m2", "e2m1fn", ..., "int8", "int4" */
  const uint8_t* codes;     /* float formats: one code per byte (4/6-bit codes in the low bits) */
  const int8_t* integers;   /* "int8", "int4": the integers themselves */
  const float* values;      /* already decoded values (float), when the caller has no codes */
  int64_t mn, k;            /* extents: rows of A (all stored rows when grouped) or N; K */
  int64_t batches;          /* matrices: the batch (batched A), the groups (B of a batched or grouped GEMM), else 1 */
  int32_t k_major;          /* 1: K contiguous ("T" for A, "N" for B); 0: MN contiguous */
  int64_t ld, batch_stride; /* elements between lines, between matrices */
  fp8check_block_scales scales;
  float tensor_scale;       /* second-level per-tensor scale (NVFP4), 1 otherwise */
} fp8check_gemm_operand;

/* Rows by kind (A's and D's rows are "stored rows"):
 *   "dense"              m rows.
 *   "batched"            `groups` problems; A, C, D step by their batch strides, B by its.
 *   "grouped_contiguous" group g owns stored rows [group_row_offsets[g], group_row_offsets[g+1])
 *                        of A, C and D and multiplies B's matrix g.
 *   "grouped_masked"     A, C, D hold groups x m stored rows; group g's rows are
 *                        g * m + [0, masked_m[g]). Padded rows must be neither read nor written. */
typedef struct fp8check_gemm_problem {
  const char* kind;
  int64_t m, n, k, groups;
  const int64_t* group_row_offsets; /* grouped_contiguous: groups + 1 offsets; else NULL */
  const int64_t* masked_m;          /* grouped_masked: valid rows per group; else NULL */
  float alpha, beta;
  const float* c;                   /* read only when beta != 0: (batch, row, n) at batch * c_batch_stride + row * ldc + n */
  int64_t ldc, c_batch_stride;
  const float* bias;                /* NULL or n values */
  const char* output_type;          /* "fp32", "bf16", "fp16", "e4m3fn" */
  float d_scale;                    /* e4m3fn output: D = encode(t * d_scale); amax is taken before it */
} fp8check_gemm_problem;

/* The config the selector chose (docs/configs.md): block_k and split-K fix the order of
 * the FP32 accumulation. A kernel may run its own; the harness judges the output only. */
typedef struct fp8check_gemm_config {
  const char* id;                   /* "bm128.bn128.bk128.s4" */
  int32_t block_m, block_n, block_k, stages, split_k;
  const char* reduction;            /* "sequential", "tree" */
  int32_t cluster_m, cluster_n;
} fp8check_gemm_config;

typedef struct fp8check_gemm_args {
  fp8check_gemm_problem problem;
  fp8check_gemm_operand a, b;
  fp8check_gemm_config config;
  const char* layout;               /* "TN", "NN", "NT", "TT" (the same as a.k_major, b.k_major) */
  const char* kernel_model;         /* the arithmetic the case asks for: "fp32", "exact", "tc14t.p128" ... */
  int32_t threads;                  /* CPU threads the kernel may use */
} fp8check_gemm_args;

/* The output, owned by fp8check: batches x rows x cols codes, row-major, of the output
 * type (fp32 as its bit pattern, bf16/fp16 16-bit codes, e4m3fn 8-bit codes), pre-filled
 * with a NaN sentinel. Write every element of every row the problem owns, no other row. */
typedef struct fp8check_gemm_output {
  uint32_t* bits;
  int64_t batches, rows, cols;
  double amax;                      /* max |t| over the written elements before d_scale; NaN if any t is NaN */
} fp8check_gemm_output;

/* ---- Attention: O = softmax(s * Q K^T + mask) V per batch and query head (docs/attention.md) ---- */

/* Q, K or V: [batch][heads][seq][dim] row-major; one descale per (batch, head) at
 * b * heads + h (the same value repeated under per-tensor scaling). */
typedef struct fp8check_attention_operand {
  const char* format;               /* "e4m3fn", "e5m2"; Q also "bf16" */
  const uint8_t* codes;             /* FP8 formats */
  const uint16_t* wide_codes;       /* bf16 Q */
  const float* descales;
  int64_t descale_count;
} fp8check_attention_operand;

typedef struct fp8check_attention_args {
  int64_t batch, q_heads, kv_heads; /* kv head of query head h: h / (q_heads / kv_heads) */
  int64_t seq_q, seq_kv, head_dim_qk, head_dim_v;
  int32_t causal;                   /* bottom-right aligned: query i sees keys j <= i + seq_kv - seq_q */
  double softmax_scale;             /* a float value */
  const char* p_format;             /* what P = exp(S - max) becomes before P.V: "e4m3fn", "e5m2", "bf16" */
  double p_scale;                   /* P is multiplied by it before the conversion (a power of two) */
  const char* output_type;          /* "bf16", "fp16", "fp32" */
  fp8check_attention_operand q, k, v;
  const char* config_id;            /* "bq128.bkv128.s2" */
  int32_t block_q, block_kv, stages, splits;
  const char* combine;              /* how splits combine: "sequential", "tree" */
  int32_t threads;
} fp8check_attention_args;

/* Owned by fp8check. bits: [batch][q_heads][seq_q][head_dim_v] codes of the output type;
 * lse: [batch][q_heads][seq_q] natural-log sum of exp of the scaled scores (-inf for a row
 * that sees no key). */
typedef struct fp8check_attention_output {
  uint32_t* bits;
  float* lse;
  float p_max;                      /* max of P * p_scale before rounding (NaN ignored) */
  int64_t p_saturated;              /* P * p_scale values above the P format's largest finite value */
} fp8check_attention_output;

/* ---- Quantize: codes and scales of x by a recipe (docs/recipes.md), default scale policy ---- */

typedef struct fp8check_quantize_args {
  const double* x;                  /* rows x cols, row-major */
  int64_t rows, cols;
  const char* recipe;               /* short name: "tensor", "row", "vec128", "blk128x128", "mxfp8", "nvfp4", "int4_g32" ... */
  const char* element;              /* the element type: "e4m3fn", "e5m2", "e2m1fn", "int8" ... */
  int64_t block_rows, block_cols;   /* elements one scale covers (>= 1; edge blocks may be partial) */
  const char* scale_type;           /* "fp32", "fp16", "e8m0", "e4m3" */
  const char* scale_meaning;        /* "dequant": x ~ decode(code) * s; "quant": code = encode(x * q) */
  const char* scale_order;          /* "row-major": scale (gi, gj) at gi * scale_ld + gj; "col-major", "col-major-tma": at gj * scale_ld + gi */
  int64_t scale_grid_rows, scale_grid_cols, scale_ld, scale_slots;
  int32_t threads;
} fp8check_quantize_args;

/* Owned by fp8check. fp32/fp16 scales go to `scales` (fp16 values as floats); e8m0/e4m3
 * scales as their raw codes to `scale_codes` (NULL for the others), which fp8check decodes.
 * Padding slots are never read. NVFP4 also writes its fp32 tensor scale. */
typedef struct fp8check_quantize_output {
  uint8_t* codes;                   /* rows x cols, row-major */
  float* scales;                    /* scale_slots */
  uint8_t* scale_codes;             /* scale_slots, or NULL */
  float tensor_scale;
} fp8check_quantize_output;

/* ---- The plug-in ---- */

/* Every function gets a message buffer of `message_size` bytes (at least 256) for the
 * reason (DECLINED) or the failure (ERROR): one line, NUL-terminated. */
typedef struct fp8check_plugin {
  uint32_t abi_version;             /* FIRST, always: FP8CHECK_PLUGIN_ABI_VERSION as the plug-in was built */
  const char* name;                 /* the backend name: letters, digits and . _ - (not a built-in backend's) */
  int32_t deterministic;            /* 1: the same arguments give the same bits (goldens compare bits) */
  int32_t thread_safe;              /* 1: may be called from several threads at once; 0: fp8check serialises calls */
  /* NULL or OK: available on this machine. DECLINED: every case is skipped with the message. */
  int (*why_unavailable)(char* message, size_t message_size);
  /* Per op: both NULL when the plug-in has no kernel for it (its cases are skipped).
   * can_implement: OK, or DECLINED with the reason (the case is skipped with it). run:
   * called only after can_implement said OK; OK or ERROR. */
  int (*can_implement_gemm)(const fp8check_gemm_args* args, char* message, size_t message_size);
  int (*run_gemm)(const fp8check_gemm_args* args, fp8check_gemm_output* out, char* message, size_t message_size);
  int (*can_implement_attention)(const fp8check_attention_args* args, char* message, size_t message_size);
  int (*run_attention)(const fp8check_attention_args* args, fp8check_attention_output* out, char* message,
                       size_t message_size);
  int (*can_implement_quantize)(const fp8check_quantize_args* args, char* message, size_t message_size);
  int (*run_quantize)(const fp8check_quantize_args* args, fp8check_quantize_output* out, char* message,
                      size_t message_size);
} fp8check_plugin;

/* The one symbol fp8check looks up: the plug-in's description, in static storage. */
typedef const fp8check_plugin* (*fp8check_plugin_entry_fn)(void);
FP8CHECK_PLUGIN_EXPORT const fp8check_plugin* fp8check_plugin_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* FP8CHECK_PLUGIN_H */
