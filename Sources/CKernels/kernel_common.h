// Shared by the GEMM files: target attributes, the GELU epilogue per path, small helpers.
#ifndef SENTIMENTKIT_KERNEL_COMMON_H
#define SENTIMENTKIT_KERNEL_COMMON_H

#include "CKernels.h"
#include <math.h>
#include <string.h>

// Products and sums are rounded one by one (no contraction into FMA behind our back): the generic path's results
// must not change with the compiler's mood, and the int8 epilogue is bit-identical across paths.
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__)
#define SK_X86 1
#include <immintrin.h>
#define SK_AVX2 __attribute__((target("avx2,fma")))
#define SK_AVX512 __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512dq")))
#define SK_AVX512_BF16 __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512dq,avx512bf16")))
#define SK_AVX512_VNNI __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")))
#else
#define SK_X86 0
#endif

#define SK_INLINE static inline __attribute__((always_inline))

// Full unrolling of the loops over a register tile's rows: the accumulators must live in registers.
#if defined(__clang__)
#define SK_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define SK_UNROLL _Pragma("GCC unroll 16")
#else
#define SK_UNROLL
#endif

// TILE(R) with R the compile-time constant equal to `rows` (1 ... 12, or 1 ... 6): each instantiation of an
// always-inline tile keeps its accumulators in registers.
#define SK_ROWS_6(rows, TILE) \
    do { \
        switch (rows) { \
        case 6: TILE(6); break; case 5: TILE(5); break; case 4: TILE(4); break; \
        case 3: TILE(3); break; case 2: TILE(2); break; default: TILE(1); break; \
        } \
    } while (0)
#define SK_ROWS_12(rows, TILE) \
    do { \
        switch (rows) { \
        case 12: TILE(12); break; case 11: TILE(11); break; case 10: TILE(10); break; case 9: TILE(9); break; \
        case 8: TILE(8); break; case 7: TILE(7); break; default: SK_ROWS_6(rows, TILE); break; \
        } \
    } while (0)

// GELU(v) = ½·v·(1 + erf(v/√2)), erf(x) = x·P(x²)/Q(x²) on [-4, 4] (clamped beyond): the minimax fit of
// Sources/Tensor/VectorMath.swift (max abs error 4.2e-7), written as the same multiply-adds in every path.
#define SK_ERF_P0 1.9871289976547413e-06f
#define SK_ERF_P1 2.845629877164385e-4f
#define SK_ERF_P2 3.8825449719001857e-3f
#define SK_ERF_P3 5.3099289192819504e-2f
#define SK_ERF_P4 0.1935243638352409f
#define SK_ERF_P5 1.1283791393550562f
#define SK_ERF_Q0 3.7423639653852425e-05f
#define SK_ERF_Q1 1.1854064940968285e-3f
#define SK_ERF_Q2 1.5205623666834938e-2f
#define SK_ERF_Q3 0.11534170264444155f
#define SK_ERF_Q4 0.5048390588112321f
#define SK_SQRT1_2 0.70710678118654752f

SK_INLINE float sk_gelu_scalar(float v) {
    float x = v * SK_SQRT1_2;
    x = x > 4.0f ? 4.0f : (x < -4.0f ? -4.0f : x);
    const float s = x * x;
    float p = SK_ERF_P0;
    p = p * s + SK_ERF_P1; p = p * s + SK_ERF_P2; p = p * s + SK_ERF_P3; p = p * s + SK_ERF_P4; p = p * s + SK_ERF_P5;
    float q = SK_ERF_Q0;
    q = q * s + SK_ERF_Q1; q = q * s + SK_ERF_Q2; q = q * s + SK_ERF_Q3; q = q * s + SK_ERF_Q4; q = q * s + 1.0f;
    return 0.5f * v * (1.0f + x * p / q);
}

#if SK_X86
SK_INLINE SK_AVX2 __m256 sk_gelu_avx2(__m256 v) {
    __m256 x = _mm256_mul_ps(v, _mm256_set1_ps(SK_SQRT1_2));
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-4.0f)), _mm256_set1_ps(4.0f));
    const __m256 s = _mm256_mul_ps(x, x);
