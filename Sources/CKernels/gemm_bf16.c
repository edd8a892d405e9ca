// bf16 GEMM: W and x rounded to bfloat16, products summed in fp32 (see CKernels.h).
//
// Packing (every path): panels of 32 output columns; panel p holds, for each pair of inputs kp = 0..<k/2,
// (W[j, 2kp], W[j, 2kp+1]) for the 32 columns j: 128 bytes per pair, one pair per 32-bit lane, as vdpbf16ps reads
// it. x rows are converted once per call (sk_bf16_convert_rows) to pairs as well; an odd k is padded with a zero.
//   generic: the same arithmetic in C (acc += x₁·w₁; acc += x₀·w₀, products exact in fp32), 4-row tiles
//   avx512:  AVX512_BF16, row tiles of 12 × 32 columns (24 zmm accumulators), one broadcast pair per row
#include "kernel_common.h"

#define BF16_WIDTH 32

static inline uint32_t float_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float bits_float(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

// Round to nearest even (NaN stays a quiet NaN), as vcvtneps2bf16 and torch's float → bfloat16.
static inline uint16_t to_bf16(float f) {
    const uint32_t u = float_bits(f);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((u >> 16) | 0x40);
    return (uint16_t)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}
static inline float from_bf16(uint16_t h) { return bits_float((uint32_t)h << 16); }

int sk_bf16_panel_width(sk_path path) { (void)path; return BF16_WIDTH; }
int sk_bf16_padded_k(int k) { return (k + 1) & ~1; }

size_t sk_bf16_packed_count(sk_path path, int n, int k) {
    (void)path;
    return ((size_t)n + BF16_WIDTH - 1) / BF16_WIDTH * BF16_WIDTH * (size_t)sk_bf16_padded_k(k);
}

static inline uint32_t bf16_pair(float lo, float hi) { return (uint32_t)to_bf16(lo) | (uint32_t)to_bf16(hi) << 16; }

#if SK_X86
// The packers' AVX-512 path (training packs both operands on every call, inference converts x on every call): the
// same rounding as to_bf16 in integer lanes (bit-identical, denormals and NaN included, unlike vcvtneps2bf16's DAZ).
// Chosen when the CPU has AVX-512F, whatever the bf16 path: every path reads the same layout.
SK_INLINE SK_AVX512 __m512i bf16_bits_avx512(__m512 x) {
    const __m512i u = _mm512_castps_si512(x), high = _mm512_srli_epi32(u, 16);
    const __m512i bias = _mm512_add_epi32(_mm512_and_si512(high, _mm512_set1_epi32(1)), _mm512_set1_epi32(0x7FFF));
    const __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(u, bias), 16);
    const __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, _mm512_set1_epi32(0x7FFFFFFF)),
                                                  _mm512_set1_epi32(0x7F800000));
    return _mm512_mask_blend_epi32(nan, rounded, _mm512_or_si512(high, _mm512_set1_epi32(0x40)));
}

// dst[i] = (bf16(lo[i]), bf16(hi[i])) for i < loaded (hi NULL: zeros), zeros for loaded ≤ i < stored (both ≤ 16).
SK_INLINE SK_AVX512 void pair_runs_avx512(const float *lo, const float *hi, int loaded, int stored, uint32_t *dst) {
    const __mmask16 in = (__mmask16)((1u << loaded) - 1), out = (__mmask16)((1u << stored) - 1);
    const __m512i a = bf16_bits_avx512(_mm512_maskz_loadu_ps(in, lo));
    const __m512i b = hi ? bf16_bits_avx512(_mm512_maskz_loadu_ps(in, hi)) : _mm512_setzero_si512();
    _mm512_mask_storeu_epi32(dst, out, _mm512_or_si512(_mm512_maskz_mov_epi32(in, a), _mm512_slli_epi32(b, 16)));
}

