#include "CKernels.h"

void mrnn_transpose(const float *restrict in, long rows, long cols, float *restrict out) {
    enum { BLOCK = 32 };
    for (long r0 = 0; r0 < rows; r0 += BLOCK) {
        const long r1 = r0 + BLOCK < rows ? r0 + BLOCK : rows;
        for (long c0 = 0; c0 < cols; c0 += BLOCK) {
            const long c1 = c0 + BLOCK < cols ? c0 + BLOCK : cols;
            for (long r = r0; r < r1; r++)
                for (long c = c0; c < c1; c++) out[c * rows + r] = in[r * cols + c];
        }
    }
}
