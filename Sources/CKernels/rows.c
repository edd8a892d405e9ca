// Row tiles of activations (see CKernels.h): the layout every GEMM kernel reads x in.
#include "kernel_common.h"

sk_path sk_effective_path(sk_precision precision, sk_path path) {
    for (int p = (int)path; p > SK_PATH_GENERIC; p--)
        if (sk_path_available(precision, (sk_path)p)) return (sk_path)p;
    return SK_PATH_GENERIC;
}

int sk_row_tile(sk_precision precision, sk_path path) {
    switch (sk_effective_path(precision, path)) {
    case SK_PATH_AVX512: return 12;
    case SK_PATH_AVX2: return precision == SK_INT8 ? 2 : 6;
    default: return 4;
    }
}

size_t sk_packed_rows_count(sk_precision precision, sk_path path, int m, int k) {
    const size_t tile = (size_t)sk_row_tile(precision, path), tiles = ((size_t)m + tile - 1) / tile;
    const size_t width = precision == SK_FP32 ? (size_t)k : precision == SK_BF16 ? (size_t)sk_bf16_padded_k(k)
                                                                                  : (size_t)sk_i8_padded_k(k);
    return tiles * tile * width;
}

void sk_f32_pack_rows_strided(sk_path path, const float *x, int m, int k, size_t ldm, size_t ldk, int row_begin,
                              int row_end, float *out) {
    const int tile = sk_row_tile(SK_FP32, path);
    for (int t = row_begin / tile; t * tile < row_end; t++) {
        float *dst = out + (size_t)t * tile * k;
        const int rows = m - t * tile < tile ? m - t * tile : tile;
        const float *src = x + (size_t)t * tile * ldm;
        // Sequential writes; `rows` sequential read streams (ldk == 1), or one contiguous run per kk (ldm == 1).
        for (int kk = 0; kk < k; kk++) {
            for (int r = 0; r < rows; r++) dst[(size_t)kk * tile + r] = src[r * ldm + kk * ldk];
            for (int r = rows; r < tile; r++) dst[(size_t)kk * tile + r] = 0;
        }
    }
}

void sk_f32_pack_rows(sk_path path, const float *x, int m, int k, int row_begin, int row_end, float *out) {
    sk_f32_pack_rows_strided(path, x, m, k, (size_t)k, 1, row_begin, row_end, out);
}