// One contiguous run x[0..<k] as pairs, pair q stored at dst[q·stride] (odd k: the last pair's high half is zero).
SK_INLINE SK_AVX512 void pairs_of_run_avx512(const float *x, int k, uint32_t *dst, size_t stride) {
    int kk = 0;
    for (; kk + 32 <= k; kk += 32) {
        uint32_t pairs[16];
        _mm256_storeu_si256((__m256i *)pairs, _mm512_cvtepi32_epi16(bf16_bits_avx512(_mm512_loadu_ps(x + kk))));
        _mm256_storeu_si256((__m256i *)(pairs + 8), _mm512_cvtepi32_epi16(bf16_bits_avx512(_mm512_loadu_ps(x + kk + 16))));
        for (int q = 0; q < 16; q++) dst[(size_t)(kk / 2 + q) * stride] = pairs[q];
    }
    for (; kk < k; kk += 2) dst[(size_t)(kk / 2) * stride] = bf16_pair(x[kk], kk + 1 < k ? x[kk + 1] : 0.0f);
}

static SK_AVX512 void pack_panels_avx512(const float *w, int n, int k, size_t ldn, size_t ldk, int p0, int p1,
                                         uint16_t *packed) {
    const int pairs = sk_bf16_padded_k(k) / 2;
    for (int p = p0; p < p1; p++) {
        uint32_t *panel = (uint32_t *)(packed + (size_t)p * pairs * BF16_WIDTH * 2);
        const int cols = n - p * BF16_WIDTH < BF16_WIDTH ? n - p * BF16_WIDTH : BF16_WIDTH;
        const float *first = w + (size_t)p * BF16_WIDTH * ldn;
        if (ldk == 1) {
            if (cols < BF16_WIDTH) memset(panel, 0, (size_t)pairs * BF16_WIDTH * sizeof(uint32_t));
            for (int j = 0; j < cols; j++) pairs_of_run_avx512(first + j * ldn, k, panel + j, BF16_WIDTH);
        } else {  // ldn == 1: each kk's 32 columns are contiguous
            for (int kk = 0; kk < k; kk += 2)
                for (int j0 = 0; j0 < BF16_WIDTH; j0 += 16) {
                    const int loaded = cols - j0 < 0 ? 0 : cols - j0 > 16 ? 16 : cols - j0;
                    const float *lo = first + kk * ldk + j0;
                    pair_runs_avx512(lo, kk + 1 < k ? lo + ldk : NULL, loaded, 16, panel + (size_t)(kk / 2) * BF16_WIDTH + j0);
                }
        }
    }
}

static SK_AVX512 void convert_rows_avx512(const float *x, int m, int k, size_t ldm, size_t ldk, int row_begin,
                                          int row_end, uint16_t *out) {
    enum { TILE = 12 };
    const int kp = sk_bf16_padded_k(k);
    for (int t = row_begin / TILE; t * TILE < row_end; t++) {
        uint32_t *dst = (uint32_t *)(out + (size_t)t * TILE * kp);
        const int rows = m - t * TILE < TILE ? m - t * TILE : TILE;
        const float *src = x + (size_t)t * TILE * ldm;
        if (ldk == 1) {
            for (int r = 0; r < rows; r++) pairs_of_run_avx512(src + r * ldm, k, dst + r, TILE);
            for (int r = rows; r < TILE; r++)
                for (int q = 0; q < kp / 2; q++) dst[(size_t)q * TILE + r] = 0;
        } else {  // ldm == 1: each kk's tile rows are contiguous
            for (int kk = 0; kk < k; kk += 2)
                pair_runs_avx512(src + kk * ldk, kk + 1 < k ? src + (kk + 1) * ldk : NULL, rows, TILE,
                                 dst + (size_t)(kk / 2) * TILE);
        }
    }
}
#endif

