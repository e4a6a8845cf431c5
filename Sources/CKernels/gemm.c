// A small GEMM for the Winograd convolutions: B comes packed from the input transform (which
// writes it in panels directly), A is read in place, C is written without a separate zeroing
// pass. Register blocking: with AVX2 6 rows × 16 columns (12 accumulators), the usual shape;
// with AVX-512 (32 registers of 16 floats) 12 rows × 2 panels (24 accumulators), so each
// step's 14 loads feed 24 FMAs.

#include "CKernels.h"
#include "targets.h"

static void gemm_portable(long m, long n, long k, const float *a, long ars, long aks,
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

// C block [rows × 16·panels] = Σ_kk A(i, kk) · row kk of panels p and p + 1 (`panels` ∈ {1, 2},
// the second `panel_stride` floats after the first); rows ≤ 12 and panels are constants after
// inlining and the loops over them unrolled (the release build's -O2 would not: its
// accumulators then lived on the stack, slower than AVX2), so the accumulators live in registers.
#define UNROLLED _Pragma("clang loop unroll(full)")
static inline __attribute__((always_inline)) AVX512
void block512(int rows, int panels, long k, const float *restrict a, long ars, long aks,
              const float *restrict panel, long panel_stride, float *restrict c, long ldc) {
    __m512 acc[12][2];
    UNROLLED for (int i = 0; i < rows; i++)
        UNROLLED for (int v = 0; v < panels; v++) acc[i][v] = _mm512_setzero_ps();
    for (long kk = 0; kk < k; kk++) {
        __m512 bv[2];
        UNROLLED for (int v = 0; v < panels; v++) bv[v] = _mm512_loadu_ps(panel + v * panel_stride + kk * MRNN_PANEL);
        UNROLLED for (int i = 0; i < rows; i++) {
            const __m512 av = _mm512_set1_ps(a[i * ars + kk * aks]);
            UNROLLED for (int v = 0; v < panels; v++) acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
        }
    }
    UNROLLED for (int i = 0; i < rows; i++)
        UNROLLED for (int v = 0; v < panels; v++) _mm512_storeu_ps(c + i * ldc + MRNN_PANEL * v, acc[i][v]);
}

#define BLOCK512(r, v) block512(r, v, k, a + i * ars, ars, aks, panel, k * MRNN_PANEL, c + i * ldc + j0, ldc)
// Every row of one or two full panels: blocks of 12, then the 1–11 left, each with constant sizes.
#define ROW_BLOCKS512(v) { \
    for (; i + 12 <= m; i += 12) BLOCK512(12, v); \
    switch (m - i) { \
        case 11: BLOCK512(11, v); break; case 10: BLOCK512(10, v); break; case 9: BLOCK512(9, v); break; \
        case 8: BLOCK512(8, v); break; case 7: BLOCK512(7, v); break; case 6: BLOCK512(6, v); break; \
        case 5: BLOCK512(5, v); break; case 4: BLOCK512(4, v); break; case 3: BLOCK512(3, v); break; \
        case 2: BLOCK512(2, v); break; case 1: BLOCK512(1, v); break; \
    } }

static AVX512 void gemm_avx512(long m, long n, long k, const float *a, long ars, long aks,
                               const float *b, float *c, long ldc) {
    long j0 = 0;
    for (; j0 + MRNN_PANEL <= n; ) {
        const float *panel = b + j0 * k;
        long i = 0;
        if (j0 + 2 * MRNN_PANEL <= n) { ROW_BLOCKS512(2) j0 += 2 * MRNN_PANEL; }
        else { ROW_BLOCKS512(1) j0 += MRNN_PANEL; }
    }
    // A last panel of 8 columns: AVX2's blocks.
    if (j0 < n) gemm_avx2(m, n - j0, k, a, ars, aks, b + j0 * k, c + j0, ldc);
}

void mrnn_gemm_packed_at(int level, long m, long n, long k, const float *a, long ars, long aks,
                         const float *b, float *c, long ldc) {
    if (level >= 2 && mrnn_cpu_has_avx512()) gemm_avx512(m, n, k, a, ars, aks, b, c, ldc);
    else if (level >= 1 && mrnn_cpu_has_avx2_fma()) gemm_avx2(m, n, k, a, ars, aks, b, c, ldc);
    else gemm_portable(m, n, k, a, ars, aks, b, c, ldc);
}

#else

void mrnn_gemm_packed_at(int level, long m, long n, long k, const float *a, long ars, long aks,
                         const float *b, float *c, long ldc) {
    gemm_portable(m, n, k, a, ars, aks, b, c, ldc);
}

#endif

void mrnn_gemm_packed(long m, long n, long k, const float *a, long ars, long aks,
                      const float *b, float *c, long ldc) {
    mrnn_gemm_packed_at(2, m, n, k, a, ars, aks, b, c, ldc);
}
