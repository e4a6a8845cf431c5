// What this CPU can run. The package is built for baseline x86-64 (to run on any machine), so
// kernels that need more are chosen at run time from these. Each answer is worked out once and
// cached: the GEMM asks on every call.

#include "CKernels.h"

#if defined(__x86_64__) || defined(__i386__)

static int detect_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static int detect_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}

// -1 until first asked; threads that race on the first call store the same answer.
static int cached(int *slot, int (*detect)(void)) {
    int answer = __atomic_load_n(slot, __ATOMIC_RELAXED);
    if (answer < 0) {
        answer = detect();
        __atomic_store_n(slot, answer, __ATOMIC_RELAXED);
    }
    return answer;
}

int mrnn_cpu_has_avx2_fma(void) {
    static int answer = -1;
    return cached(&answer, detect_avx2_fma);
}

int mrnn_cpu_has_avx512(void) {
    static int answer = -1;
    return cached(&answer, detect_avx512);
}

#else

int mrnn_cpu_has_avx2_fma(void) { return 0; }
int mrnn_cpu_has_avx512(void) { return 0; }

#endif
