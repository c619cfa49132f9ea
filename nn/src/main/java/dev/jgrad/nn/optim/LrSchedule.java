package dev.jgrad.nn.optim;

/**
 * Learning rate as a function of the epoch, applied with {@link #apply(Optimizer, int)} at the start of each
 * epoch. PyTorch's {@code StepLR} and {@code CosineAnnealingLR} (closed forms), and a constant rate.
 */
@FunctionalInterface
public interface LrSchedule {

    /** The learning rate for {@code epoch} (0-based). */
    double lr(int epoch);

    /** Sets the optimizer's rate for {@code epoch}. */
    default void apply(Optimizer opt, int epoch) {
        opt.setLr(lr(epoch));
    }

    /** A constant rate. */
    static LrSchedule constant(double lr) {
        return e -> lr;
    }

    /** {@code base·gamma^⌊epoch/stepSize⌋} (StepLR). */
    static LrSchedule step(double base, int stepSize, double gamma) {
        if (stepSize <= 0) throw new IllegalArgumentException("step schedule: stepSize " + stepSize + " must be positive");
        return e -> base * Math.pow(gamma, e / stepSize);
    }

    /** {@code etaMin + (base − etaMin)·(1 + cos(π·epoch/tMax))/2} (CosineAnnealingLR), constant at etaMin after tMax. */
    static LrSchedule cosine(double base, int tMax, double etaMin) {
        if (tMax <= 0) throw new IllegalArgumentException("cosine schedule: tMax " + tMax + " must be positive");
        return e -> e >= tMax ? etaMin : etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * e / tMax)) / 2;
    }

    /** Parses {@code constant}, {@code step:S:G} or {@code cosine[:ETA_MIN]} for a base rate and epoch count. */
    static LrSchedule parse(String s, double base, int epochs) {
        if (s == null) throw new IllegalArgumentException("schedule is null: expected constant, step[:SIZE[:GAMMA]] or cosine[:ETA_MIN]");
        String[] p = s.trim().toLowerCase(java.util.Locale.ROOT).split(":");
        switch (p[0]) {
            case "constant": case "none": return constant(base);
            case "step": return step(base, p.length > 1 ? (int) number(s, p[1], true) : Math.max(1, epochs / 3), p.length > 2 ? number(s, p[2], false) : 0.1);
            case "cosine": return cosine(base, Math.max(1, epochs), p.length > 1 ? number(s, p[1], false) : 0.0);
            default: throw new IllegalArgumentException("unknown schedule '" + s + "': expected constant, step[:SIZE[:GAMMA]] or cosine[:ETA_MIN]");
        }
    }

    /** A field of a schedule spec, or an {@link IllegalArgumentException} quoting the spec and the field. */
    private static double number(String spec, String field, boolean integer) {
        try {
            return integer ? Integer.parseInt(field.trim()) : Double.parseDouble(field.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("schedule '" + spec + "': '" + field + "' is not " + (integer ? "an integer" : "a number")
                    + " (expected constant, step[:SIZE[:GAMMA]] or cosine[:ETA_MIN])", e);
        }
    }
}
