package dev.jgrad.core;

/**
 * Per-thread switch that decides whether ops record a graph.
 *
 * <p>Use as a try-with-resources scope; scopes nest, and each thread has its own state, so two threads
 * building and differentiating their own graphs never interfere:
 * <pre>{@code
 * try (var scope = GradMode.noGrad()) {
 *     Tensor y = Ops.matmul(x, w);   // no graph recorded, y.requiresGrad() == false
 * }
 * }</pre>
 */
public final class GradMode {
    private static final ThreadLocal<int[]> DISABLED_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private GradMode() {
    }

    /** True when ops on this thread record a graph (the default). */
    public static boolean isEnabled() {
        return DISABLED_DEPTH.get()[0] == 0;
    }

    /** Opens a scope in which no graph is recorded on this thread; close it to restore the previous mode. */
    public static Scope noGrad() {
        return new Scope(suspend());
    }

    /**
     * The engine's no-grad scope without a {@link Scope} object (every op's forward and backward opens one, so this
     * saves an allocation per op): recording is off on this thread until {@link #resume} is called with the returned
     * counter, which the caller must do exactly once, in a {@code finally}. Nests with {@link #noGrad()} like a scope.
     */
    static int[] suspend() {
        int[] depth = DISABLED_DEPTH.get();
        depth[0]++;
        return depth;
    }

    /** Ends a {@link #suspend}. */
    static void resume(int[] depth) {
        depth[0]--;
    }

    /** A no-grad scope; {@link #close()} is idempotent. */
    public static final class Scope implements AutoCloseable {
        private final int[] depth;
        private boolean closed;

        private Scope(int[] depth) {
            this.depth = depth;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                resume(depth);
            }
        }
    }
}
