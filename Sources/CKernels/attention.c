// The attention core of one (sequence, head) on the AVX-512 path (HF BertSelfAttention between the projections):
// scores S = scale·Q_h·K_hᵀ and context ctx = P·V_h; the softmax in between is elementwise.c's. Other paths run the
// Swift loops of Sources/Models/Ops/AttentionOp.swift.
//
// A dot product per (query, key) pair ends in a horizontal sum; instead K_h is transposed once per head into
// scratch (D × T, T padded to 16), and a register tile of 4 queries × 32 keys accumulates over D with broadcast
// query elements: 8 independent FMA chains, no horizontal sums. The context tile is 4 queries × 32 columns of D,
// accumulating P[i, j]·v_j over the keys.
#include "kernel_common.h"

#if SK_X86
SK_INLINE __mmask16 lanes(int remaining) {
    return remaining >= 16 ? (__mmask16)0xFFFF : remaining <= 0 ? 0 : (__mmask16)((1u << remaining) - 1);
}

// R query rows (1 ... 4) × 32 keys from j: out[r·t + j ...] = scale·Σ_d q_r[d]·kt[d·tp + j ...].
SK_INLINE SK_AVX512 void scores_tile(const int R, const float *q, int q_stride, const float *kt, int tp, int d,
                                     int j, int t, float scale, float *out) {
    __m512 a0[4], a1[4];
    SK_UNROLL for (int r = 0; r < R; r++) { a0[r] = _mm512_setzero_ps(); a1[r] = _mm512_setzero_ps(); }
    for (int dd = 0; dd < d; dd++) {
        const __m512 k0 = _mm512_loadu_ps(kt + (size_t)dd * tp + j);
        const __m512 k1 = j + 16 < tp ? _mm512_loadu_ps(kt + (size_t)dd * tp + j + 16) : _mm512_setzero_ps();
        SK_UNROLL for (int r = 0; r < R; r++) {
            const __m512 qv = _mm512_set1_ps(q[(size_t)r * q_stride + dd]);
            a0[r] = _mm512_fmadd_ps(qv, k0, a0[r]);
            a1[r] = _mm512_fmadd_ps(qv, k1, a1[r]);
        }
    }
    const __m512 s = _mm512_set1_ps(scale);
    const __mmask16 m0 = lanes(t - j), m1 = lanes(t - j - 16);
    SK_UNROLL for (int r = 0; r < R; r++) {
        _mm512_mask_storeu_ps(out + (size_t)r * t + j, m0, _mm512_mul_ps(a0[r], s));
        _mm512_mask_storeu_ps(out + (size_t)r * t + j + 16, m1, _mm512_mul_ps(a1[r], s));
    }
}

// R query rows × 32 columns of D from c: ctx_r[c ...] (+)= Σ_j p[r·t + j]·v_j[c ...].
SK_INLINE SK_AVX512 void context_tile(const int R, const float *p, int t, const float *v, int v_stride, int d, int c,
                                      float *ctx, int ctx_stride, int accumulate) {
    const __mmask16 m0 = lanes(d - c), m1 = lanes(d - c - 16);
    __m512 a0[4], a1[4];
    SK_UNROLL for (int r = 0; r < R; r++) {
        a0[r] = accumulate ? _mm512_maskz_loadu_ps(m0, ctx + (size_t)r * ctx_stride + c) : _mm512_setzero_ps();
        a1[r] = accumulate ? _mm512_maskz_loadu_ps(m1, ctx + (size_t)r * ctx_stride + c + 16) : _mm512_setzero_ps();
    }
    for (int j = 0; j < t; j++) {
        const float *vj = v + (size_t)j * v_stride + c;
        const __m512 v0 = _mm512_maskz_loadu_ps(m0, vj), v1 = _mm512_maskz_loadu_ps(m1, vj + 16);
        SK_UNROLL for (int r = 0; r < R; r++) {
            const __m512 pv = _mm512_set1_ps(p[(size_t)r * t + j]);
            a0[r] = _mm512_fmadd_ps(pv, v0, a0[r]);
            a1[r] = _mm512_fmadd_ps(pv, v1, a1[r]);
        }
    }
    SK_UNROLL for (int r = 0; r < R; r++) {
        _mm512_mask_storeu_ps(ctx + (size_t)r * ctx_stride + c, m0, a0[r]);
        _mm512_mask_storeu_ps(ctx + (size_t)r * ctx_stride + c + 16, m1, a1[r]);
    }
}

#define SK_ROWS_4(rows, TILE) \
    do { \
        switch (rows) { case 4: TILE(4); break; case 3: TILE(3); break; case 2: TILE(2); break; default: TILE(1); break; } \
    } while (0)

static SK_AVX512 void scores_avx512(const float *q, int q_stride, const float *k, int k_stride, int tq, int t, int d,
                                    float scale, float *scratch, float *out) {
    const int tp = (t + 15) & ~15;
    for (int dd = 0; dd < d; dd++) {
        float *row = scratch + (size_t)dd * tp;
        for (int j = 0; j < t; j++) row[j] = k[(size_t)j * k_stride + dd];
        for (int j = t; j < tp; j++) row[j] = 0;
    }
    for (int i = 0; i < tq; i += 4) {
        const int rows = tq - i < 4 ? tq - i : 4;
        const float *qi = q + (size_t)i * q_stride;
        float *oi = out + (size_t)i * t;
        for (int j = 0; j < t; j += 32) {
#define SK_TILE(R) scores_tile(R, qi, q_stride, scratch, tp, d, j, t, scale, oi)
            SK_ROWS_4(rows, SK_TILE);
#undef SK_TILE
        }
    }
}

static SK_AVX512 void context_avx512(const float *p, int tq, int t, const float *v, int v_stride, int d, float *ctx,
                                     int ctx_stride, int accumulate) {
    for (int i = 0; i < tq; i += 4) {
        const int rows = tq - i < 4 ? tq - i : 4;
        for (int c = 0; c < d; c += 32) {
#define SK_TILE(R) context_tile(R, p + (size_t)i * t, t, v, v_stride, d, c, ctx + (size_t)i * ctx_stride, ctx_stride, accumulate)
            SK_ROWS_4(rows, SK_TILE);
#undef SK_TILE
        }
    }
}
#endif

static int avx512(void) { return SK_X86 && sk_path_available(SK_FP32, SK_PATH_AVX512); }

size_t sk_attention_scratch_count(int t, int d) { return (size_t)d * (size_t)((t + 15) & ~15); }

int sk_attention_scores_avx512(const float *q, int q_stride, const float *k, int k_stride, int tq, int t, int d,
                               float scale, float *scratch, float *out) {
    if (!avx512()) return 0;
#if SK_X86
    scores_avx512(q, q_stride, k, k_stride, tq, t, d, scale, scratch, out);
#endif
    return 1;
}

int sk_attention_context_avx512(const float *p, int tq, int t, const float *v, int v_stride, int d, float *ctx,
                                int ctx_stride, int accumulate) {
    if (!avx512()) return 0;
#if SK_X86
    context_avx512(p, tq, t, v, v_stride, d, ctx, ctx_stride, accumulate);
#endif
    return 1;
}
