// Copies between image planes and the layouts of the Winograd convolutions (see CKernels.h),
// with m = 2 (the block every convolution here uses) as its own loops. In Swift these copies
// took ≈ 7 % of a 32-channel training step; in C the Winograd passes run 1–6 % faster.

#include "CKernels.h"

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
    if (m == 2) phase_split(image, height, width, 2, padding, plane, phase_stride, row_stride);
    else phase_split(image, height, width, m, padding, plane, phase_stride, row_stride);
}

// Pixel (y, x) of an oh × ow plane is element (y mod m, x mod m) of tile (y / m, x / m), which
// sits at blocks[((y mod m)·m + x mod m)·per_image + (y / m)·lane_columns + x / m].
void mrnn_blocks_to_plane(const float *restrict blocks, long per_image, long lane_columns, long m,
                          long oh, long ow, float shift, float *restrict plane) {
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
