package dev.jgrad.nn;

import dev.jgrad.core.DType;

import java.util.SplittableRandom;

/**
 * A small convolutional classifier for images given as flat rows: two convolution blocks with batch normalization and
 * max pooling, then a two-layer classifier with dropout. Written as PyTorch would:
 *
 * <pre>{@code
 * new Sequential(
 *     new Unflatten(1, c, h, w),
 *     new Conv2d(c, 32, 3, 1, 1, rng, dt), new BatchNorm2d(32, dt), new Activation(RELU), new MaxPool2d(2),
 *     new Conv2d(32, 64, 3, 1, 1, rng, dt), new BatchNorm2d(64, dt), new Activation(RELU), new MaxPool2d(2),
 *     new Flatten(),
 *     new Linear(64 * (h / 4) * (w / 4), 128, true, PYTORCH_DEFAULT, rng, dt), new Activation(RELU), new Dropout(p, seed),
 *     new Linear(128, classes, true, PYTORCH_DEFAULT, rng, dt));
 * }</pre>
 * For 28×28 grey images (Fashion-MNIST) that is 421,834 parameters; the state-dict names are PyTorch's for the same
 * {@code nn.Sequential} ({@code 1.weight}, {@code 2.running_mean}, ...).
 */
public final class Cnn {
    private Cnn() {
    }

    /**
     * The network above.
     *
     * @param channels input channels {@code c}
     * @param height   image height {@code h} (a multiple of 4)
     * @param width    image width {@code w} (a multiple of 4)
     * @param classes  logits
     * @param dropout  dropout probability before the last layer, in [0, 1)
     * @param seed     seed of the initialisation and the dropout masks
     * @param dtype    parameter dtype
     * @return the model, expecting rows {@code [N, c·h·w]}
     * @throws IllegalArgumentException for a non-positive size, a height or width not divisible by 4, a bad dropout or
     *                                  a null dtype
     */
    public static Sequential small(int channels, int height, int width, int classes, double dropout, long seed, DType dtype) {
        return of(channels, height, width, classes, 32, 64, 128, dropout, seed, dtype);
    }

    /**
     * The same network with other widths: {@code c1} and {@code c2} convolution channels and {@code hidden} units
     * ({@link #small} is {@code 32, 64, 128}).
     *
     * @param channels input channels
     * @param height   image height (a multiple of 4)
     * @param width    image width (a multiple of 4)
     * @param classes  logits
     * @param c1       channels of the first convolution
     * @param c2       channels of the second convolution
     * @param hidden   units of the hidden linear layer
     * @param dropout  dropout probability before the last layer, in [0, 1)
     * @param seed     seed of the initialisation and the dropout masks
     * @param dtype    parameter dtype
     * @return the model, expecting rows {@code [N, channels·height·width]}
     * @throws IllegalArgumentException as {@link #small}, or for a non-positive width
     */
    public static Sequential of(int channels, int height, int width, int classes, int c1, int c2, int hidden, double dropout,
                                long seed, DType dtype) {
        if (dtype == null) throw new IllegalArgumentException("Cnn: dtype is null");
        if (channels <= 0 || classes <= 0 || height <= 0 || width <= 0 || height % 4 != 0 || width % 4 != 0) {
            throw new IllegalArgumentException("Cnn: need positive channels and classes and a height and width divisible by 4, got channels="
                    + channels + " height=" + height + " width=" + width + " classes=" + classes);
        }
        if (c1 <= 0 || c2 <= 0 || hidden <= 0) {
            throw new IllegalArgumentException("Cnn: widths must be positive, got c1=" + c1 + " c2=" + c2 + " hidden=" + hidden);
        }
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("Cnn: dropout " + dropout + " must be in [0, 1)");
        if (dtype == null) throw new IllegalArgumentException("Cnn: dtype is null");
        SplittableRandom rng = new SplittableRandom(seed);
        Init init = Init.PYTORCH_DEFAULT;
        return new Sequential(
                new Unflatten(1, channels, height, width),
                new Conv2d(channels, c1, 3, 1, 1, rng, dtype), new BatchNorm2d(c1, dtype), new Activation(Activation.Kind.RELU), new MaxPool2d(2),
                new Conv2d(c1, c2, 3, 1, 1, rng, dtype), new BatchNorm2d(c2, dtype), new Activation(Activation.Kind.RELU), new MaxPool2d(2),
                new Flatten(),
                new Linear(c2 * (height / 4) * (width / 4), hidden, true, init, rng, dtype), new Activation(Activation.Kind.RELU),
                new Dropout(dropout, seed * 31 + 7),
                new Linear(hidden, classes, true, init, rng, dtype));
    }
}
