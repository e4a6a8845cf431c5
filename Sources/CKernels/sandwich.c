// out = T X Tᵀ on many small matrices at once (see CKernels.h), the transforms of the Winograd
// convolutions. The AVX2 version holds eight matrices' elements per register and unrolls the
// matrix sizes the convolutions use; everything else goes through the generic loops. On AVX-512
// CPUs the transforms the convolutions use run sixteen matrices per register.

#include "CKernels.h"
#include "targets.h"

#define MAX MRNN_SANDWICH_MAX

void mrnn_sandwich_portable(const float *matrix, int q, int p,
                            const float *in, const long *in_offsets,
                            float *out, const long *out_offsets, long count) {
    for (long l = 0; l < count; l++) {
        float x[MAX * MAX], rows[MAX * MAX];
        for (int k = 0; k < p * p; k++) x[k] = in[in_offsets[k] + l];
        for (int a = 0; a < q; a++)
            for (int j = 0; j < p; j++) {
                float sum = 0;
                for (int i = 0; i < p; i++) sum += matrix[a * p + i] * x[i * p + j];
                rows[a * p + j] = sum;
            }
        for (int a = 0; a < q; a++)
            for (int b = 0; b < q; b++) {
                float sum = 0;
                for (int j = 0; j < p; j++) sum += matrix[b * p + j] * rows[a * p + j];
                out[out_offsets[a * q + b] + l] = sum;
            }
    }
}

#ifdef MRNN_HAVE_X86

// Eight lanes from `l` on; `mask` selects the lanes that exist when `partial`.
static inline __attribute__((always_inline)) AVX2
__m256 load8(const float *at, __m256i mask, int partial) {
    return partial ? _mm256_maskload_ps(at, mask) : _mm256_loadu_ps(at);
}

static inline __attribute__((always_inline)) AVX2
void store8(float *at, __m256 value, __m256i mask, int partial) {
    if (partial) _mm256_maskstore_ps(at, mask, value); else _mm256_storeu_ps(at, value);
}

// One block of eight lanes. Inlined with constant q and p, the loops unroll completely; each
// matrix entry is broadcast once per block and reused along its row.
static inline __attribute__((always_inline)) AVX2
void sandwich8(const float *restrict matrix, int q, int p, const float *restrict in,
               const long *restrict in_offsets, float *restrict out, const long *restrict out_offsets,
               long l, __m256i mask, int partial) {
    __m256 x[MAX * MAX], rows[MAX * MAX], t[MAX];
    for (int k = 0; k < p * p; k++) x[k] = load8(in + in_offsets[k] + l, mask, partial);
    for (int a = 0; a < q; a++) {
        for (int i = 0; i < p; i++) t[i] = _mm256_broadcast_ss(matrix + a * p + i);
        for (int j = 0; j < p; j++) {
            __m256 sum = _mm256_mul_ps(t[0], x[j]);
            for (int i = 1; i < p; i++) sum = _mm256_fmadd_ps(t[i], x[i * p + j], sum);
            rows[a * p + j] = sum;
        }
    }
    for (int b = 0; b < q; b++) {
        for (int j = 0; j < p; j++) t[j] = _mm256_broadcast_ss(matrix + b * p + j);
        for (int a = 0; a < q; a++) {
            __m256 sum = _mm256_mul_ps(t[0], rows[a * p]);
            for (int j = 1; j < p; j++) sum = _mm256_fmadd_ps(t[j], rows[a * p + j], sum);
            store8(out + out_offsets[a * q + b] + l, sum, mask, partial);
        }
    }
}

// Complete unrolling, so that the constant matrix entries become constants in the code.
#if defined(__clang__)
#define UNROLL _Pragma("clang loop unroll(full)")
#else
#define UNROLL _Pragma("GCC unroll 64")
#endif

// Σ_i c_i · v_i for coefficients that are compile-time constants (a `static const` matrix after
// inlining): zero terms vanish and ±1 need no multiply, so the branches fold away. Defined for
// 8 lanes (AVX2) and 16 (AVX-512) with the same operations in the same order, so both widths
// give every lane the same bits.
#define COMBINE_KNOWN(name, target, vector, zero, add, sub, mul, fmadd, broadcast) \
static inline __attribute__((always_inline)) target \
vector name(const float *c, int count, int c_stride, const vector *v, int v_stride) { \
    vector sum = zero(); \
    int started = 0; \
    UNROLL for (int i = 0; i < count; i++) { \
        const float k = c[i * c_stride]; \
        const vector x = v[i * v_stride]; \
        if (k == 0.0f) continue; \
        if (!started) sum = k == 1.0f ? x : k == -1.0f ? sub(zero(), x) : mul(broadcast(k), x); \
        else sum = k == 1.0f ? add(sum, x) : k == -1.0f ? sub(sum, x) : fmadd(broadcast(k), x, sum); \
        started = 1; \
    } \
    return sum; \
}
COMBINE_KNOWN(combine_known, AVX2, __m256, _mm256_setzero_ps, _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps,
              _mm256_fmadd_ps, _mm256_set1_ps)

