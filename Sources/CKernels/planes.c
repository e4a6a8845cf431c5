// Copies between image planes and the layouts of the Winograd convolutions (see CKernels.h),
// with m = 2 (the block every convolution here uses) as its own loops, 16 floats per step with
// AVX2. In Swift these copies took ≈ 7 % of a 32-channel training step; in C the Winograd passes
// run 1–6 % faster.

#include "CKernels.h"
#include "targets.h"

#ifdef MRNN_HAVE_X86

// 16 floats a, b → their even and odd elements, 8 each, in order.
static inline __attribute__((always_inline)) AVX2
void deinterleave16(const float *in, __m256 *even, __m256 *odd) {
    const __m256 a = _mm256_loadu_ps(in), b = _mm256_loadu_ps(in + 8);
    const __m256 low = _mm256_permute2f128_ps(a, b, 0x20), high = _mm256_permute2f128_ps(a, b, 0x31);
    *even = _mm256_shuffle_ps(low, high, _MM_SHUFFLE(2, 0, 2, 0));
    *odd = _mm256_shuffle_ps(low, high, _MM_SHUFFLE(3, 1, 3, 1));
}

// dest_even[k] = in[2k], dest_odd[k] = in[2k + 1] for 2k + 1 < count (and the last even one when
// count is odd): the m = 2 split of a row, 16 floats per step.
static inline __attribute__((always_inline)) AVX2
void deinterleave_avx2(const float *restrict in, long count, float *restrict dest_even, float *restrict dest_odd) {
    long k = 0;
    for (; 2 * k + 16 <= count; k += 8) {
        __m256 even, odd;
        deinterleave16(in + 2 * k, &even, &odd);
        _mm256_storeu_ps(dest_even + k, even);
        _mm256_storeu_ps(dest_odd + k, odd);
    }
    for (; 2 * k + 1 < count; k++) { dest_even[k] = in[2 * k]; dest_odd[k] = in[2 * k + 1]; }
    if (2 * k < count) dest_even[k] = in[2 * k];
}

// out[2k] = even[k] + shift, out[2k + 1] = odd[k] + shift for 2k + 1 < count (and the last
// even one when count is odd), 16 floats per step.
static inline __attribute__((always_inline)) AVX2
void interleave_avx2(const float *restrict even, const float *restrict odd, float shift, long count,
                     float *restrict out) {
    const __m256 s = _mm256_set1_ps(shift);
    long k = 0;
    for (; 2 * k + 16 <= count; k += 8) {
        const __m256 e = _mm256_add_ps(_mm256_loadu_ps(even + k), s), o = _mm256_add_ps(_mm256_loadu_ps(odd + k), s);
        const __m256 low = _mm256_unpacklo_ps(e, o), high = _mm256_unpackhi_ps(e, o);
        _mm256_storeu_ps(out + 2 * k, _mm256_permute2f128_ps(low, high, 0x20));
        _mm256_storeu_ps(out + 2 * k + 8, _mm256_permute2f128_ps(low, high, 0x31));
    }
    for (; 2 * k + 1 < count; k++) { out[2 * k] = even[k] + shift; out[2 * k + 1] = odd[k] + shift; }
    if (2 * k < count) out[2 * k] = even[k] + shift;
}
// The m = 2 versions of the three copies below, whole planes per call.
static AVX2 void phase_split2_avx2(const float *image, long height, long width, long padding, float *plane,
                                   long phase_stride, long row_stride) {
    // Column x goes to phase (x + padding) mod 2, index (x + padding) / 2: the even columns to
    // one phase from index ⌊padding / 2⌋, the odd ones to the other from ⌊(padding + 1) / 2⌋.
    for (long y = 0; y < height; y++) {
        float *row = plane + (y + padding) * row_stride;
        deinterleave_avx2(image + y * width, width, row + (padding % 2) * phase_stride + padding / 2,
                          row + ((padding + 1) % 2) * phase_stride + (padding + 1) / 2);
    }
}

static AVX2 void blocks_to_plane2_avx2(const float *blocks, long per_image, long lane_columns, long oh, long ow,
                                       float shift, float *plane) {
    for (long y = 0; y < oh; y++) {
        const float *tiles = blocks + (y % 2) * 2 * per_image + (y / 2) * lane_columns;
        interleave_avx2(tiles, tiles + per_image, shift, ow, plane + y * ow);
    }
}

