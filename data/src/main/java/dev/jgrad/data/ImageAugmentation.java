package dev.jgrad.data;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Random label-preserving transforms of image rows, applied by a {@link DataLoader} to every training sample as its
 * batch is gathered ({@link DataLoader#withAugmentation}): a horizontal flip with probability {@code p} and a
 * translation by up to {@code k} pixels in each direction with zero fill (torchvision's
 * {@code RandomHorizontalFlip(p)} and {@code RandomCrop(size, padding=k)} on zero-padded images).
 *
 * <p>A row holds {@code channels × height × width} values in that order (channel-major, as {@code Unflatten} reads
 * it). The draw for a sample depends only on the loader's seed, the epoch and the sample's row in the data set — not
 * on the batch it lands in, the gathering thread or the iteration order — so a run (and a resumed run) sees the same
 * augmented samples every time.
 *
 * <p>Zero fill assumes that 0 is the background, as for pixels scaled to {@code [0, 1]}; standardise after augmenting,
 * not before.
 */
public final class ImageAugmentation {
    private final int channels, height, width;
    private final double flip;
    private final int shift;

    private ImageAugmentation(int channels, int height, int width, double flip, int shift) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.flip = flip;
        this.shift = shift;
    }

    /**
     * No transform yet, for images of this shape; add them with {@link #horizontalFlip} and {@link #randomShift}.
     *
     * @param channels channels, at least 1
     * @param height   rows of pixels, at least 1
     * @param width    columns of pixels, at least 1
     * @return the identity augmentation for that shape
     */
    public static ImageAugmentation images(int channels, int height, int width) {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("ImageAugmentation.images: channels, height and width must be >= 1, got "
                    + channels + ", " + height + ", " + width);
        }
        if ((long) channels * height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("ImageAugmentation.images: " + channels + " x " + height + " x " + width + " values per image is too many");
        }
        return new ImageAugmentation(channels, height, width, 0, 0);
    }

    /**
     * Parses a command-line form: {@code none}, or a comma-separated list of {@code flip} (probability 0.5),
     * {@code flip=P} and {@code shift=K}.
     *
     * @param spec     the form
     * @param channels channels of the images
     * @param height   image height
     * @param width    image width
     * @return the augmentation
     * @throws IllegalArgumentException naming the part that is not understood
     */
    public static ImageAugmentation parse(String spec, int channels, int height, int width) {
        if (spec == null) throw new IllegalArgumentException("ImageAugmentation.parse: spec is null");
        ImageAugmentation a = images(channels, height, width);
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("none") || s.isEmpty()) return a;
        for (String part : s.split(",")) {
            String p = part.trim();
            try {
                if (p.equals("flip")) a = a.horizontalFlip(0.5);
                else if (p.startsWith("flip=")) a = a.horizontalFlip(Double.parseDouble(p.substring(5)));
                else if (p.startsWith("shift=")) a = a.randomShift(Integer.parseInt(p.substring(6)));
                else throw new IllegalArgumentException("unknown transform '" + p + "'");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("augmentation '" + spec + "': " + e.getMessage()
                        + " (expected none, or a comma-separated list of flip, flip=P, shift=K)", e);
            }
        }
        return a;
    }

    /**
     * Also flips each image left-right with probability {@code p}.
     *
     * @param p the probability, in {@code [0, 1]}
     * @return a new augmentation
     */
    public ImageAugmentation horizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("ImageAugmentation.horizontalFlip: p must be in [0, 1], got " + p);
        return new ImageAugmentation(channels, height, width, p, shift);
    }

    /**
     * Also translates each image by {@code dx, dy} drawn uniformly from {@code [-k, k]}, filling with 0.
     *
     * @param k the largest shift in pixels, {@code 0 ≤ k < min(height, width)} and at most 127
     * @return a new augmentation
     */
    public ImageAugmentation randomShift(int k) {
        int max = Math.min(127, Math.min(height, width) - 1);
        if (k < 0 || k > max) {
            throw new IllegalArgumentException("ImageAugmentation.randomShift: k must be in [0, " + max + "], got " + k);
        }
        return new ImageAugmentation(channels, height, width, flip, k);
    }

    /** Values per image: {@code channels·height·width}. */
    public int rowLength() {
        return channels * height * width;
    }

    /** Whether this changes nothing (no flip probability, no shift). */
    public boolean isIdentity() {
        return flip == 0 && shift == 0;
    }

    /** The command-line form ({@link #parse}). */
    @Override
    public String toString() {
        if (isIdentity()) return "none";
        StringBuilder b = new StringBuilder();
        if (flip > 0) b.append(flip == 0.5 ? "flip" : "flip=" + flip);
        if (shift > 0) b.append(b.length() > 0 ? "," : "").append("shift=").append(shift);
        return b.toString();
    }

    /**
     * The draw of one sample: bit 0 flip, then {@code dx + k} and {@code dy + k}, each in 8 bits.
     *
     * @param seed  the loader's seed
     * @param epoch the epoch
     * @param row   the sample's row in the data set
     */
    int draw(long seed, long epoch, int row) {
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, AUGMENT_SALT, epoch * 0x1_0000_0000L + row));
        int f = flip > 0 && r.nextDouble() < flip ? 1 : 0;
        int dx = shift > 0 ? r.nextInt(2 * shift + 1) : shift, dy = shift > 0 ? r.nextInt(2 * shift + 1) : shift;
        return f | dx << 1 | dy << 9;
    }

    private static final long AUGMENT_SALT = 0x4155_474D_454E_0003L;

    /**
     * Transforms the image at {@code a[off .. off + rowLength())} in place, using {@code scratch} (at least
     * {@link #rowLength()} long).
     */
    void apply(float[] a, int off, float[] scratch, long seed, long epoch, int row) {
        int d = draw(seed, epoch, row);
        if (d == (shift << 1 | shift << 9)) return; // no flip, no shift
        int n = rowLength();
        System.arraycopy(a, off, scratch, 0, n);
        for (int i = 0; i < n; i++) {
            int s = source(i, d);
            a[off + i] = s < 0 ? 0f : scratch[s];
        }
    }

    /** {@link #apply(float[], int, float[], long, long, int)} for float64 rows. */
    void apply(double[] a, int off, double[] scratch, long seed, long epoch, int row) {
        int d = draw(seed, epoch, row);
        if (d == (shift << 1 | shift << 9)) return;
        int n = rowLength();
        System.arraycopy(a, off, scratch, 0, n);
        for (int i = 0; i < n; i++) {
            int s = source(i, d);
            a[off + i] = s < 0 ? 0d : scratch[s];
        }
    }

    /**
     * For the value at {@code i} of the transformed image, the index it is read from in the original, or -1 for the
     * zero fill: {@code out(c, y, x) = in(c, y - dy, x')} with {@code x' = x - dx}, mirrored to {@code width - 1 - x'}
     * when flipped (a flip, then a shift).
     */
    private int source(int i, int draw) {
        int dx = (draw >>> 1 & 0xFF) - shift, dy = (draw >>> 9 & 0xFF) - shift;
        int x = i % width, y = i / width % height, plane = i - i % (height * width);
        int sy = y - dy, sx = x - dx;
        if ((draw & 1) != 0) sx = width - 1 - sx;
        return sy < 0 || sy >= height || sx < 0 || sx >= width ? -1 : plane + sy * width + sx;
    }
}