void sk_bf16_pack_strided(sk_path path, const float *w, int n, int k, size_t ldn, size_t ldk, int panel_begin,
                          int panel_end, uint16_t *packed) {
#if SK_X86
    if ((ldk == 1 || ldn == 1) && sk_effective_path(SK_FP32, path) == SK_PATH_AVX512) {
        pack_panels_avx512(w, n, k, ldn, ldk, panel_begin, panel_end, packed);
        return;
    }
#endif
    const int pairs = sk_bf16_padded_k(k) / 2;
    for (int p = panel_begin; p < panel_end; p++) {
        uint16_t *panel = packed + (size_t)p * pairs * BF16_WIDTH * 2;
        const int cols = n - p * BF16_WIDTH < BF16_WIDTH ? n - p * BF16_WIDTH : BF16_WIDTH;
        const float *first = w + (size_t)p * BF16_WIDTH * ldn;
        memset(panel, 0, (size_t)pairs * BF16_WIDTH * 2 * sizeof(uint16_t));
        if (ldk == 1) {  // W's rows contiguous: one read stream per output column
            for (int j = 0; j < cols; j++)
                for (int kk = 0; kk < k; kk++) panel[((size_t)(kk / 2) * BF16_WIDTH + j) * 2 + (kk & 1)] = to_bf16(first[j * ldn + kk]);
        } else {  // a transposed operand: each kk's columns are one contiguous run when ldn == 1
            for (int kk = 0; kk < k; kk++)
                for (int j = 0; j < cols; j++)
                    panel[((size_t)(kk / 2) * BF16_WIDTH + j) * 2 + (kk & 1)] = to_bf16(first[j * ldn + kk * ldk]);
        }
    }
}

void sk_bf16_pack(sk_path path, const float *w, int n, int k, uint16_t *packed) {
    sk_bf16_pack_strided(path, w, n, k, (size_t)k, 1, 0, (n + BF16_WIDTH - 1) / BF16_WIDTH, packed);
}

void sk_bf16_convert_rows_strided(sk_path path, const float *x, int m, int k, size_t ldm, size_t ldk, int row_begin,
                                  int row_end, uint16_t *out) {
    const int tile = sk_row_tile(SK_BF16, path), kp = sk_bf16_padded_k(k);
#if SK_X86
    if ((ldk == 1 || ldm == 1) && tile == 12 && sk_effective_path(SK_FP32, path) == SK_PATH_AVX512) {
        convert_rows_avx512(x, m, k, ldm, ldk, row_begin, row_end, out);
        return;
    }
#endif
    for (int t = row_begin / tile; t * tile < row_end; t++) {
        uint16_t *dst = out + (size_t)t * tile * kp;
        const int rows = m - t * tile < tile ? m - t * tile : tile;
        const float *src = x + (size_t)t * tile * ldm;
        // Sequential writes; `rows` read streams (ldk == 1), or one contiguous run per kk (ldm == 1).
        for (int kk = 0; kk < kp; kk++) {
            for (int r = 0; r < rows; r++)
                dst[((size_t)(kk / 2) * tile + r) * 2 + (kk & 1)] = kk < k ? to_bf16(src[r * ldm + kk * ldk]) : 0;
            for (int r = rows; r < tile; r++) dst[((size_t)(kk / 2) * tile + r) * 2 + (kk & 1)] = 0;
        }
    }
}

void sk_bf16_convert_rows(sk_path path, const float *x, int m, int k, int row_begin, int row_end, uint16_t *out) {
    sk_bf16_convert_rows_strided(path, x, m, k, (size_t)k, 1, row_begin, row_end, out);
}

// ---- generic ----
static void panels_generic(const uint16_t *x, int m, int k, const uint16_t *packed, int n, int p0, int p1,
                           const float *bias, sk_epilogue epilogue, float *out, int ldo) {
    const int kp = sk_bf16_padded_k(k), pairs = kp / 2;
    for (int p = p0; p < p1; p++) {
        const int column = p * BF16_WIDTH, cols = n - column < BF16_WIDTH ? n - column : BF16_WIDTH;
        const uint16_t *panel = packed + (size_t)p * pairs * BF16_WIDTH * 2;
        for (int row = 0; row < m; row += 4) {
            const int rows = m - row < 4 ? m - row : 4;
            float acc[4][BF16_WIDTH];
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < BF16_WIDTH; j++) acc[r][j] = bias && j < cols ? bias[column + j] : 0.0f;
            for (int q = 0; q < pairs; q++) {
                const uint16_t *b = panel + (size_t)q * BF16_WIDTH * 2;
                for (int r = 0; r < rows; r++) {
                    const uint16_t *a = x + (size_t)row * kp + ((size_t)q * 4 + r) * 2;
                    const float a0 = from_bf16(a[0]), a1 = from_bf16(a[1]);
                    for (int j = 0; j < BF16_WIDTH; j++) {
                        acc[r][j] = acc[r][j] + a1 * from_bf16(b[2 * j + 1]);
                        acc[r][j] = acc[r][j] + a0 * from_bf16(b[2 * j]);
                    }
                }
            }
            sk_finish_tile(SK_PATH_GENERIC, &acc[0][0], BF16_WIDTH, rows, cols, 0, epilogue, out + (size_t)row * ldo + column, ldo);
        }
    }
}