#define SK_STEP256(acc, c) acc = _mm256_add_ps(_mm256_mul_ps(acc, s), _mm256_set1_ps(c))
    __m256 p = _mm256_set1_ps(SK_ERF_P0);
    SK_STEP256(p, SK_ERF_P1); SK_STEP256(p, SK_ERF_P2); SK_STEP256(p, SK_ERF_P3); SK_STEP256(p, SK_ERF_P4); SK_STEP256(p, SK_ERF_P5);
    __m256 q = _mm256_set1_ps(SK_ERF_Q0);
    SK_STEP256(q, SK_ERF_Q1); SK_STEP256(q, SK_ERF_Q2); SK_STEP256(q, SK_ERF_Q3); SK_STEP256(q, SK_ERF_Q4); SK_STEP256(q, 1.0f);
#undef SK_STEP256
    const __m256 erf = _mm256_div_ps(_mm256_mul_ps(x, p), q);
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), v), _mm256_add_ps(_mm256_set1_ps(1.0f), erf));
}

SK_INLINE SK_AVX512 __m512 sk_gelu_avx512(__m512 v) {
    __m512 x = _mm512_mul_ps(v, _mm512_set1_ps(SK_SQRT1_2));
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-4.0f)), _mm512_set1_ps(4.0f));
    const __m512 s = _mm512_mul_ps(x, x);
#define SK_STEP512(acc, c) acc = _mm512_add_ps(_mm512_mul_ps(acc, s), _mm512_set1_ps(c))
    __m512 p = _mm512_set1_ps(SK_ERF_P0);
    SK_STEP512(p, SK_ERF_P1); SK_STEP512(p, SK_ERF_P2); SK_STEP512(p, SK_ERF_P3); SK_STEP512(p, SK_ERF_P4); SK_STEP512(p, SK_ERF_P5);
    __m512 q = _mm512_set1_ps(SK_ERF_Q0);
    SK_STEP512(q, SK_ERF_Q1); SK_STEP512(q, SK_ERF_Q2); SK_STEP512(q, SK_ERF_Q3); SK_STEP512(q, SK_ERF_Q4); SK_STEP512(q, 1.0f);
#undef SK_STEP512
    const __m512 erf = _mm512_div_ps(_mm512_mul_ps(x, p), q);
    return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), v), _mm512_add_ps(_mm512_set1_ps(1.0f), erf));
}
#endif

#if SK_X86
// At batch 1 a forward streams every weight once from L3 (MiniLM: 42 MB in fp32) with few rows to reuse it, and the
// hardware prefetcher alone leaves the FMA units waiting (measured: 1.8x slower than on cache-hot weights). Every
// SIMD tile loop therefore prefetches the packed weight stream SK_PREFETCH_BYTES ahead (past a panel's end this is
// the next panel: panels are contiguous; a prefetch past the buffer never faults). 8 KB was best of 1-32 KB.
#define SK_PREFETCH_BYTES 8192
SK_INLINE void sk_prefetch_ahead(const void *stream, size_t bytes) {
    const char *p = (const char *)stream + SK_PREFETCH_BYTES;
    for (size_t line = 0; line < bytes; line += 64) _mm_prefetch(p + line, _MM_HINT_T0);
}
#endif

// GELU over a finished tile region of `out` (rows × cols, row stride ldo), in the path's own vector code.
void sk_gelu_tile(sk_path path, float *out, int rows, int cols, int ldo);

// The end of every fp32-output tile (fp32 and bf16 kernels): copies the valid columns of a scratch tile into `out`
// (adds them, for SK_EPILOGUE_ACCUMULATE), then applies the epilogue. `direct`: the kernel stored into `out` itself
// (never with ACCUMULATE, whose tiles always go through scratch).
SK_INLINE void sk_finish_tile(sk_path path, const float *scratch, int width, int rows, int cols, int direct,
                              sk_epilogue epilogue, float *out, int ldo) {
    if (epilogue == SK_EPILOGUE_ACCUMULATE) {
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++) out[(size_t)r * ldo + j] += scratch[r * width + j];
        return;
    }
    if (!direct)
        for (int r = 0; r < rows; r++) memcpy(out + (size_t)r * ldo, scratch + r * width, (size_t)cols * sizeof(float));
    if (epilogue == SK_EPILOGUE_GELU) sk_gelu_tile(path, out, rows, cols, ldo);
}

#endif
