// What this CPU can run. The package is built for baseline x86-64 (to run on any machine), so
// kernels that need more are chosen at run time from these.

#include "CKernels.h"

#if defined(__x86_64__) || defined(__i386__)

int mrnn_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int mrnn_cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}

#else

int mrnn_cpu_has_avx2_fma(void) { return 0; }
int mrnn_cpu_has_avx512(void) { return 0; }

#endif
