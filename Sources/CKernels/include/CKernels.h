#ifndef MOTIONRNN_CKERNELS_H
#define MOTIONRNN_CKERNELS_H

/// The engine's few kernels in C: ones that need AVX2 + FMA (or AVX-512), which the Swift code
/// (compiled for baseline x86-64, to run on any machine) cannot use. Each picks the best version
/// the CPU runs at run time, else a portable version with the same results up to rounding.

/// Largest matrix side `mrnn_sandwich` takes.
#define MRNN_SANDWICH_MAX 8

/// For a small row-major matrix T [q × p] and many p×p matrices X, stored as one vector of
/// `count` floats per element: out = T X Tᵀ, i.e.
///     out(a, b)[l] = Σ_{i,j} T[a][i] · T[b][j] · in(i, j)[l]   for l < count,
/// where vector in(i, j) starts at in + in_offsets[i·p + j] and out(a, b) at
/// out + out_offsets[a·q + b]. q and p are at most MRNN_SANDWICH_MAX. Outputs must not
/// overlap the inputs.
void mrnn_sandwich(const float *matrix, int q, int p,
                   const float *in, const long *in_offsets,
                   float *out, const long *out_offsets, long count);

/// `mrnn_sandwich` on `runs` groups of `count` lanes in one call (the matrix is recognised once):
/// run g reads its vectors at in + in_starts[g] + in_offsets[k] and writes them at
/// out + out_starts[g] + out_offsets[k], e.g. all tile rows of a plane.
void mrnn_sandwich_runs(const float *matrix, int q, int p, const float *in, const long *in_offsets,
                        const long *in_starts, float *out, const long *out_offsets, const long *out_starts,
                        long runs, long count);

/// `mrnn_sandwich_runs` with the kernels of at most `level` (0 portable, 1 AVX2 + FMA, 2 AVX-512
/// for the known transforms), or the best below where the CPU lacks them (for tests of each
/// version). Levels 1 and 2 give the same bits.
void mrnn_sandwich_runs_at(int level, const float *matrix, int q, int p, const float *in, const long *in_offsets,
                           const long *in_starts, float *out, const long *out_offsets, const long *out_starts,
                           long runs, long count);

/// `mrnn_sandwich` on `count` p×p matrices stored one after another (matrix l's element
/// (i, j) at in[l·p² + i·p + j]), e.g. a convolution weight [pairs, r, r]; output as there.
void mrnn_sandwich_matrices(const float *matrix, int q, int p, const float *in,
                            float *out, const long *out_offsets, long count);

/// The portable version of `mrnn_sandwich` (for tests of the dispatch).
void mrnn_sandwich_portable(const float *matrix, int q, int p,
                            const float *in, const long *in_offsets,
                            float *out, const long *out_offsets, long count);

/// 1 when `mrnn_sandwich` runs a version specialised to this matrix's constants on this CPU (the
/// Winograd transforms of F(2×2, 3×3) and F(2×2, 5×5) it knows; AVX2 machines only).
int mrnn_sandwich_is_specialised(const float *matrix, int q, int p);

/// 1 when the CPU has AVX2 and FMA (x86 only; 0 elsewhere): then `mrnn_sandwich` runs its AVX2 + FMA
/// version and `mrnn_gemm_packed` that or AVX-512.
int mrnn_cpu_has_avx2_fma(void);

/// 1 when the CPU has AVX-512 F, BW, DQ and VL (what Skylake-SP and later Xeons have).
int mrnn_cpu_has_avx512(void);

/// Columns per panel of a packed B matrix (`mrnn_gemm_packed`).
#define MRNN_PANEL 16

/// C [m × n] = A [m × k] · B [k × n], row-major C with row stride `ldc`. A's element (i, kk) is
/// at a + i·a_row_stride + kk·a_k_stride (so a transposed A is just other strides). B is
/// packed: column panels of MRNN_PANEL columns, panel P holding its k rows of MRNN_PANEL floats
/// one after the other from b + P·k·MRNN_PANEL; a last panel of n mod MRNN_PANEL columns (which
/// must then be 8) holds rows of 8 floats. n must be a multiple of 8.
void mrnn_gemm_packed(long m, long n, long k, const float *a, long a_row_stride, long a_k_stride,
                      const float *b, float *c, long ldc);

/// `mrnn_gemm_packed` with the kernels of at most `level` (0 portable, 1 AVX2 + FMA, 2 AVX-512),
/// or the best below where the CPU lacks them (for tests of each version).
void mrnn_gemm_packed_at(int level, long m, long n, long k, const float *a, long a_row_stride, long a_k_stride,
                         const float *b, float *c, long ldc);

/// Copies image [height × width] into the zero-padded plane of the Winograd input tiles, stored
/// phase-split: padded column X = x + padding goes to plane[(y + padding)·row_stride +
/// (X mod m)·phase_stride + X / m]. The padding around stays as it was (zero).
void mrnn_phase_split(const float *image, long height, long width, long m, long padding,
                      float *plane, long phase_stride, long row_stride);

/// plane [oh × ow] = output blocks + shift, where pixel (y, x) is element (y mod m, x mod m) of
/// tile (y / m, x / m): blocks[((y mod m)·m + x mod m)·per_image + (y / m)·lane_columns + x / m].
void mrnn_blocks_to_plane(const float *blocks, long per_image, long lane_columns, long m,
                          long oh, long ow, float shift, float *plane);

/// The reverse of `mrnn_blocks_to_plane` (without shift): the plane's pixels into their blocks;
/// block elements past the plane are left as they were.
void mrnn_plane_to_blocks(const float *plane, long per_image, long lane_columns, long m,
                          long oh, long ow, float *blocks);

/// A spin-wait hint for the CPU (busy-wait loops of the worker pool).
static inline void mrnn_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/// out [cols × rows] = in [rows × cols]ᵀ, in cache-sized blocks.
void mrnn_transpose(const float *in, long rows, long cols, float *out);

#endif
