// int8 GEMM: W symmetric per output channel, x symmetric per row, exact int32 sums (see CKernels.h).
//
// Packing (every path): panels of 32 output columns; panel p holds, for each quad of inputs k4 = 0..<k/4, the
// bytes (W[j, 4k4 ..< 4k4+4]) of its 32 columns j: 128 bytes per quad, one quad per 32-bit lane (vpdpbusd's
// layout). k is padded to a multiple of 4 with zeros, in W and in the quantized rows.
//   generic: C, int32 sums of int8 · int8, 4-row tiles
//   avx2:    per quad and row, |x| (unsigned) times w carrying x's sign: vpmaddubsw (pairs; |x|, |w| ≤ 127 so the
//            int16 pair sums cannot saturate), vpmaddwd with ones (quads), vpaddd. Tiles of 2 rows × 32 columns.
//   avx512:  AVX512_VNNI vpdpbusd on x + 128 (unsigned) and w, minus 128·Σw per column (accumulators start
//            there). Tiles of 12 rows × 32 columns (24 zmm accumulators).
// Epilogue, the same operations in every path: out = float(sum) · (scale_x · scale_w) + bias [→ GELU].
#include "kernel_common.h"

#define I8_WIDTH 32

int sk_i8_panel_width(void) { return I8_WIDTH; }
int sk_i8_padded_k(int k) { return (k + 3) & ~3; }
size_t sk_i8_packed_bytes(int n, int k) {
    return ((size_t)n + I8_WIDTH - 1) / I8_WIDTH * I8_WIDTH * (size_t)sk_i8_padded_k(k);
}

// Round to nearest, ties to even, for |v| ≤ 2²²: adding 1.5·2²³ pushes the fraction out of the mantissa.
static inline float round_even(float v) { return (v + 12582912.0f) - 12582912.0f; }

void sk_i8_pack(const float *w, int n, int k, int8_t *packed, float *scales, int32_t *column_sums) {
    const int kp = sk_i8_padded_k(k), quads = kp / 4;
    memset(packed, 0, sk_i8_packed_bytes(n, k));
    for (int j = 0; j < n; j++) {
        const float *row = w + (size_t)j * k;
        float amax = 0;
        for (int kk = 0; kk < k; kk++) amax = fabsf(row[kk]) > amax ? fabsf(row[kk]) : amax;
        scales[j] = amax / 127.0f;
        const float inverse = amax > 0 ? 127.0f / amax : 0.0f;
        const int p = j / I8_WIDTH, lane = j % I8_WIDTH;
        int8_t *panel = packed + (size_t)p * quads * I8_WIDTH * 4;
        int32_t sum = 0;
        for (int kk = 0; kk < k; kk++) {
            float q = round_even(row[kk] * inverse);
            q = q > 127.0f ? 127.0f : (q < -127.0f ? -127.0f : q);
            panel[((size_t)(kk / 4) * I8_WIDTH + lane) * 4 + (kk & 3)] = (int8_t)q;
            sum += (int32_t)q;
        }
        column_sums[j] = sum;
    }
}

// One row of x quantized into its tile's quad layout: quad q of the row at quads[q * stride] (4 bytes each).
// q = round-half-even(v · 127 / max|v|), clamped to ±127, NaN → 0; the vector paths give the same bytes (the
// products are the same fp32 multiplies, and cvtps rounds half to even like round_even).
static void quantize_row_scalar(const float *src, int k, int kp, float inverse, uint8_t flip, uint8_t *quads,
                                size_t stride) {
    for (int kk = 0; kk < kp; kk++) {
        float q = kk < k ? round_even(src[kk] * inverse) : 0.0f;
        q = q > 127.0f ? 127.0f : (q < -127.0f ? -127.0f : q);
        if (q != q) q = 0.0f;
        quads[(size_t)(kk / 4) * stride + (kk & 3)] = (uint8_t)(int8_t)q ^ flip;
    }
}

