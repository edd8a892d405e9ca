// Row-wise kernels of the encoder on the AVX-512 path: exp, softmax, layer norm (GELU is in gelu.c). The other
// paths run the portable Swift SIMD code of Sources/Tensor/Kernels.swift (AVX2 under the haswell build, NEON on
// arm64); the formulas here are the same: exp is VectorMath.exp's Cody–Waite reduction and polynomial, softmax
// subtracts the row's max (torch.softmax), layer norm takes the mean, then the centred variance (torch's biased
// variance, eps inside the square root).
#include "kernel_common.h"

#if SK_X86
// e^x: n = round(x / ln 2), r = x − n·ln 2 (two steps), e^r ≈ 1 + r + r²·P(r), times 2^n built from exponent bits
// in two factors (so n = 128 and n = −126 stay representable). Below −87.34: 0; above 88.72: +∞; NaN stays NaN.
SK_INLINE SK_AVX512 __m512 sk_exp_avx512(__m512 input) {
    const __m512 low = _mm512_set1_ps(-87.33654f), high = _mm512_set1_ps(88.72283f);
    const __mmask16 under = _mm512_cmp_ps_mask(input, low, _CMP_LT_OQ);
    const __mmask16 over = _mm512_cmp_ps_mask(input, high, _CMP_GT_OQ);
    __m512 x = _mm512_mask_mov_ps(input, under, low);
    x = _mm512_mask_mov_ps(x, over, high);
    const __m512 magic = _mm512_set1_ps(12582912.0f);  // 1.5·2²³: adding it rounds to nearest even
    const __m512 shifted = _mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)), magic);
    const __m512 n = _mm512_sub_ps(shifted, magic);
    __m512 r = _mm512_sub_ps(x, _mm512_mul_ps(n, _mm512_set1_ps(0.693359375f)));
    r = _mm512_sub_ps(r, _mm512_mul_ps(n, _mm512_set1_ps(-2.12194440e-4f)));
#define SK_STEP(acc, c) acc = _mm512_add_ps(_mm512_mul_ps(acc, r), _mm512_set1_ps(c))
    __m512 p = _mm512_set1_ps(1.985769008376175e-4f);
    SK_STEP(p, 1.3933548411134544e-3f); SK_STEP(p, 8.33336077677687e-3f); SK_STEP(p, 4.166646599407993e-2f);
    SK_STEP(p, 0.16666666532523094f); SK_STEP(p, 0.5000000013329414f);
#undef SK_STEP
    const __m512 y = _mm512_add_ps(_mm512_add_ps(_mm512_set1_ps(1.0f), r), _mm512_mul_ps(_mm512_mul_ps(r, r), p));
    const __m512i ni = _mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_set1_epi32(0x4B400000));
    const __m512i n1 = _mm512_srai_epi32(ni, 1), n2 = _mm512_sub_epi32(ni, n1);
    const __m512i bias = _mm512_set1_epi32(127);
    const __m512 scale1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n1, bias), 23));
    const __m512 scale2 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n2, bias), 23));
    __m512 result = _mm512_mul_ps(_mm512_mul_ps(y, scale1), scale2);
    result = _mm512_mask_mov_ps(result, under, _mm512_setzero_ps());
    return _mm512_mask_mov_ps(result, over, _mm512_set1_ps(INFINITY));
}

SK_INLINE __mmask16 sk_tail_mask(int count) { return (__mmask16)((1u << count) - 1); }

static SK_AVX512 void exp_avx512(const float *x, size_t count, float *out) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) _mm512_storeu_ps(out + i, sk_exp_avx512(_mm512_loadu_ps(x + i)));
    if (i < count) {
        const __mmask16 mask = sk_tail_mask((int)(count - i));
        _mm512_mask_storeu_ps(out + i, mask, sk_exp_avx512(_mm512_maskz_loadu_ps(mask, x + i)));
    }
}