#if SK_X86
// ---- avx512 (AVX512_BF16) ----
SK_INLINE SK_AVX512_BF16 void tile_avx512(const int R, const uint16_t *x, int kp, const uint16_t *panel,
                                          __m512 bias0, __m512 bias1, float *out, int ldo) {
    __m512 c0[12], c1[12];
    SK_UNROLL
    for (int r = 0; r < R; r++) { c0[r] = bias0; c1[r] = bias1; }
    const int pairs = kp / 2;
    for (int q = 0; q < pairs; q++) {
        const __m512bh b0 = (__m512bh)_mm512_loadu_si512(panel + (size_t)q * 64);
        const __m512bh b1 = (__m512bh)_mm512_loadu_si512(panel + (size_t)q * 64 + 32);
        sk_prefetch_ahead(panel + (size_t)q * 64, 128);
        SK_UNROLL
        for (int r = 0; r < R; r++) {
            int32_t pair;
            memcpy(&pair, x + ((size_t)q * 12 + r) * 2, 4);
            const __m512bh a = (__m512bh)_mm512_set1_epi32(pair);
            c0[r] = _mm512_dpbf16_ps(c0[r], a, b0);
            c1[r] = _mm512_dpbf16_ps(c1[r], a, b1);
        }
    }
    SK_UNROLL
    for (int r = 0; r < R; r++) {
        _mm512_storeu_ps(out + (size_t)r * ldo, c0[r]);
        _mm512_storeu_ps(out + (size_t)r * ldo + 16, c1[r]);
    }
}

static SK_AVX512_BF16 void panels_avx512(const uint16_t *x, int m, int k, const uint16_t *packed, int n, int p0, int p1,
                                         const float *bias, sk_epilogue epilogue, float *out, int ldo) {
    const int kp = sk_bf16_padded_k(k), pairs = kp / 2;
    for (int p = p0; p < p1; p++) {
        const int column = p * BF16_WIDTH, cols = n - column < BF16_WIDTH ? n - column : BF16_WIDTH;
        const int direct = cols == BF16_WIDTH && epilogue != SK_EPILOGUE_ACCUMULATE;
        float bias32[BF16_WIDTH] = {0};
        if (bias) memcpy(bias32, bias + column, (size_t)cols * sizeof(float));
        const __m512 bias0 = _mm512_loadu_ps(bias32), bias1 = _mm512_loadu_ps(bias32 + 16);
        const uint16_t *panel = packed + (size_t)p * pairs * BF16_WIDTH * 2;
        for (int row = 0; row < m; row += 12) {
            const int rows = m - row < 12 ? m - row : 12;
            float scratch[12 * BF16_WIDTH];
            float *target = direct ? out + (size_t)row * ldo + column : scratch;
            const int ld = direct ? ldo : BF16_WIDTH;
            const uint16_t *xr = x + (size_t)row * kp;  // row tile row / 12
            #define TILE(R) tile_avx512(R, xr, kp, panel, bias0, bias1, target, ld)
            SK_ROWS_12(rows, TILE);
            #undef TILE
            sk_finish_tile(SK_PATH_AVX512, scratch, BF16_WIDTH, rows, cols, direct, epilogue, out + (size_t)row * ldo + column, ldo);
        }
    }
}
#endif

void sk_bf16_gemm(sk_path path, const uint16_t *x, int m, int k, const uint16_t *packed, int n,
                  int panel_begin, int panel_end, const float *bias, sk_epilogue epilogue, float *out, int ldo) {
    if (m <= 0 || panel_begin >= panel_end) return;
#if SK_X86
    if (sk_effective_path(SK_BF16, path) == SK_PATH_AVX512) {
        panels_avx512(x, m, k, packed, n, panel_begin, panel_end, bias, epilogue, out, ldo);
        return;
    }
#endif
    panels_generic(x, m, k, packed, n, panel_begin, panel_end, bias, epilogue, out, ldo);
}