// max |v| over a row, NaN when the row holds a NaN (its scale is then NaN, so the row's outputs are NaN, as fp32's).
static float amax_scalar(const float *src, int k) {
    float amax = 0;
    int nan = 0;
    for (int kk = 0; kk < k; kk++) { const float a = fabsf(src[kk]); amax = a > amax ? a : amax; nan |= a != a; }
    return nan ? NAN : amax;
}

#if SK_X86
// As amax_scalar (maxps returns its second operand, the accumulator, on NaN; NaNs are counted apart).
static SK_AVX512 float amax_avx512(const float *src, int k) {
    __m512 acc = _mm512_setzero_ps();
    __mmask16 nan = 0;
    const __m512 mask = _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff));
    int kk = 0;
    for (; kk + 16 <= k; kk += 16) {
        const __m512 a = _mm512_and_ps(_mm512_loadu_ps(src + kk), mask);
        acc = _mm512_max_ps(a, acc);
        nan |= _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q);
    }
    const float head = _mm512_reduce_max_ps(acc), tail = amax_scalar(src + kk, k - kk);
    return nan || tail != tail ? NAN : (head > tail ? head : tail);
}

static SK_AVX512 void quantize_row_avx512(const float *src, int k, int kp, float inverse, uint8_t flip,
                                          uint8_t *quads, size_t stride) {
    const __m512 scale = _mm512_set1_ps(inverse);
    const __m512 hi = _mm512_set1_ps(127.0f), lo = _mm512_set1_ps(-127.0f);
    int kk = 0;
    for (; kk + 16 <= k; kk += 16) {
        // Clamped in float first (±∞ when 127 / max|v| overflows), NaN lanes zeroed after the conversion.
        const __m512 v = _mm512_mul_ps(_mm512_loadu_ps(src + kk), scale);
        const __mmask16 ordered = _mm512_cmp_ps_mask(v, v, _CMP_ORD_Q);
        const __m512 clamped = _mm512_min_ps(_mm512_max_ps(v, lo), hi);
        const __m512i q = _mm512_maskz_mov_epi32(ordered, _mm512_cvtps_epi32(clamped));  // half even (MXCSR)
        __m128i bytes = _mm512_cvtepi32_epi8(q);
        bytes = _mm_xor_si128(bytes, _mm_set1_epi8((char)flip));
        uint8_t *dst = quads + (size_t)(kk / 4) * stride;
        *(int32_t *)(void *)dst = _mm_cvtsi128_si32(bytes);
        *(int32_t *)(void *)(dst + stride) = _mm_extract_epi32(bytes, 1);
        *(int32_t *)(void *)(dst + 2 * stride) = _mm_extract_epi32(bytes, 2);
        *(int32_t *)(void *)(dst + 3 * stride) = _mm_extract_epi32(bytes, 3);
    }
    // The tail (and k's padding to a quad), scalar: kk is a multiple of 4 here.
    quantize_row_scalar(src + kk, k - kk, kp - kk, inverse, flip, quads + (size_t)(kk / 4) * stride, stride);
}

static SK_AVX2 float amax_avx2(const float *src, int k) {
    __m256 acc = _mm256_setzero_ps(), nan = _mm256_setzero_ps();
    const __m256 mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    int kk = 0;
    for (; kk + 8 <= k; kk += 8) {
        const __m256 a = _mm256_and_ps(_mm256_loadu_ps(src + kk), mask);
        acc = _mm256_max_ps(a, acc);
        nan = _mm256_or_ps(nan, _mm256_cmp_ps(a, a, _CMP_UNORD_Q));
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, acc);
    float amax = amax_scalar(src + kk, k - kk);
    for (int i = 0; i < 8; i++) amax = lanes[i] > amax ? lanes[i] : amax;
    return _mm256_movemask_ps(nan) ? NAN : amax;
}