// One row in place: row += mask (if any), m = max, e = exp(row − m), row = e / Σe. The tail's padding lanes hold
// −∞ and add exp(−∞) = 0. A row of −∞ only gives NaN (−∞ − −∞), as torch.softmax.
static SK_AVX512 void softmax_row_avx512(float *row, int cols, const float *mask) {
    const int end = cols & ~15;
    const __mmask16 tail = sk_tail_mask(cols - end);
    const __m512 minus_inf = _mm512_set1_ps(-INFINITY);
    if (mask) {
        for (int i = 0; i < end; i += 16)
            _mm512_storeu_ps(row + i, _mm512_add_ps(_mm512_loadu_ps(row + i), _mm512_loadu_ps(mask + i)));
        if (tail)
            _mm512_mask_storeu_ps(row + end, tail, _mm512_add_ps(_mm512_maskz_loadu_ps(tail, row + end),
                                                                 _mm512_maskz_loadu_ps(tail, mask + end)));
    }
    __m512 maxima = minus_inf;
    // max_ps returns its second operand when either is NaN: a NaN score is skipped here, as in the Swift code.
    for (int i = 0; i < end; i += 16) maxima = _mm512_max_ps(_mm512_loadu_ps(row + i), maxima);
    if (tail) maxima = _mm512_max_ps(_mm512_mask_loadu_ps(minus_inf, tail, row + end), maxima);
    const __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(maxima));
    __m512 sums = _mm512_setzero_ps();
    for (int i = 0; i < end; i += 16) {
        const __m512 e = sk_exp_avx512(_mm512_sub_ps(_mm512_loadu_ps(row + i), m));
        _mm512_storeu_ps(row + i, e);
        sums = _mm512_add_ps(sums, e);
    }
    if (tail) {
        const __m512 e = sk_exp_avx512(_mm512_sub_ps(_mm512_mask_loadu_ps(minus_inf, tail, row + end), m));
        _mm512_mask_storeu_ps(row + end, tail, e);
        sums = _mm512_add_ps(sums, e);
    }
    const __m512 inverse = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sums));
    for (int i = 0; i < end; i += 16) _mm512_storeu_ps(row + i, _mm512_mul_ps(_mm512_loadu_ps(row + i), inverse));
    if (tail) _mm512_mask_storeu_ps(row + end, tail, _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, row + end), inverse));
}

// One row: mean, centred variance (16 partial sums each, then the lanes), out = (x − mean)·invStd·γ + β.
static SK_AVX512 void layer_norm_row_avx512(const float *x, int cols, const float *gamma, const float *beta,
                                            float eps, float *out, float *mean_out, float *inv_std_out) {
    const int end = cols & ~15;
    const __mmask16 tail = sk_tail_mask(cols - end);
    __m512 acc = _mm512_setzero_ps();
    for (int i = 0; i < end; i += 16) acc = _mm512_add_ps(acc, _mm512_loadu_ps(x + i));
    if (tail) acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(tail, x + end));
    const float mean = _mm512_reduce_add_ps(acc) / (float)cols;
    const __m512 vmean = _mm512_set1_ps(mean);
    acc = _mm512_setzero_ps();
    for (int i = 0; i < end; i += 16) {
        const __m512 d = _mm512_sub_ps(_mm512_loadu_ps(x + i), vmean);
        acc = _mm512_add_ps(acc, _mm512_mul_ps(d, d));
    }
    if (tail) {
        const __m512 d = _mm512_maskz_sub_ps(tail, _mm512_maskz_loadu_ps(tail, x + end), vmean);
        acc = _mm512_add_ps(acc, _mm512_mul_ps(d, d));
    }
    const float inv_std = 1.0f / sqrtf(_mm512_reduce_add_ps(acc) / (float)cols + eps);
    const __m512 vinv = _mm512_set1_ps(inv_std);
    for (int i = 0; i < end; i += 16) {
        const __m512 normalized = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(x + i), vmean), vinv);
        _mm512_storeu_ps(out + i, _mm512_add_ps(_mm512_mul_ps(normalized, _mm512_loadu_ps(gamma + i)),
                                                _mm512_loadu_ps(beta + i)));
    }
    if (tail) {
        const __m512 normalized = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, x + end), vmean), vinv);
        _mm512_mask_storeu_ps(out + end, tail, _mm512_add_ps(_mm512_mul_ps(normalized, _mm512_maskz_loadu_ps(tail, gamma + end)),
                                                             _mm512_maskz_loadu_ps(tail, beta + end)));
    }
    if (mean_out) *mean_out = mean;
    if (inv_std_out) *inv_std_out = inv_std;
}
#endif

static int avx512(void) { return SK_X86 && sk_path_available(SK_FP32, SK_PATH_AVX512); }

int sk_exp_avx512_run(const float *x, size_t count, float *out) {
    if (!avx512()) return 0;
#if SK_X86
    exp_avx512(x, count, out);
#endif
    return 1;
}

int sk_softmax_rows_avx512(float *x, int rows, int cols, const float *mask) {
    if (!avx512()) return 0;
#if SK_X86
    for (int r = 0; r < rows; r++) softmax_row_avx512(x + (size_t)r * cols, cols, mask);
#endif
    return 1;
}

int sk_layer_norm_rows_avx512(const float *x, int rows, int cols, const float *gamma, const float *beta, float eps,
                              float *out, float *mean, float *inv_std) {
    if (!avx512()) return 0;
#if SK_X86
    for (int r = 0; r < rows; r++)
        layer_norm_row_avx512(x + (size_t)r * cols, cols, gamma, beta, eps, out + (size_t)r * cols,
                              mean ? mean + r : NULL, inv_std ? inv_std + r : NULL);
#endif
    return 1;
}