static AVX2 void plane_to_blocks2_avx2(const float *plane, long per_image, long lane_columns, long oh, long ow,
                                       float *blocks) {
    for (long y = 0; y < oh; y++) {
        float *tiles = blocks + (y % 2) * 2 * per_image + (y / 2) * lane_columns;
        deinterleave_avx2(plane + y * ow, ow, tiles, tiles + per_image);
    }
}
#endif

// First u with m·u + s ≥ padding, and the end of the u whose column m·u + s − padding < width.
static inline void phase_range(long s, long m, long padding, long width, long *first, long *end) {
    *first = (padding - s + m - 1) / m;
    const long last = (width + padding - s + m - 1) / m;
    *end = last > *first ? last : *first;
}

static inline __attribute__((always_inline))
void phase_split(const float *restrict image, long height, long width, long m, long padding,
                 float *restrict plane, long phase_stride, long row_stride) {
    for (long y = 0; y < height; y++) {
        const float *source = image + y * width;
        float *row = plane + (y + padding) * row_stride;
        for (long s = 0; s < m; s++) {
            long first, end;
            phase_range(s, m, padding, width, &first, &end);
            for (long u = first; u < end; u++) row[s * phase_stride + u] = source[m * u + s - padding];
        }
    }
}

void mrnn_phase_split(const float *image, long height, long width, long m, long padding,
                      float *plane, long phase_stride, long row_stride) {
#ifdef MRNN_HAVE_X86
    if (m == 2 && mrnn_cpu_has_avx2_fma()) {
        phase_split2_avx2(image, height, width, padding, plane, phase_stride, row_stride);
        return;
    }
#endif
    if (m == 2) phase_split(image, height, width, 2, padding, plane, phase_stride, row_stride);
    else phase_split(image, height, width, m, padding, plane, phase_stride, row_stride);
}

// Pixel (y, x) of an oh × ow plane is element (y mod m, x mod m) of tile (y / m, x / m), which
// sits at blocks[((y mod m)·m + x mod m)·per_image + (y / m)·lane_columns + x / m].
void mrnn_blocks_to_plane(const float *restrict blocks, long per_image, long lane_columns, long m,
                          long oh, long ow, float shift, float *restrict plane) {
#ifdef MRNN_HAVE_X86
    if (m == 2 && mrnn_cpu_has_avx2_fma()) {
        blocks_to_plane2_avx2(blocks, per_image, lane_columns, oh, ow, shift, plane);
        return;
    }
#endif
    for (long y = 0; y < oh; y++) {
        const float *tiles = blocks + (y % m) * m * per_image + (y / m) * lane_columns;
        float *restrict row = plane + y * ow;
        if (m == 2) {
            // Both phases in one loop: the stores interleave two runs (shuffles, not scatters).
            const float *restrict even = tiles, *restrict odd = tiles + per_image;
            long u = 0;
            for (; 2 * u + 1 < ow; u++) {
                row[2 * u] = even[u] + shift;
                row[2 * u + 1] = odd[u] + shift;
            }
            if (2 * u < ow) row[2 * u] = even[u] + shift;
        } else {
            for (long x = 0; x < ow; x++) row[x] = tiles[(x % m) * per_image + x / m] + shift;
        }
    }
}

void mrnn_plane_to_blocks(const float *restrict plane, long per_image, long lane_columns, long m,
                          long oh, long ow, float *restrict blocks) {
#ifdef MRNN_HAVE_X86
    if (m == 2 && mrnn_cpu_has_avx2_fma()) {
        plane_to_blocks2_avx2(plane, per_image, lane_columns, oh, ow, blocks);
        return;
    }
#endif
    for (long y = 0; y < oh; y++) {
        float *tiles = blocks + (y % m) * m * per_image + (y / m) * lane_columns;
        const float *restrict row = plane + y * ow;
        if (m == 2) {
            float *restrict even = tiles, *restrict odd = tiles + per_image;
            long u = 0;
            for (; 2 * u + 1 < ow; u++) {
                even[u] = row[2 * u];
                odd[u] = row[2 * u + 1];
            }
            if (2 * u < ow) even[u] = row[2 * u];
        } else {
            for (long x = 0; x < ow; x++) tiles[(x % m) * per_image + x / m] = row[x];
        }
    }
}