static SK_AVX2 void quantize_row_avx2(const float *src, int k, int kp, float inverse, uint8_t flip, uint8_t *quads,
                                      size_t stride) {
    const __m256 scale = _mm256_set1_ps(inverse);
    const __m256 hi = _mm256_set1_ps(127.0f), lo = _mm256_set1_ps(-127.0f);
    int kk = 0;
    for (; kk + 8 <= k; kk += 8) {
        const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(src + kk), scale);
        const __m256i ordered = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_ORD_Q));
        const __m256 clamped = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
        const __m256i q = _mm256_and_si256(_mm256_cvtps_epi32(clamped), ordered);
        const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
        __m128i bytes = _mm_packs_epi16(words, words);
        bytes = _mm_xor_si128(bytes, _mm_set1_epi8((char)flip));
        uint8_t *dst = quads + (size_t)(kk / 4) * stride;
        *(int32_t *)(void *)dst = _mm_cvtsi128_si32(bytes);
        *(int32_t *)(void *)(dst + stride) = _mm_extract_epi32(bytes, 1);
    }
    quantize_row_scalar(src + kk, k - kk, kp - kk, inverse, flip, quads + (size_t)(kk / 4) * stride, stride);
}
#endif

void sk_i8_quantize_rows(sk_path path, const float *x, int m, int k, int row_begin, int row_end, uint8_t *out,
                         float *scales) {
    const sk_path effective = sk_effective_path(SK_INT8, path);
    const int tile = sk_row_tile(SK_INT8, path), kp = sk_i8_padded_k(k);
    const uint8_t flip = effective == SK_PATH_AVX512 ? 0x80 : 0;  // VNNI reads x + 128 as unsigned: q ^ 0x80
    const size_t stride = (size_t)tile * 4;
    for (int t = row_begin / tile; t * tile < row_end; t++) {
        uint8_t *dst = out + (size_t)t * tile * kp;
        for (int r = 0; r < tile; r++) {
            const int row = t * tile + r;
            uint8_t *quads = dst + (size_t)r * 4;  // quad q of this row at quads[q * tile * 4]
            if (row >= m) {
                const uint32_t fill = flip * 0x01010101u;
                for (int q = 0; q < kp / 4; q++) memcpy(quads + (size_t)q * stride, &fill, 4);
                continue;
            }
            const float *src = x + (size_t)row * k;
#if SK_X86
            const float amax = effective == SK_PATH_AVX512 ? amax_avx512(src, k)
                             : effective == SK_PATH_AVX2 ? amax_avx2(src, k) : amax_scalar(src, k);
#else
            const float amax = amax_scalar(src, k);
#endif
            scales[row] = amax / 127.0f;
            const float inverse = amax > 0 ? 127.0f / amax : 0.0f;  // 0 for NaN: the bytes are then all 0
#if SK_X86
            if (effective == SK_PATH_AVX512) { quantize_row_avx512(src, k, kp, inverse, flip, quads, stride); continue; }
            if (effective == SK_PATH_AVX2) { quantize_row_avx2(src, k, kp, inverse, flip, quads, stride); continue; }
#endif
            quantize_row_scalar(src, k, kp, inverse, flip, quads, stride);
        }
    }
}

// out[r, j] for a finished tile of int32 sums (rows × cols valid), the same float operations in every path.
static inline void epilogue_scalar(const int32_t *sums, int ld_sums, int rows, int cols, const float *x_scales,
                                   const float *w_scales, const float *bias, float *out, int ldo) {
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < cols; j++) {
            const float scale = x_scales[r] * w_scales[j];
            float v = (float)sums[r * ld_sums + j] * scale;
            if (bias) v = v + bias[j];
            out[(size_t)r * ldo + j] = v;
        }
}

