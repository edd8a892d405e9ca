// fp32 GEMM on pre-packed weights: out = epilogue(x · Wᵀ + bias), per path (see CKernels.h).
//
// Packing: panel p holds, for kk = 0..<k, W[width·p ..< width·p + width, kk] contiguously (zeros past n).
// A register tile of R rows (one row tile of x) × one panel walks the panel once: per kk, width/lanes vector loads
// of W, R broadcasts of x from one pointer, R·width/lanes FMAs; accumulators start at the bias. Rows past m are not
// computed; a partial last panel (and every tile, with SK_EPILOGUE_ACCUMULATE) is computed into a scratch tile and its
// valid columns copied (added).
//   generic: width 16, row tiles of 4 (plain C, the compiler's vectorizer)
//   avx2:    width 16, row tiles of 6 (12 ymm accumulators)
//   avx512:  width 32, row tiles of 12 (24 zmm accumulators)
#include "kernel_common.h"

int sk_f32_panel_width(sk_path path) { return sk_effective_path(SK_FP32, path) == SK_PATH_AVX512 ? 32 : 16; }

size_t sk_f32_packed_count(sk_path path, int n, int k) {
    const size_t width = (size_t)sk_f32_panel_width(path);
    return ((size_t)n + width - 1) / width * width * (size_t)k;
}

void sk_f32_pack_strided(sk_path path, const float *w, int n, int k, size_t ldn, size_t ldk, int panel_begin,
                         int panel_end, float *packed) {
    const int width = sk_f32_panel_width(path);
    for (int p = panel_begin; p < panel_end; p++) {
        float *panel = packed + (size_t)p * k * width;
        const int cols = n - p * width < width ? n - p * width : width;
        const float *first = w + (size_t)p * width * ldn;
        if (ldk == 1) {  // W's rows contiguous: one read stream per output column
            for (int j = 0; j < cols; j++)
                for (int kk = 0; kk < k; kk++) panel[(size_t)kk * width + j] = first[j * ldn + kk];
            for (int kk = 0; kk < k; kk++)
                for (int j = cols; j < width; j++) panel[(size_t)kk * width + j] = 0;
        } else {  // a transposed operand: each kk's columns are one contiguous run when ldn == 1
            for (int kk = 0; kk < k; kk++) {
                for (int j = 0; j < cols; j++) panel[(size_t)kk * width + j] = first[j * ldn + kk * ldk];
                for (int j = cols; j < width; j++) panel[(size_t)kk * width + j] = 0;
            }
        }
    }
}

void sk_f32_pack(sk_path path, const float *w, int n, int k, float *packed) {
    const int width = sk_f32_panel_width(path);
    sk_f32_pack_strided(path, w, n, k, (size_t)k, 1, 0, (n + width - 1) / width, packed);
}

// ---- generic ----
static void panels_generic(const float *xt, int m, int k, const float *packed, int n, int p0, int p1,
                           const float *bias, sk_epilogue epilogue, float *out, int ldo) {
    enum { W = 16, R = 4 };
    for (int p = p0; p < p1; p++) {
        const int column = p * W, cols = n - column < W ? n - column : W;
        const float *panel = packed + (size_t)p * k * W;
        for (int row = 0; row < m; row += R) {
            const int rows = m - row < R ? m - row : R;
            const float *a = xt + (size_t)row * k;
            float acc[R][W];
            for (int r = 0; r < R; r++) for (int j = 0; j < W; j++) acc[r][j] = bias && j < cols ? bias[column + j] : 0.0f;
            for (int kk = 0; kk < k; kk++)
                for (int r = 0; r < R; r++)
                    for (int j = 0; j < W; j++) acc[r][j] = acc[r][j] + a[kk * R + r] * panel[(size_t)kk * W + j];
            sk_finish_tile(SK_PATH_GENERIC, &acc[0][0], W, rows, cols, 0, epilogue, out + (size_t)row * ldo + column, ldo);
        }
    }
}

#if SK_X86
// ---- avx2 ----
SK_INLINE SK_AVX2 void tile_avx2(const int rows, const float *a, int k, const float *panel, __m256 bias0, __m256 bias1,
                                 float *out, int ldo) {
    enum { R = 6 };
    __m256 c0[R], c1[R];
    SK_UNROLL
    for (int r = 0; r < rows; r++) { c0[r] = bias0; c1[r] = bias1; }
    for (int kk = 0; kk < k; kk++) {
        const __m256 b0 = _mm256_loadu_ps(panel + (size_t)kk * 16), b1 = _mm256_loadu_ps(panel + (size_t)kk * 16 + 8);
        sk_prefetch_ahead(panel + (size_t)kk * 16, 64);
        SK_UNROLL
        for (int r = 0; r < rows; r++) {
            const __m256 x = _mm256_broadcast_ss(a + (size_t)kk * R + r);
            c0[r] = _mm256_fmadd_ps(x, b0, c0[r]);
            c1[r] = _mm256_fmadd_ps(x, b1, c1[r]);
        }
    }
    SK_UNROLL
    for (int r = 0; r < rows; r++) {
        _mm256_storeu_ps(out + (size_t)r * ldo, c0[r]);
        _mm256_storeu_ps(out + (size_t)r * ldo + 8, c1[r]);
    }
}

