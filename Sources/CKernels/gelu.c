// GELU (exact erf form) as an elementwise kernel and as the GEMM epilogue, per path.
#include "kernel_common.h"

static void gelu_generic(const float *x, size_t count, float *out) {
    for (size_t i = 0; i < count; i++) out[i] = sk_gelu_scalar(x[i]);
}

#if SK_X86
static SK_AVX2 void gelu_avx2(const float *x, size_t count, float *out) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(out + i, sk_gelu_avx2(_mm256_loadu_ps(x + i)));
    for (; i < count; i++) out[i] = sk_gelu_scalar(x[i]);
}

static SK_AVX512 void gelu_avx512(const float *x, size_t count, float *out) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) _mm512_storeu_ps(out + i, sk_gelu_avx512(_mm512_loadu_ps(x + i)));
    if (i < count) {
        const __mmask16 mask = (__mmask16)((1u << (count - i)) - 1);
        _mm512_mask_storeu_ps(out + i, mask, sk_gelu_avx512(_mm512_maskz_loadu_ps(mask, x + i)));
    }
}
#endif

void sk_gelu(sk_path path, const float *x, size_t count, float *out) {
#if SK_X86
    if (path == SK_PATH_AVX512 && sk_path_available(SK_FP32, SK_PATH_AVX512)) { gelu_avx512(x, count, out); return; }
    if (path >= SK_PATH_AVX2 && sk_path_available(SK_FP32, SK_PATH_AVX2)) { gelu_avx2(x, count, out); return; }
#endif
    gelu_generic(x, count, out);
}

void sk_gelu_tile(sk_path path, float *out, int rows, int cols, int ldo) {
    for (int r = 0; r < rows; r++) sk_gelu(path, out + (size_t)r * ldo, (size_t)cols, out + (size_t)r * ldo);
}