// ---- generic ----
static void panels_generic(const uint8_t *xq, const float *x_scales, int m, int k, const int8_t *packed,
                           const float *w_scales, int n, int p0, int p1, const float *bias, sk_epilogue epilogue,
                           float *out, int ldo) {
    const int kp = sk_i8_padded_k(k), quads = kp / 4;
    for (int p = p0; p < p1; p++) {
        const int column = p * I8_WIDTH, cols = n - column < I8_WIDTH ? n - column : I8_WIDTH;
        const int8_t *panel = packed + (size_t)p * quads * I8_WIDTH * 4;
        for (int row = 0; row < m; row += 4) {
            const int rows = m - row < 4 ? m - row : 4;
            int32_t acc[4][I8_WIDTH] = {{0}};
            for (int q = 0; q < quads; q++) {
                const int8_t *b = panel + (size_t)q * I8_WIDTH * 4;
                for (int r = 0; r < rows; r++) {
                    const int8_t *a = (const int8_t *)xq + (size_t)row * kp + ((size_t)q * 4 + r) * 4;
                    for (int j = 0; j < I8_WIDTH; j++)
                        acc[r][j] += a[0] * b[4 * j] + a[1] * b[4 * j + 1] + a[2] * b[4 * j + 2] + a[3] * b[4 * j + 3];
                }
            }
            float *target = out + (size_t)row * ldo + column;
            epilogue_scalar(&acc[0][0], I8_WIDTH, rows, cols, x_scales + row, w_scales + column,
                            bias ? bias + column : NULL, target, ldo);
            if (epilogue == SK_EPILOGUE_GELU) sk_gelu_tile(SK_PATH_GENERIC, target, rows, cols, ldo);
        }
    }
}

#if SK_X86
// ---- avx2 ----
SK_INLINE SK_AVX2 __m256i quad_dot_avx2(__m256i a, __m256i abs_a, __m256i w, __m256i ones) {
    const __m256i pairs = _mm256_maddubs_epi16(abs_a, _mm256_sign_epi8(w, a));
    return _mm256_madd_epi16(pairs, ones);
}

// Stores float results of rows × 32 int32 sums held as 4 ymm per row.
SK_INLINE SK_AVX2 void store_avx2(const __m256i *acc, int r, float x_scale, const float *w_scales, const float *bias,
                                  float *out) {
    for (int v = 0; v < 4; v++) {
        const __m256 scale = _mm256_mul_ps(_mm256_set1_ps(x_scale), _mm256_loadu_ps(w_scales + 8 * v));
        __m256 y = _mm256_mul_ps(_mm256_cvtepi32_ps(acc[4 * r + v]), scale);
        if (bias) y = _mm256_add_ps(y, _mm256_loadu_ps(bias + 8 * v));
        _mm256_storeu_ps(out + 8 * v, y);
    }
}

SK_INLINE SK_AVX2 void tile_avx2(const int R, const uint8_t *xq, int kp, const int8_t *panel, const float *x_scales,
                                 const float *w_scales, const float *bias, float *out, int ldo) {
    __m256i acc[8];
    SK_UNROLL
    for (int i = 0; i < 4 * R; i++) acc[i] = _mm256_setzero_si256();
    const __m256i ones = _mm256_set1_epi16(1);
    const int quads = kp / 4;
    for (int q = 0; q < quads; q++) {
        const int8_t *b = panel + (size_t)q * 128;
        const __m256i w0 = _mm256_loadu_si256((const __m256i *)b), w1 = _mm256_loadu_si256((const __m256i *)(b + 32));
        const __m256i w2 = _mm256_loadu_si256((const __m256i *)(b + 64)), w3 = _mm256_loadu_si256((const __m256i *)(b + 96));
        sk_prefetch_ahead(b, 128);
        SK_UNROLL
        for (int r = 0; r < R; r++) {
            int32_t quad;
            memcpy(&quad, xq + ((size_t)q * 2 + r) * 4, 4);
            const __m256i a = _mm256_set1_epi32(quad), abs_a = _mm256_sign_epi8(a, a);
            acc[4 * r + 0] = _mm256_add_epi32(acc[4 * r + 0], quad_dot_avx2(a, abs_a, w0, ones));
            acc[4 * r + 1] = _mm256_add_epi32(acc[4 * r + 1], quad_dot_avx2(a, abs_a, w1, ones));
            acc[4 * r + 2] = _mm256_add_epi32(acc[4 * r + 2], quad_dot_avx2(a, abs_a, w2, ones));
            acc[4 * r + 3] = _mm256_add_epi32(acc[4 * r + 3], quad_dot_avx2(a, abs_a, w3, ones));
        }
    }
    SK_UNROLL
    for (int r = 0; r < R; r++) store_avx2(acc, r, x_scales[r], w_scales, bias, out + (size_t)r * ldo);
}

