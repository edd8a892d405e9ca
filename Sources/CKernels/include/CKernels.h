// SentimentKit's own GEMM kernels, chosen at run time (issue 13).
//
// Every SIMD function carries its instruction set in __attribute__((target(...))), so the package builds with no
// compiler flags, the binary runs on any x86-64 (and arm64, where only the generic path exists), and the best path
// the CPU has is picked when the process starts (sk_default_path). SENTIMENTKIT_KERNELS=generic|avx2|avx512 forces a
// path (a path the CPU lacks falls back to the best one it has; sk_forced_path_name says what was asked).
//
// All GEMMs compute out[m, n] = epilogue(x[m, k] · W[n, k]ᵀ + bias[n]) (torch.nn.Linear) on a weight packed once by
// the same path, over a range of column panels, so callers split panels over threads and results do not depend on
// the thread count. Each output is one sequential sum over k.
//
//   fp32: W packed as panels of sk_f32_panel_width(path) output columns, k-major.
//   bf16: W and x rounded to bfloat16 (round to nearest even), products summed in fp32 (AVX512_BF16 vdpbf16ps).
//   int8: W symmetric per output channel (scale = max|w| / 127), x symmetric per row (scale = max|x| / 127), both
//         rounded to nearest even, products summed exactly in int32 (AVX512_VNNI vpdpbusd; AVX2 vpmaddubsw on |x|
//         with x's sign moved onto w), then out = float(sum) · (scale_x · scale_w) + bias. Every int8 path gives
//         bit-identical results, and a row's result never depends on the other rows.
#ifndef SENTIMENTKIT_CKERNELS_H
#define SENTIMENTKIT_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SK_PATH_GENERIC = 0,  // portable C
    SK_PATH_AVX2 = 1,     // AVX2 + FMA (x86-64-v3)
    SK_PATH_AVX512 = 2,   // AVX-512F/BW/VL (+ AVX512_BF16 for bf16, AVX512_VNNI for int8)
} sk_path;

typedef enum {
    SK_FP32 = 0,
    SK_BF16 = 1,
    SK_INT8 = 2,
} sk_precision;

typedef enum {
    SK_EPILOGUE_NONE = 0,
    SK_EPILOGUE_GELU = 1,  // exact-erf GELU (HF "gelu") after the bias
    SK_EPILOGUE_ACCUMULATE = 2,  // out += x·Wᵀ + bias (fp32 and bf16; BLAS's beta = 1, for training's gradients)
} sk_epilogue;

// CPU features, as a bit set of (1 << feature) for the features below.
enum {
    SK_CPU_AVX2_FMA = 0,
    SK_CPU_AVX512F = 1,      // with BW and VL
    SK_CPU_AVX512_BF16 = 2,
    SK_CPU_AVX512_VNNI = 3,
};
unsigned sk_cpu_features(void);

// Whether `path` can run `precision` on this CPU. The generic path always can.
int sk_path_available(sk_precision precision, sk_path path);
// The best available path for `precision`, or the one SENTIMENTKIT_KERNELS forces when it is available.
sk_path sk_default_path(sk_precision precision);
// The value of SENTIMENTKIT_KERNELS ("" when unset), and whether it was understood.
const char *sk_forced_path_name(void);
int sk_forced_path_valid(void);
// Forces `path` for the whole process (every thread), over SENTIMENTKIT_KERNELS; -1 lifts it (tests run every
// parity check on every path this way: setenv is not safe while other threads read the environment).
void sk_force_path(int path);
// The path sk_force_path set, or -1.
int sk_process_forced_path(void);
// `path` if this CPU has it for `precision`, else the best path below it (what every function below runs).
sk_path sk_effective_path(sk_precision precision, sk_path path);

// ---- activations: row tiles ----
// The kernels read x in tiles of sk_row_tile(precision, path) rows, interleaved so that one register tile's
// broadcasts come from one pointer: tile t, input kk, row r at [t][kk][r] (fp32), with inputs grouped in pairs
// (bf16) or quads (int8) as the weights are. Rows past m are zero. `*_rows` functions fill tiles
// [row_begin / tile, ceil(row_end / tile)) (row_begin a multiple of the tile; a call per thread is fine).
int sk_row_tile(sk_precision precision, sk_path path);
// Elements (floats, uint16 or bytes) of a row-tile buffer for m rows of k inputs.
size_t sk_packed_rows_count(sk_precision precision, sk_path path, int m, int k);

// ---- fp32 ----
int sk_f32_panel_width(sk_path path);
// Floats needed to pack an [n, k] weight for `path`.
size_t sk_f32_packed_count(sk_path path, int n, int k);
void sk_f32_pack(sk_path path, const float *w, int n, int k, float *packed);
void sk_f32_pack_rows(sk_path path, const float *x, int m, int k, int row_begin, int row_end, float *out);
// The same two packings for operands given by strides, so a transposed matrix packs without a copy (training's GEMMs,
// packed on every call): W element (j, kk) at w[j·ldn + kk·ldk], panels [panel_begin, panel_end) only; x element
// (r, kk) at x[r·ldm + kk·ldk]. sk_f32_pack is ldn = k, ldk = 1 over all panels; sk_f32_pack_rows is ldm = k, ldk = 1.
void sk_f32_pack_strided(sk_path path, const float *w, int n, int k, size_t ldn, size_t ldk, int panel_begin,
                         int panel_end, float *packed);
