package dev.jgrad.core.kernel;

/** Prints the name of the backend {@link Kernels} selected; run in a child JVM by {@link KernelsSelectionTest}. */
public final class KernelsProbe {
    private KernelsProbe() {
    }

    public static void main(String[] args) {
        System.out.println(Kernels.backend().name());
    }
}