static SK_AVX2 void panels_avx2(const uint8_t *xq, const float *x_scales, int m, int k, const int8_t *packed,
                                const float *w_scales, int n, int p0, int p1, const float *bias, sk_epilogue epilogue,
                                float *out, int ldo) {
    const int kp = sk_i8_padded_k(k), quads = kp / 4;
    for (int p = p0; p < p1; p++) {
        const int column = p * I8_WIDTH, cols = n - column < I8_WIDTH ? n - column : I8_WIDTH;
        float ws[I8_WIDTH] = {0}, bs[I8_WIDTH] = {0};
        memcpy(ws, w_scales + column, (size_t)cols * sizeof(float));
        if (bias) memcpy(bs, bias + column, (size_t)cols * sizeof(float));
        const int8_t *panel = packed + (size_t)p * quads * I8_WIDTH * 4;
        for (int row = 0; row < m; row += 2) {
            const int rows = m - row < 2 ? m - row : 2;
            float scratch[2 * I8_WIDTH];
            float *target = cols == I8_WIDTH ? out + (size_t)row * ldo + column : scratch;
            const int ld = cols == I8_WIDTH ? ldo : I8_WIDTH;
            if (rows == 2) tile_avx2(2, xq + (size_t)row * kp, kp, panel, x_scales + row, ws, bias ? bs : NULL, target, ld);
            else tile_avx2(1, xq + (size_t)row * kp, kp, panel, x_scales + row, ws, bias ? bs : NULL, target, ld);
            if (cols < I8_WIDTH)
                for (int r = 0; r < rows; r++) memcpy(out + (size_t)(row + r) * ldo + column, scratch + r * I8_WIDTH, (size_t)cols * sizeof(float));
            if (epilogue == SK_EPILOGUE_GELU) sk_gelu_tile(SK_PATH_AVX2, out + (size_t)row * ldo + column, rows, cols, ldo);
        }
    }
}

// ---- avx512 (AVX512_VNNI) ----
SK_INLINE SK_AVX512_VNNI void tile_avx512(const int R, const uint8_t *xq, int kp, const int8_t *panel,
                                          __m512i start0, __m512i start1, const float *x_scales,
                                          const float *w_scales, const float *bias, float *out, int ldo) {
    __m512i c0[12], c1[12];
    SK_UNROLL
    for (int r = 0; r < R; r++) { c0[r] = start0; c1[r] = start1; }
    const int quads = kp / 4;
    for (int q = 0; q < quads; q++) {
        const __m512i w0 = _mm512_loadu_si512(panel + (size_t)q * 128), w1 = _mm512_loadu_si512(panel + (size_t)q * 128 + 64);
        sk_prefetch_ahead(panel + (size_t)q * 128, 128);
        SK_UNROLL
        for (int r = 0; r < R; r++) {
            int32_t quad;
            memcpy(&quad, xq + ((size_t)q * 12 + r) * 4, 4);
            const __m512i a = _mm512_set1_epi32(quad);
            c0[r] = _mm512_dpbusd_epi32(c0[r], a, w0);
            c1[r] = _mm512_dpbusd_epi32(c1[r], a, w1);
        }
    }
    const __m512 ws0 = _mm512_loadu_ps(w_scales), ws1 = _mm512_loadu_ps(w_scales + 16);
    const __m512 b0 = bias ? _mm512_loadu_ps(bias) : _mm512_setzero_ps(), b1 = bias ? _mm512_loadu_ps(bias + 16) : _mm512_setzero_ps();
    SK_UNROLL
    for (int r = 0; r < R; r++) {
        const __m512 xs = _mm512_set1_ps(x_scales[r]);
        __m512 y0 = _mm512_mul_ps(_mm512_cvtepi32_ps(c0[r]), _mm512_mul_ps(xs, ws0));
        __m512 y1 = _mm512_mul_ps(_mm512_cvtepi32_ps(c1[r]), _mm512_mul_ps(xs, ws1));
        if (bias) { y0 = _mm512_add_ps(y0, b0); y1 = _mm512_add_ps(y1, b1); }
        _mm512_storeu_ps(out + (size_t)r * ldo, y0);
        _mm512_storeu_ps(out + (size_t)r * ldo + 16, y1);
    }
}