static SK_AVX2 void panels_avx2(const float *xt, int m, int k, const float *packed, int n, int p0, int p1,
                                const float *bias, sk_epilogue epilogue, float *out, int ldo) {
    enum { W = 16, R = 6 };
    for (int p = p0; p < p1; p++) {
        const int column = p * W, cols = n - column < W ? n - column : W;
        const int direct = cols == W && epilogue != SK_EPILOGUE_ACCUMULATE;
        float bias16[W] = {0};
        if (bias) memcpy(bias16, bias + column, (size_t)cols * sizeof(float));
        const __m256 bias0 = _mm256_loadu_ps(bias16), bias1 = _mm256_loadu_ps(bias16 + 8);
        const float *panel = packed + (size_t)p * k * W;
        for (int row = 0; row < m; row += R) {
            const int rows = m - row < R ? m - row : R;
            float scratch[R * W];
            float *target = direct ? out + (size_t)row * ldo + column : scratch;
            const int ld = direct ? ldo : W;
            const float *a = xt + (size_t)row * k;
            #define TILE(R) tile_avx2(R, a, k, panel, bias0, bias1, target, ld)
            SK_ROWS_6(rows, TILE);
            #undef TILE
            sk_finish_tile(SK_PATH_AVX2, scratch, W, rows, cols, direct, epilogue, out + (size_t)row * ldo + column, ldo);
        }
    }
}

// ---- avx512 ----
SK_INLINE SK_AVX512 void tile_avx512(const int rows, const float *a, int k, const float *panel, __m512 bias0,
                                     __m512 bias1, float *out, int ldo) {
    enum { R = 12 };
    __m512 c0[R], c1[R];
    SK_UNROLL
    for (int r = 0; r < rows; r++) { c0[r] = bias0; c1[r] = bias1; }
    for (int kk = 0; kk < k; kk++) {
        const __m512 b0 = _mm512_loadu_ps(panel + (size_t)kk * 32), b1 = _mm512_loadu_ps(panel + (size_t)kk * 32 + 16);
        sk_prefetch_ahead(panel + (size_t)kk * 32, 128);
        SK_UNROLL
        for (int r = 0; r < rows; r++) {
            const __m512 x = _mm512_set1_ps(a[(size_t)kk * R + r]);
            c0[r] = _mm512_fmadd_ps(x, b0, c0[r]);
            c1[r] = _mm512_fmadd_ps(x, b1, c1[r]);
        }
    }
    SK_UNROLL
    for (int r = 0; r < rows; r++) {
        _mm512_storeu_ps(out + (size_t)r * ldo, c0[r]);
        _mm512_storeu_ps(out + (size_t)r * ldo + 16, c1[r]);
    }
}

static SK_AVX512 void panels_avx512(const float *xt, int m, int k, const float *packed, int n, int p0, int p1,
                                    const float *bias, sk_epilogue epilogue, float *out, int ldo) {
    enum { W = 32, R = 12 };
    for (int p = p0; p < p1; p++) {
        const int column = p * W, cols = n - column < W ? n - column : W;
        const int direct = cols == W && epilogue != SK_EPILOGUE_ACCUMULATE;
        float bias32[W] = {0};
        if (bias) memcpy(bias32, bias + column, (size_t)cols * sizeof(float));
        const __m512 bias0 = _mm512_loadu_ps(bias32), bias1 = _mm512_loadu_ps(bias32 + 16);
        const float *panel = packed + (size_t)p * k * W;
        for (int row = 0; row < m; row += R) {
            const int rows = m - row < R ? m - row : R;
            float scratch[R * W];
            float *target = direct ? out + (size_t)row * ldo + column : scratch;
            const int ld = direct ? ldo : W;
            const float *a = xt + (size_t)row * k;
            #define TILE(R) tile_avx512(R, a, k, panel, bias0, bias1, target, ld)
            SK_ROWS_12(rows, TILE);
            #undef TILE
            sk_finish_tile(SK_PATH_AVX512, scratch, W, rows, cols, direct, epilogue, out + (size_t)row * ldo + column, ldo);
        }
    }
}
#endif

void sk_f32_gemm(sk_path path, const float *x_tiles, int m, int k, const float *packed, int n,
                 int panel_begin, int panel_end, const float *bias, sk_epilogue epilogue, float *out, int ldo) {
    if (m <= 0 || panel_begin >= panel_end) return;
    switch (sk_effective_path(SK_FP32, path)) {
#if SK_X86
    case SK_PATH_AVX512: panels_avx512(x_tiles, m, k, packed, n, panel_begin, panel_end, bias, epilogue, out, ldo); return;
    case SK_PATH_AVX2: panels_avx2(x_tiles, m, k, packed, n, panel_begin, panel_end, bias, epilogue, out, ldo); return;
#endif
    default: panels_generic(x_tiles, m, k, packed, n, panel_begin, panel_end, bias, epilogue, out, ldo); return;
    }
}
