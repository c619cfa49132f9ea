package dev.jgrad.core.kernel;

/**
 * Plain-array passes over image planes for the convolution and normalization ops: im2col/col2im, bias rows, and the
 * per-block sums and affine maps of batch and group normalization, on {@code float[]} storage.
 *
 * <p>Element-wise passes compute exactly what the {@code Storage} loops they replaced did (in double, one rounding
 * per stored element); the normalization sums are in double too, but over four interleaved accumulators (see there),
 * which can move a statistic by an ulp of a double and so, rarely, a float32 output by one ulp. The ops run them on several threads by splitting over samples, planes or
 * channels ({@link ParallelRanges}), which changes no order of summation.
 *
 * <p>One source for both precisions: {@code PlanesF32.java} is the template and the build writes its 64-bit twin
 * ({@code PlanesF64}, on {@code double[]}) by token substitution in the {@code generate-f64} step of
 * the root {@code pom.xml}. Edit {@code PlanesF32.java} only.
 */
public final class PlanesF32 {
    private PlanesF32() {
    }

    // ------------------------------------------------------------------ im2col / col2im

    /**
     * im2col ({@code back} false) or col2im ({@code back} true) for one sample: the {@code [c, h, w]} sample at
     * {@code x[xOff ..]} and its column matrix {@code [c·kh·kw, oh·ow]} at {@code col[colOff ..]}, for a {@code kh × kw}
     * kernel of strides {@code sh, sw}, dilations {@code dh, dw} and top/left padding {@code ph0, pw0}. im2col writes
     * every column entry (zeros where the block reads padding); col2im adds every column entry into the input element
     * it was read from.
     */
    public static void patches(int c, int h, int w, int kh, int kw, int sh, int sw, int ph0, int pw0, int dh, int dw,
                               int oh, int ow, float[] x, int xOff, float[] col, int colOff, boolean back) {
        int l = oh * ow, r = 0;
        for (int ch = 0; ch < c; ch++) {
            int plane = xOff + ch * h * w;
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++, r++) {
                    int iw0 = kj * dw - pw0;
                    // output columns j whose input column iw0 + j·sw lies inside [0, w)
                    int jlo = iw0 >= 0 ? 0 : Math.min(ow, (-iw0 + sw - 1) / sw);
                    int jhi = iw0 > w - 1 ? 0 : Math.min(ow, (w - 1 - iw0) / sw + 1);
                    if (jhi < jlo) jhi = jlo;
                    for (int i = 0; i < oh; i++) {
                        int ih = i * sh - ph0 + ki * dh, o0 = colOff + r * l + i * ow;
                        if (ih < 0 || ih >= h) {
                            if (!back) java.util.Arrays.fill(col, o0, o0 + ow, 0f);
                            continue;
                        }
                        int base = plane + ih * w + iw0;
                        if (back) {
                            if (sw == 1) {
                                for (int j = jlo; j < jhi; j++) x[base + j] += col[o0 + j];
                            } else {
                                for (int j = jlo; j < jhi; j++) x[base + j * sw] += col[o0 + j];
                            }
                            continue;
                        }
                        for (int j = 0; j < jlo; j++) col[o0 + j] = 0f;
                        if (sw == 1) {
                            System.arraycopy(x, base + jlo, col, o0 + jlo, jhi - jlo);
                        } else {
                            for (int j = jlo; j < jhi; j++) col[o0 + j] = x[base + j * sw];
                        }
                        for (int j = jhi; j < ow; j++) col[o0 + j] = 0f;
                    }
                }
            }
        }
    }

    /** {@code y[off + r·l + i] += b[r]} for {@code r < rows}, {@code i < l}: a bias per row. */
    public static void addRows(float[] y, int off, int rows, int l, float[] b) {
        for (int r = 0; r < rows; r++) {
            float bv = b[r];
            for (int i = off + r * l, end = i + l; i < end; i++) y[i] += bv;
        }
    }

    /** {@code Σ x[off + k·stride + i]} over {@code k < blocks}, {@code i < n}, one double sum in that order. */
    public static double blockedSum(float[] x, int off, int n, int blocks, int stride) {
        double s = 0;
        for (int k = 0; k < blocks; k++) {
            for (int i = off + k * stride, end = i + n; i < end; i++) s += x[i];
        }
        return s;
    }

    // ------------------------------------------------------------------ normalization blocks (double accumulation)
    // The sums run four double accumulators over j mod 4 (combined as (s0 + s1) + (s2 + s3), then the tail in order):
    // a fixed order, independent of the thread split, and four times shorter add chains than one running sum.

    /** {@code Σ x} over {@code n} elements from {@code off}. */
    public static double sum(float[] x, int off, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = off, end = off + n;
        for (int e4 = end - 3; j < e4; j += 4) {
            s0 += x[j];
            s1 += x[j + 1];
            s2 += x[j + 2];
            s3 += x[j + 3];
        }
        double s = (s0 + s1) + (s2 + s3);
        for (; j < end; j++) s += x[j];
        return s;
    }

    /** {@code Σ (x − mean)²} over {@code n} elements from {@code off}. */
    public static double centredSquares(float[] x, int off, int n, double mean) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = off, end = off + n;
        for (int e4 = end - 3; j < e4; j += 4) {
            double d0 = x[j] - mean, d1 = x[j + 1] - mean, d2 = x[j + 2] - mean, d3 = x[j + 3] - mean;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        double s = (s0 + s1) + (s2 + s3);
        for (; j < end; j++) {
            double d = x[j] - mean;
            s += d * d;
        }
        return s;
    }

    /** {@code y = (x − mean)·scale + shift} over {@code n} elements from {@code off}. */
    public static void scaleShift(float[] x, float[] y, int off, int n, double mean, double scale, double shift) {
        for (int j = off, end = off + n; j < end; j++) y[j] = (float) ((x[j] - mean) * scale + shift);
    }

    /** {@code Σ g} and {@code Σ g·x̂} ({@code x̂ = (x − mean)·rstd}) over {@code n} elements from {@code off}, into {@code sums}. */
    public static void blockSums(float[] x, float[] g, int off, int n, double mean, double rstd, double[] sums) {
        double g0 = 0, g1 = 0, g2 = 0, g3 = 0, x0 = 0, x1 = 0, x2 = 0, x3 = 0;
        int j = off, end = off + n;
        for (int e4 = end - 3; j < e4; j += 4) {
            double a = g[j], b = g[j + 1], c = g[j + 2], d = g[j + 3];
            g0 += a;
            g1 += b;
            g2 += c;
            g3 += d;
            x0 += a * (x[j] - mean);
            x1 += b * (x[j + 1] - mean);
            x2 += c * (x[j + 2] - mean);
            x3 += d * (x[j + 3] - mean);
        }
        double sg = (g0 + g1) + (g2 + g3), sgx = (x0 + x1) + (x2 + x3);
        for (; j < end; j++) {
            double gv = g[j];
            sg += gv;
            sgx += gv * (x[j] - mean);
        }
        sums[0] = sg;
        sums[1] = sgx * rstd;
    }

    /** {@code dx = rstd·(g·w − mg − x̂·mgx)} over {@code n} elements from {@code off}. */
    public static void blockGrad(float[] x, float[] g, float[] dx, int off, int n, double mean, double rstd, double w,
                                 double mg, double mgx) {
        for (int j = off, end = off + n; j < end; j++) {
            double xh = (x[j] - mean) * rstd;
            dx[j] = (float) (rstd * (g[j] * w - mg - xh * mgx));
        }
    }
}