// `sandwich8` for a constant matrix (see `combine_known`).
static inline __attribute__((always_inline)) AVX2
void sandwich8_known(const float *matrix, int q, int p, const float *restrict in,
                     const long *restrict in_offsets, float *restrict out, const long *restrict out_offsets,
                     long l) {
    __m256 x[MAX * MAX], rows[MAX * MAX];
    UNROLL for (int k = 0; k < p * p; k++) x[k] = _mm256_loadu_ps(in + in_offsets[k] + l);
    UNROLL for (int a = 0; a < q; a++)
        UNROLL for (int j = 0; j < p; j++) rows[a * p + j] = combine_known(matrix + a * p, p, 1, x + j, p);
    UNROLL for (int a = 0; a < q; a++)
        UNROLL for (int b = 0; b < q; b++)
            _mm256_storeu_ps(out + out_offsets[a * q + b] + l, combine_known(matrix + b * p, p, 1, rows + a * p, 1));
}

// The transforms of F(2×2, 5×5) at the points 0, 1, −1, 2, −½, ∞ and of F(2×2, 3×3) at 0, 1, −1, ∞,
// exactly as `WinogradTransforms` builds them (a test checks that they are recognised).
static const float input_2x5[36] = {
    1, 1.5f, -2, -1.5f, 1, 0,   0, -1, -2.5f, -0.5f, 1, 0,   0, 1, 0.5f, -2.5f, 1, 0,
    0, -0.5f, -1, 0.5f, 1, 0,   0, 2, -1, -2, 1, 0,           0, 1, 1.5f, -2, -1.5f, 1 };
static const float output_2x5[12] = { 1, 1, 1, 1, 1, 0,   0, 1, -1, 2, -0.5f, 1 };
static const float adjoint_2x5[12] = { 1, 0,  1, 1,  1, -1,  1, 2,  1, -0.5f,  0, 1 };
static const float input_2x3[16] = { -1, 0, 1, 0,   0, 1, 1, 0,   0, -1, 1, 0,   0, -1, 0, 1 };
static const float output_2x3[8] = { 1, 1, 1, 0,   0, 1, -1, 1 };
static const float adjoint_2x3[8] = { 1, 0,  1, 1,  1, -1,  0, 1 };

static int equal(const float *a, const float *b, int count) {
    for (int i = 0; i < count; i++) if (a[i] != b[i]) return 0;
    return 1;
}

// The known matrices and their sizes, in one table.
static const struct { const float *matrix; int q, p; } known[] = {
    { input_2x5, 6, 6 }, { output_2x5, 2, 6 }, { adjoint_2x5, 6, 2 },
    { input_2x3, 4, 4 }, { output_2x3, 2, 4 }, { adjoint_2x3, 4, 2 },
};

// Index of `matrix` in `known`, or -1.
static int known_index(const float *matrix, int q, int p) {
    for (int t = 0; t < (int)(sizeof known / sizeof known[0]); t++)
        if (known[t].q == q && known[t].p == p && equal(matrix, known[t].matrix, q * p)) return t;
    return -1;
}

// The full vectors of a run with known matrix `index`; returns how many lanes it did.
#define KNOWN(t, table, q, p) \
    case t: for (; l + 8 <= count; l += 8) sandwich8_known(table, q, p, in, in_offsets, out, out_offsets, l); break;

static AVX2 long sandwich_known(int index, const float *in, const long *in_offsets,
                                float *out, const long *out_offsets, long count) {
    long l = 0;
    switch (index) {
        KNOWN(0, input_2x5, 6, 6) KNOWN(1, output_2x5, 2, 6) KNOWN(2, adjoint_2x5, 6, 2)
        KNOWN(3, input_2x3, 4, 4) KNOWN(4, output_2x3, 2, 4) KNOWN(5, adjoint_2x3, 4, 2)
    }
    return l;
}

int mrnn_sandwich_is_specialised(const float *matrix, int q, int p) {
    return mrnn_cpu_has_avx2_fma() && known_index(matrix, q, p) >= 0;
}

