package dev.jgrad.lab.precision;

import java.util.Objects;

/**
 * A combination of formats for one emulated computation: logits arrive in the {@code input} format, every value an
 * operation stores is rounded to the {@code storage} format, and reductions (sums, the running sum of an online
 * softmax, the log-sum-exp of a fused log-softmax) keep their partial results in the {@code accumulation} format.
 * Errors are measured in units of the storage format's epsilon, and the storage format's {@code assert_close}
 * tolerances decide acceptance.
 *
 * <p>PyTorch on the CPU reduces float16 and bfloat16 tensors in float32 ({@code at::opmath_type}), so
 * {@code of(BFLOAT16, FLOAT32)} is PyTorch's eager bfloat16 behaviour; {@code of(BFLOAT16, BFLOAT16)} is what a
 * hand-written loop with a bfloat16 accumulator (or a kernel that stores partial sums) does.
 * {@link #AUTOCAST_CPU} is {@code torch.autocast("cpu")} (PyTorch 1.13): the default autocast dtype on the CPU is
 * bfloat16, so the logits produced by a matmul arrive in bfloat16, but {@code cross_entropy} is on the CPU
 * autocast float32 list, so the loss is computed from the bfloat16 logits upcast to float32, in float32 with
 * float32 accumulation, and returned in float32.
 *
 * @param name         display name
 * @param input        format the logits are rounded to before the computation
 * @param storage      format of every stored intermediate and of the result
 * @param accumulation format of the partial results of reductions
 */
public record Precision(String name, Format input, Format storage, Format accumulation) {

    /** {@code torch.autocast("cpu")}: bfloat16 logits, cross-entropy in float32 (see the class comment). */
    public static final Precision AUTOCAST_CPU = new Precision("autocast-cpu", Format.BFLOAT16, Format.FLOAT32, Format.FLOAT32);

    /**
     * Validates the combination.
     *
     * @param name         display name
     * @param input        input format
     * @param storage      storage format
     * @param accumulation accumulation format
     * @throws IllegalArgumentException if the accumulation format is narrower than the storage format
     */
    public Precision {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(accumulation, "accumulation");
        if (accumulation != storage && (accumulation == Format.FLOAT16 || accumulation == Format.BFLOAT16
                || accumulation.eps() > storage.eps())) {
            throw new IllegalArgumentException("precision " + name + ": accumulation " + accumulation
                    + " is narrower than storage " + storage + " (use the storage format itself or a wider one)");
        }
    }

    /**
     * Storage and accumulation formats with logits in the storage format, named {@code storage} when both agree,
     * else {@code storage/acc=accumulation} (e.g. {@code bfloat16/acc=float32}).
     *
     * @param storage      storage (and input) format
     * @param accumulation accumulation format: {@code storage} itself or a wider one
     * @return the precision
     * @throws IllegalArgumentException if the accumulation is narrower than the storage format
     */
    public static Precision of(Format storage, Format accumulation) {
        String name = storage == accumulation ? storage.label() : storage.label() + "/acc=" + accumulation.label();
        return new Precision(name, storage, storage, accumulation);
    }

    /**
     * Every combination of storage formats and accumulations, in that order, without duplicates: an accumulation
     * {@code half} (or {@code storage}) means the storage format itself; a named format narrower than the storage
     * format is skipped for that storage format (float32 storage has no bfloat16 accumulation).
     *
     * @param storages      storage formats
     * @param accumulations accumulation names: {@code half}/{@code storage}, or a {@link Format#parse format name}
     * @return the precisions
     * @throws IllegalArgumentException for an unknown name or an empty result
     */
    public static java.util.List<Precision> grid(java.util.List<Format> storages, java.util.List<String> accumulations) {
        java.util.LinkedHashSet<Precision> out = new java.util.LinkedHashSet<>();
        for (Format s : storages) {
            for (String a : accumulations) {
                String n = a.trim().toLowerCase(java.util.Locale.ROOT);
                Format acc = n.equals("half") || n.equals("storage") ? s : Format.parse(n);
                if (acc == s || ((acc == Format.FLOAT32 || acc == Format.FLOAT64) && acc.eps() <= s.eps())) out.add(of(s, acc));
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("no precision from storage " + storages + " and accumulation " + accumulations);
        return java.util.List.copyOf(out);
    }

    /**
     * Whether a value of the result is accepted by {@code assert_close} with the storage dtype's default tolerances.
     *
     * @param actual   computed value
     * @param expected reference value
     * @return true if accepted
     * @see Format#accepts(double, double)
     */
    public boolean accepts(double actual, double expected) {
        return storage.accepts(actual, expected);
    }

    @Override
    public String toString() {
        return name;
    }
}