void sk_f32_pack_rows_strided(sk_path path, const float *x, int m, int k, size_t ldm, size_t ldk, int row_begin,
                              int row_end, float *out);
// Panels [panel_begin, panel_end) of out[m, ldo] (columns panel·width ..< min(n, (panel+1)·width)), x as row tiles.
void sk_f32_gemm(sk_path path, const float *x_tiles, int m, int k, const float *packed, int n,
                 int panel_begin, int panel_end, const float *bias, sk_epilogue epilogue, float *out, int ldo);

// ---- bf16 ----
int sk_bf16_panel_width(sk_path path);
// k rounded up to an even count.
int sk_bf16_padded_k(int k);
// uint16 elements needed to pack an [n, k] weight.
size_t sk_bf16_packed_count(sk_path path, int n, int k);
void sk_bf16_pack(sk_path path, const float *w, int n, int k, uint16_t *packed);
// Rows of x[m, k] to bf16 row tiles (round to nearest even).
void sk_bf16_convert_rows(sk_path path, const float *x, int m, int k, int row_begin, int row_end, uint16_t *out);
// Strided forms of the two, as for fp32 (sk_f32_pack_strided): W element (j, kk) at w[j·ldn + kk·ldk], panels
// [panel_begin, panel_end); x element (r, kk) at x[r·ldm + kk·ldk].
void sk_bf16_pack_strided(sk_path path, const float *w, int n, int k, size_t ldn, size_t ldk, int panel_begin,
                          int panel_end, uint16_t *packed);
void sk_bf16_convert_rows_strided(sk_path path, const float *x, int m, int k, size_t ldm, size_t ldk, int row_begin,
                                  int row_end, uint16_t *out);
void sk_bf16_gemm(sk_path path, const uint16_t *x_tiles, int m, int k, const uint16_t *packed, int n,
                  int panel_begin, int panel_end, const float *bias, sk_epilogue epilogue, float *out, int ldo);

// ---- int8 ----
int sk_i8_panel_width(void);
// k rounded up to a multiple of 4.
int sk_i8_padded_k(int k);
// Bytes needed to pack an [n, k] weight.
size_t sk_i8_packed_bytes(int n, int k);
// Quantizes W per output channel into `packed` (bytes), `scales[n]` and `column_sums[n]` (Σ_k q, for VNNI's
// unsigned activations). The packed layout is the same for every int8 path.
void sk_i8_pack(const float *w, int n, int k, int8_t *packed, float *scales, int32_t *column_sums);
// Quantizes rows of x[m, k] per row into row tiles and scales[m]. `path` decides the tile and the byte encoding
// its kernel reads (VNNI: q + 128 as unsigned), not the values.
void sk_i8_quantize_rows(sk_path path, const float *x, int m, int k, int row_begin, int row_end, uint8_t *out,
                         float *scales);
void sk_i8_gemm(sk_path path, const uint8_t *x_tiles, const float *x_scales, int m, int k,
                const int8_t *packed, const float *w_scales, const int32_t *column_sums, int n,
                int panel_begin, int panel_end, const float *bias, sk_epilogue epilogue, float *out, int ldo);

// ---- elementwise ----
// out[i] = GELU(x[i]) (exact erf form, same polynomial as the GEMM epilogue). `out` may alias `x`.
void sk_gelu(sk_path path, const float *x, size_t count, float *out);
// The AVX-512 row-wise kernels (elementwise.c); each returns 0 and does nothing when this CPU lacks AVX-512F (the
// caller then runs its portable code). out[i] = e^x[i]; `out` may alias `x`.
int sk_exp_avx512_run(const float *x, size_t count, float *out);
// In place, per row of x[rows, cols]: softmax(row + mask) (mask[cols] added to every row; may be NULL).
int sk_softmax_rows_avx512(float *x, int rows, int cols, const float *mask);
// out = layer norm of each row (biased variance, eps inside the square root); mean[rows], inv_std[rows] receive
// each row's statistics when not NULL. `out` may alias `x`.
int sk_layer_norm_rows_avx512(const float *x, int rows, int cols, const float *gamma, const float *beta, float eps,
                              float *out, float *mean, float *inv_std);

// ---- attention (attention.c), AVX-512 only, 0 without it ----
// Floats of scratch the scores kernel needs for T keys of width D.
size_t sk_attention_scratch_count(int t, int d);
// out[i·t + j] = scale·q_i·k_j for tq query rows (stride q_stride) and t key rows (stride k_stride) of width d.
int sk_attention_scores_avx512(const float *q, int q_stride, const float *k, int k_stride, int tq, int t, int d,
                               float scale, float *scratch, float *out);
// ctx_i (+)= Σ_j p[i·t + j]·v_j for tq rows of ctx (stride ctx_stride); accumulate = 0 overwrites ctx.
int sk_attention_context_avx512(const float *p, int tq, int t, const float *v, int v_stride, int d, float *ctx,
                                int ctx_stride, int accumulate);

// ---- threads ----
typedef void (*sk_task_fn)(void *context, int part);
// Runs fn(context, part) for part in [0, parts): part 0 on the calling thread, the others on the pool's spinning
// workers (created on first use), and returns when all are done: 1. Returns 0 without running anything when the
// pool is in use (another thread's loop, or a call from inside a part): the caller then runs its loop another way.
int sk_pool_run(int parts, sk_task_fn fn, void *context);

#ifdef __cplusplus
}
#endif

#endif
