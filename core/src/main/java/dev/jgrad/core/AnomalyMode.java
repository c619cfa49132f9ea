package dev.jgrad.core;

/**
 * Opt-in anomaly detection, like PyTorch's {@code detect_anomaly}: while a scope is open on a thread, every op
 * applied on that thread records where it was created, and
 * <ul>
 *   <li>a forward pass that produces NaN or ±inf from inputs that are all finite, or</li>
 *   <li>a backward pass that produces a NaN or ±inf gradient from a finite upstream gradient and finite inputs</li>
 * </ul>
 * throws an {@link AnomalyException} naming the op, its input shapes and the creation site.
 *
 * <pre>{@code
 * try (var a = AnomalyMode.enable()) {
 *     Tensor loss = model.forward(x);   // throws at the first op that turns finite values into NaN/inf
 *     loss.backward();
 * }
 * }</pre>
 *
 * <p>Off by default and free when off: ops then read one static volatile counter and nothing else.
 */
public final class AnomalyMode {
    private static volatile int openScopes;
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private AnomalyMode() {
    }

    /** Opens a scope in which ops on this thread are checked. */
    public static Scope enable() {
        synchronized (AnomalyMode.class) {
            openScopes++;
        }
        DEPTH.get()[0]++;
        return new Scope();
    }

    /** True if anomaly detection is on for this thread. */
    public static boolean isEnabled() {
        return openScopes > 0 && DEPTH.get()[0] > 0;
    }

    /** A scope; {@link #close()} is idempotent and must be called on the thread that opened it. */
    public static final class Scope implements AutoCloseable {
        private boolean closed;

        private Scope() {
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            DEPTH.get()[0]--;
            synchronized (AnomalyMode.class) {
                openScopes--;
            }
        }
    }

    /** Thrown when an op produces non-finite values from finite ones while anomaly mode is on. */
    public static final class AnomalyException extends IllegalStateException {
        AnomalyException(String message) {
            super(message);
        }

        private AnomalyException(String message, AnomalyException cause) {
            super(message, cause);
        }

        /**
         * The same anomaly with where it happened in front of the message, e.g. a training loop's
         * {@code "epoch 2, batch 5 of 8 (step 13 of the run)"}; this exception is the cause.
         *
         * @param where the context, without a trailing colon
         * @return a new exception whose message is {@code where + ": " + getMessage()}
         */
        public AnomalyException in(String where) {
            return new AnomalyException(where + ": " + getMessage(), this);
        }
    }

    /** The packages whose classes create nodes for the user: ops, losses, layers (exactly these: a sub-package is the user's). */
    private static final java.util.Set<String> OP_PACKAGES = java.util.Set.of("dev.jgrad.ops", "dev.jgrad.losses", "dev.jgrad.nn");

    /** The first stack frame outside the engine and the op/loss/layer packages: where the user created the node. */
    static String creationSite() {
        for (StackTraceElement e : new Throwable().getStackTrace()) {
            String c = e.getClassName();
            int dot = c.lastIndexOf('.');
            if (c.equals(AnomalyMode.class.getName()) || c.equals(Function.class.getName()) || c.equals(Tensor.class.getName())
                    || OP_PACKAGES.contains(dot < 0 ? "" : c.substring(0, dot))) continue;
            return e.toString();
        }
        return "unknown";
    }

    static boolean allFinite(Tensor t) {
        Storage s = t.storage();
        for (int i = 0, n = s.length(); i < n; i++) if (!Double.isFinite(s.get(i))) return false;
        return true;
    }

    static int firstNonFinite(Tensor t) {
        Storage s = t.storage();
        for (int i = 0, n = s.length(); i < n; i++) if (!Double.isFinite(s.get(i))) return i;
        return -1;
    }

    static String shapes(Tensor[] in) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < in.length; i++) sb.append(i > 0 ? ", " : "").append(Shape.str(in[i].shape())).append(' ').append(in[i].dtype());
        return sb.toString();
    }
}