static inline __attribute__((always_inline)) AVX2
void sandwich_lanes(const float *matrix, int q, int p, const float *in, const long *in_offsets,
                    float *out, const long *out_offsets, long count) {
    long l = 0;
    const __m256i none = _mm256_setzero_si256();
    for (; l + 8 <= count; l += 8) sandwich8(matrix, q, p, in, in_offsets, out, out_offsets, l, none, 0);
    if (l < count) {
        const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(count - l)), lane);
        sandwich8(matrix, q, p, in, in_offsets, out, out_offsets, l, mask, 1);
    }
}

#define SIZE(q, p) ((q) * 16 + (p))
#define UNROLLED(q, p) \
    case SIZE(q, p): sandwich_lanes(matrix, q, p, in, in_offsets, out, out_offsets, count); return;

// Any matrix, unrolled for the sizes the convolutions use.
static AVX2 void sandwich_generic(const float *matrix, int q, int p, const float *in, const long *in_offsets,
                                  float *out, const long *out_offsets, long count) {
    switch (SIZE(q, p)) {
        // F(2×2, 5×5): input 6×6, output 2×6, adjoints 6×2; kernel 6×5 and its adjoint 5×6.
        UNROLLED(6, 6) UNROLLED(2, 6) UNROLLED(6, 2) UNROLLED(6, 5) UNROLLED(5, 6)
        // F(2×2, 3×3): 4×4, 2×4, 4×2, 4×3, 3×4.
        UNROLLED(4, 4) UNROLLED(2, 4) UNROLLED(4, 2) UNROLLED(4, 3) UNROLLED(3, 4)
        default: sandwich_lanes(matrix, q, p, in, in_offsets, out, out_offsets, count); return;
    }
}

static AVX2 void sandwich_runs_avx2(const float *matrix, int q, int p, const float *in, const long *in_offsets,
                                    const long *in_starts, float *out, const long *out_offsets,
                                    const long *out_starts, long runs, long count) {
    // The matrix is recognised once per call; known ones take the full vectors of each run.
    const int index = known_index(matrix, q, p);
    for (long g = 0; g < runs; g++) {
        const float *run_in = in + in_starts[g];
        float *run_out = out + out_starts[g];
        const long done = index >= 0 ? sandwich_known(index, run_in, in_offsets, run_out, out_offsets, count) : 0;
        if (done < count)
            sandwich_generic(matrix, q, p, run_in + done, in_offsets, run_out + done, out_offsets, count - done);
    }
}

// AVX-512: the known matrices on 16 lanes, two blocks of 8 lanes per register. The blocks need
// not be adjacent: the input transforms run over tile rows of 8 tiles (a 16 × 16 plane), so
// the two halves are usually two runs. Same operations per lane as `sandwich8_known`, so the
// same bits; about 1.9× its speed on the 6 × 6 input transform (Emerald Rapids, one core).

COMBINE_KNOWN(combine_known16, AVX512, __m512, _mm512_setzero_ps, _mm512_add_ps, _mm512_sub_ps, _mm512_mul_ps,
              _mm512_fmadd_ps, _mm512_set1_ps)

static inline __attribute__((always_inline)) AVX512
void sandwich16_known(const float *matrix, int q, int p, const float *restrict low_in, const float *restrict high_in,
                      const long *restrict in_offsets, float *restrict low_out, float *restrict high_out,
                      const long *restrict out_offsets) {
    __m512 x[MAX * MAX], rows[MAX * MAX];
    UNROLL for (int k = 0; k < p * p; k++)
        x[k] = _mm512_insertf32x8(_mm512_castps256_ps512(_mm256_loadu_ps(low_in + in_offsets[k])),
                                  _mm256_loadu_ps(high_in + in_offsets[k]), 1);
    UNROLL for (int a = 0; a < q; a++)
        UNROLL for (int j = 0; j < p; j++) rows[a * p + j] = combine_known16(matrix + a * p, p, 1, x + j, p);
    UNROLL for (int a = 0; a < q; a++)
        UNROLL for (int b = 0; b < q; b++) {
            const __m512 v = combine_known16(matrix + b * p, p, 1, rows + a * p, 1);
            _mm256_storeu_ps(low_out + out_offsets[a * q + b], _mm512_castps512_ps256(v));
            _mm256_storeu_ps(high_out + out_offsets[a * q + b], _mm512_extractf32x8_ps(v, 1));
        }
}

#define KNOWN16(t, table, q, p) \
    case t: sandwich16_known(table, q, p, low_in, high_in, in_offsets, low_out, high_out, out_offsets); break;

