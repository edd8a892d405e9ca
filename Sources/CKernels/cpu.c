// CPU feature detection and the choice of kernel path (see CKernels.h).
#include "CKernels.h"
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long xgetbv0(void) {
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

static unsigned detect(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const int fma = (ecx >> 12) & 1, osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1;
    if (!osxsave || !avx) return 0;
    const unsigned long long xcr0 = xgetbv0();
    const int ymm_state = (xcr0 & 0x6) == 0x6;          // SSE + AVX state saved by the OS
    const int zmm_state = (xcr0 & 0xE6) == 0xE6;        // + opmask, ZMM0-15 upper halves, ZMM16-31
    if (!ymm_state || __get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    const int avx2 = (ebx >> 5) & 1, avx512f = (ebx >> 16) & 1, avx512bw = (ebx >> 30) & 1, avx512vl = (ebx >> 31) & 1;
    const int avx512vnni = (ecx >> 11) & 1;
    unsigned features = 0;
    if (avx2 && fma) features |= 1u << SK_CPU_AVX2_FMA;
    if (avx2 && fma && zmm_state && avx512f && avx512bw && avx512vl) {
        features |= 1u << SK_CPU_AVX512F;
        if (avx512vnni) features |= 1u << SK_CPU_AVX512_VNNI;
        unsigned a1, b1, c1, d1;
        __cpuid_count(7, 1, a1, b1, c1, d1);
        if ((a1 >> 5) & 1) features |= 1u << SK_CPU_AVX512_BF16;
    }
    return features;
}
#else
static unsigned detect(void) { return 0; }
#endif

unsigned sk_cpu_features(void) {
    static unsigned cached = ~0u;
    if (cached == ~0u) cached = detect();  // idempotent: a race writes the same value
    return cached;
}

static int has(unsigned feature) { return (sk_cpu_features() >> feature) & 1; }

int sk_path_available(sk_precision precision, sk_path path) {
    switch (path) {
    case SK_PATH_GENERIC: return 1;
    case SK_PATH_AVX2: return precision != SK_BF16 && has(SK_CPU_AVX2_FMA);
    case SK_PATH_AVX512:
        if (!has(SK_CPU_AVX512F)) return 0;
        if (precision == SK_BF16) return has(SK_CPU_AVX512_BF16);
        if (precision == SK_INT8) return has(SK_CPU_AVX512_VNNI);
        return 1;
    }
    return 0;
}

const char *sk_forced_path_name(void) {
    const char *value = getenv("SENTIMENTKIT_KERNELS");
    return value ? value : "";
}

// sk_force_path's choice (-1: none), read by every kernel call on every thread.
static int process_forced = -1;

void sk_force_path(int path) { __atomic_store_n(&process_forced, path, __ATOMIC_SEQ_CST); }

int sk_process_forced_path(void) { return __atomic_load_n(&process_forced, __ATOMIC_SEQ_CST); }

static int forced_path(void) {
    const int process = sk_process_forced_path();
    if (process >= SK_PATH_GENERIC && process <= SK_PATH_AVX512) return process;
    const char *name = sk_forced_path_name();
    if (!strcmp(name, "generic")) return SK_PATH_GENERIC;
    if (!strcmp(name, "avx2")) return SK_PATH_AVX2;
    if (!strcmp(name, "avx512")) return SK_PATH_AVX512;
    return -1;
}

int sk_forced_path_valid(void) { return sk_forced_path_name()[0] == 0 || forced_path() >= 0; }

sk_path sk_default_path(sk_precision precision) {
    const int forced = forced_path();
    if (forced >= 0 && sk_path_available(precision, (sk_path)forced)) return (sk_path)forced;
    // A forced path the CPU lacks, or none: the best available, capped at the forced one when one was asked.
    const int cap = forced >= 0 ? forced : SK_PATH_AVX512;
    for (int path = cap; path > SK_PATH_GENERIC; path--)
        if (sk_path_available(precision, (sk_path)path)) return (sk_path)path;
    return SK_PATH_GENERIC;
}