static SK_AVX512_VNNI void panels_avx512(const uint8_t *xq, const float *x_scales, int m, int k, const int8_t *packed,
                                         const float *w_scales, const int32_t *column_sums, int n, int p0, int p1,
                                         const float *bias, sk_epilogue epilogue, float *out, int ldo) {
    const int kp = sk_i8_padded_k(k), quads = kp / 4;
    for (int p = p0; p < p1; p++) {
        const int column = p * I8_WIDTH, cols = n - column < I8_WIDTH ? n - column : I8_WIDTH;
        float ws[I8_WIDTH] = {0}, bs[I8_WIDTH] = {0};
        int32_t start[I8_WIDTH] = {0};
        memcpy(ws, w_scales + column, (size_t)cols * sizeof(float));
        if (bias) memcpy(bs, bias + column, (size_t)cols * sizeof(float));
        for (int j = 0; j < cols; j++) start[j] = -128 * column_sums[column + j];
        const __m512i start0 = _mm512_loadu_si512(start), start1 = _mm512_loadu_si512(start + 16);
        const int8_t *panel = packed + (size_t)p * quads * I8_WIDTH * 4;
        for (int row = 0; row < m; row += 12) {
            const int rows = m - row < 12 ? m - row : 12;
            float scratch[12 * I8_WIDTH];
            float *target = cols == I8_WIDTH ? out + (size_t)row * ldo + column : scratch;
            const int ld = cols == I8_WIDTH ? ldo : I8_WIDTH;
            const uint8_t *xr = xq + (size_t)row * kp;
            const float *xs = x_scales + row, *bb = bias ? bs : NULL;
            #define TILE(R) tile_avx512(R, xr, kp, panel, start0, start1, xs, ws, bb, target, ld)
            SK_ROWS_12(rows, TILE);
            #undef TILE
            if (cols < I8_WIDTH)
                for (int r = 0; r < rows; r++) memcpy(out + (size_t)(row + r) * ldo + column, scratch + r * I8_WIDTH, (size_t)cols * sizeof(float));
            if (epilogue == SK_EPILOGUE_GELU) sk_gelu_tile(SK_PATH_AVX512, out + (size_t)row * ldo + column, rows, cols, ldo);
        }
    }
}
#endif

void sk_i8_gemm(sk_path path, const uint8_t *xq, const float *x_scales, int m, int k,
                const int8_t *packed, const float *w_scales, const int32_t *column_sums, int n,
                int panel_begin, int panel_end, const float *bias, sk_epilogue epilogue, float *out, int ldo) {
    if (m <= 0 || panel_begin >= panel_end) return;
#if SK_X86
    const sk_path effective = sk_effective_path(SK_INT8, path);
    if (effective == SK_PATH_AVX512) {
        panels_avx512(xq, x_scales, m, k, packed, w_scales, column_sums, n, panel_begin, panel_end, bias, epilogue, out, ldo);
        return;
    }
    if (effective == SK_PATH_AVX2) {
        panels_avx2(xq, x_scales, m, k, packed, w_scales, n, panel_begin, panel_end, bias, epilogue, out, ldo);
        return;
    }
#endif
    panels_generic(xq, x_scales, m, k, packed, w_scales, n, panel_begin, panel_end, bias, epilogue, out, ldo);
}