static AVX512 void sandwich_known_pair(int index, const float *low_in, const float *high_in, const long *in_offsets,
                                       float *low_out, float *high_out, const long *out_offsets) {
    switch (index) {
        KNOWN16(0, input_2x5, 6, 6) KNOWN16(1, output_2x5, 2, 6) KNOWN16(2, adjoint_2x5, 6, 2)
        KNOWN16(3, input_2x3, 4, 4) KNOWN16(4, output_2x3, 2, 4) KNOWN16(5, adjoint_2x3, 4, 2)
    }
}

static AVX512 void sandwich_runs_avx512(const float *matrix, int q, int p, const float *in, const long *in_offsets,
                                        const long *in_starts, float *out, const long *out_offsets,
                                        const long *out_starts, long runs, long count) {
    const int index = known_index(matrix, q, p);
    if (index < 0) {
        sandwich_runs_avx2(matrix, q, p, in, in_offsets, in_starts, out, out_offsets, out_starts, runs, count);
        return;
    }
    // Every full block of 8 lanes, in order over the runs, paired with the next one; a block
    // left without a partner, and each run's last count mod 8 lanes, go the AVX2 way.
    const long blocks = count / 8, tail = count - 8 * blocks;
    const float *waiting_in = 0;
    float *waiting_out = 0;
    for (long g = 0; g < runs; g++) {
        const float *run_in = in + in_starts[g];
        float *run_out = out + out_starts[g];
        for (long b = 0; b < blocks; b++) {
            if (waiting_in) {
                sandwich_known_pair(index, waiting_in, run_in + 8 * b, in_offsets, waiting_out, run_out + 8 * b,
                                    out_offsets);
                waiting_in = 0;
            } else {
                waiting_in = run_in + 8 * b;
                waiting_out = run_out + 8 * b;
            }
        }
        if (tail > 0)
            sandwich_generic(matrix, q, p, run_in + 8 * blocks, in_offsets, run_out + 8 * blocks, out_offsets, tail);
    }
    if (waiting_in) sandwich_known(index, waiting_in, in_offsets, waiting_out, out_offsets, 8);
}

void mrnn_sandwich_runs_at(int level, const float *matrix, int q, int p, const float *in, const long *in_offsets,
                           const long *in_starts, float *out, const long *out_offsets, const long *out_starts,
                           long runs, long count) {
    if (level >= 2 && mrnn_cpu_has_avx512()) {
        sandwich_runs_avx512(matrix, q, p, in, in_offsets, in_starts, out, out_offsets, out_starts, runs, count);
        return;
    }
    if (level >= 1 && mrnn_cpu_has_avx2_fma()) {
        sandwich_runs_avx2(matrix, q, p, in, in_offsets, in_starts, out, out_offsets, out_starts, runs, count);
        return;
    }
    for (long g = 0; g < runs; g++)
        mrnn_sandwich_portable(matrix, q, p, in + in_starts[g], in_offsets, out + out_starts[g], out_offsets, count);
}

#else

int mrnn_sandwich_is_specialised(const float *matrix, int q, int p) { return 0; }

void mrnn_sandwich_runs_at(int level, const float *matrix, int q, int p, const float *in, const long *in_offsets,
                           const long *in_starts, float *out, const long *out_offsets, const long *out_starts,
                           long runs, long count) {
    for (long g = 0; g < runs; g++)
        mrnn_sandwich_portable(matrix, q, p, in + in_starts[g], in_offsets, out + out_starts[g], out_offsets, count);
}

#endif

void mrnn_sandwich_runs(const float *matrix, int q, int p, const float *in, const long *in_offsets,
                        const long *in_starts, float *out, const long *out_offsets, const long *out_starts,
                        long runs, long count) {
    mrnn_sandwich_runs_at(2, matrix, q, p, in, in_offsets, in_starts, out, out_offsets, out_starts, runs, count);
}

void mrnn_sandwich(const float *matrix, int q, int p, const float *in, const long *in_offsets,
                   float *out, const long *out_offsets, long count) {
    const long start = 0;
    mrnn_sandwich_runs(matrix, q, p, in, in_offsets, &start, out, out_offsets, &start, 1, count);
}

void mrnn_sandwich_matrices(const float *matrix, int q, int p, const float *in,
                            float *out, const long *out_offsets, long count) {
    const int area = p * p;
    float lanes[MAX * MAX * 8];
    long offsets[MAX * MAX];
    for (int k = 0; k < area; k++) offsets[k] = 8 * k;
    for (long first = 0; first < count; first += 8) {
        const long width = count - first < 8 ? count - first : 8;
        // Eight matrices side by side: element k of matrix l at lanes[8k + l].
        for (long l = 0; l < width; l++)
            for (int k = 0; k < area; k++) lanes[8 * k + l] = in[(first + l) * area + k];
        mrnn_sandwich(matrix, q, p, lanes, offsets, out + first, out_offsets, width);
    }
}
