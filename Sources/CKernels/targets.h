// Target attributes of the x86 kernels, private to CKernels. The package is built for baseline
// x86-64, so a function that uses wider instructions names them itself and is called only after
// cpu.c's run-time checks, which test exactly these features.

#ifndef MRNN_TARGETS_H
#define MRNN_TARGETS_H

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define MRNN_HAVE_X86 1
#define AVX2 __attribute__((target("avx2,fma")))
#define AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")))
#endif

#endif
