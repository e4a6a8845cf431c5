// A small GEMM for the Winograd convolutions: B comes packed from the input transform (which
// writes it in panels directly), A is read in place, C is written without a separate zeroing
// pass. Register blocking 6 rows × 16 columns (12 accumulators), the usual AVX2 shape.

#include "CKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define MRNN_HAVE_X86 1
#endif

void mrnn_gemm_packed_portable(long m, long n, long k, const float *a, long ars, long aks,
                          const float *b, float *c, long ldc) {
    for (long j0 = 0; j0 < n; j0 += MRNN_PANEL) {
        const long width = n - j0 >= MRNN_PANEL ? MRNN_PANEL : n - j0;
        const float *panel = b + j0 * k;
        for (long i = 0; i < m; i++) {
            float sum[MRNN_PANEL] = {0};
            for (long kk = 0; kk < k; kk++) {
                const float value = a[i * ars + kk * aks];
                for (long j = 0; j < width; j++) sum[j] += value * panel[kk * width + j];
            }
            for (long j = 0; j < width; j++) c[i * ldc + j0 + j] = sum[j];
        }
    }
}

#ifdef MRNN_HAVE_X86

#define AVX2 __attribute__((target("avx2,fma")))

// C block [rows × 8·vectors] = Σ_kk A(i, kk) · panel row kk; rows ≤ 6 and vectors ∈ {1, 2}
// are constants after inlining, so the accumulators live in registers.
static inline __attribute__((always_inline)) AVX2
void block(int rows, int vectors, long k, const float *restrict a, long ars, long aks,
           const float *restrict panel, float *restrict c, long ldc) {
    __m256 acc[6][2];
    for (int i = 0; i < rows; i++)
        for (int v = 0; v < vectors; v++) acc[i][v] = _mm256_setzero_ps();
    const long width = 8 * vectors;
    for (long kk = 0; kk < k; kk++) {
        __m256 bv[2];
        for (int v = 0; v < vectors; v++) bv[v] = _mm256_loadu_ps(panel + kk * width + 8 * v);
        for (int i = 0; i < rows; i++) {
            const __m256 av = _mm256_broadcast_ss(a + i * ars + kk * aks);
            for (int v = 0; v < vectors; v++) acc[i][v] = _mm256_fmadd_ps(av, bv[v], acc[i][v]);
        }
    }
    for (int i = 0; i < rows; i++)
        for (int v = 0; v < vectors; v++) _mm256_storeu_ps(c + i * ldc + 8 * v, acc[i][v]);
}

#define BLOCK(r, v) block(r, v, k, a + i * ars, ars, aks, panel, c + i * ldc + j0, ldc)
// Every row of the panel: blocks of 6, then the 1–5 left, each with constant sizes.
#define ROW_BLOCKS(v) { \
    for (; i + 6 <= m; i += 6) BLOCK(6, v); \
    switch (m - i) { \
        case 5: BLOCK(5, v); break; case 4: BLOCK(4, v); break; case 3: BLOCK(3, v); break; \
        case 2: BLOCK(2, v); break; case 1: BLOCK(1, v); break; \
    } }

static AVX2 void gemm_avx2(long m, long n, long k, const float *a, long ars, long aks,
                           const float *b, float *c, long ldc) {
    for (long j0 = 0; j0 < n; j0 += MRNN_PANEL) {
        const float *panel = b + j0 * k;
        const int vectors = n - j0 >= MRNN_PANEL ? 2 : 1;
        long i = 0;
        if (vectors == 2) ROW_BLOCKS(2) else ROW_BLOCKS(1)
    }
}

void mrnn_gemm_packed(long m, long n, long k, const float *a, long ars, long aks,
                      const float *b, float *c, long ldc) {
    if (mrnn_sandwich_uses_avx2()) gemm_avx2(m, n, k, a, ars, aks, b, c, ldc);
    else mrnn_gemm_packed_portable(m, n, k, a, ars, aks, b, c, ldc);
}

#else

void mrnn_gemm_packed(long m, long n, long k, const float *a, long ars, long aks,
                      const float *b, float *c, long ldc) {
    mrnn_gemm_packed_portable(m, n, k, a, ars, aks, b, c, ldc);
}

#endif
