package dev.jgrad.nn.optim;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Learning rate as a function of the epoch, applied with {@link #apply(Optimizer, int)} at the start of each epoch (by
 * the trainer). PyTorch's {@code StepLR} and {@code CosineAnnealingLR} as closed forms, a constant rate, and the
 * {@link LrScheduler} schedules replayed epoch by epoch ({@link #of}: PyTorch's exact values); {@link #oneCycle} steps
 * per batch ({@link #perBatch()}, {@link #applyBatch}) and {@link #plateau} follows a metric ({@link #epochEnd}).
 */
@FunctionalInterface
public interface LrSchedule {

    /** The learning rate for {@code epoch} (0-based). */
    double lr(int epoch);

    /**
     * Sets the optimizer's rate for {@code epoch}: every group's with one group; with several, each group's
     * {@linkplain Optimizer#initialLr(int) initial rate} scaled by {@code lr(epoch)/initialLr(0)} (a scheduler's base
     * rates per group, as PyTorch scales them).
     */
    default void apply(Optimizer opt, int epoch) {
        double lr = lr(epoch);
        if (opt.groupCount() == 1 || !(opt.initialLr(0) > 0)) {
            opt.setLr(lr);
            return;
        }
        for (int g = 0; g < opt.groupCount(); g++) opt.setLr(g, lr * (opt.initialLr(g) / opt.initialLr(0)));
    }

    /** True for a schedule stepped per batch ({@link #applyBatch}); the trainer then skips {@link #apply}. */
    default boolean perBatch() {
        return false;
    }

    /** Sets the rate (and momentum) for batch {@code batch} of {@code epoch}; nothing unless {@link #perBatch()}. */
    default void applyBatch(Optimizer opt, int epoch, int batch, int batchesPerEpoch) {
    }

    /** Reports the epoch's metric (validation loss, or training loss without validation); used by {@link #plateau}. */
    default void epochEnd(Optimizer opt, int epoch, double metric) {
    }

    /**
     * The schedule's own state, which a checkpoint must carry for a resumed run to continue exactly: empty for a
     * schedule that is a function of the epoch alone; {@link #plateau}'s ReduceLROnPlateau counters and rate.
     *
     * @return a fresh map of numbers
     */
    default java.util.Map<String, Double> state() {
        return java.util.Map.of();
    }

    /**
     * Restores {@link #state()}, all of it checked before anything is set (the default, a stateless schedule, ignores it).
     *
     * @param state the entries {@link #state()} returned
     * @throws IllegalArgumentException if an entry is missing or out of range
     */
    default void loadState(java.util.Map<String, Double> state) {
        if (state == null) throw new IllegalArgumentException("LrSchedule.loadState: state is null");
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

    /**
     * {@code etaMin + (base − etaMin)·(1 + cos(π·epoch/tMax))/2} (CosineAnnealingLR's closed form); past {@code tMax}
     * it follows the cosine back up, as PyTorch's does.
     */
    static LrSchedule cosine(double base, int tMax, double etaMin) {
        if (tMax <= 0) throw new IllegalArgumentException("cosine schedule: tMax " + tMax + " must be positive");
        return e -> etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * e / tMax)) / 2;
    }

    /**
     * The rates of a {@link LrScheduler} built by {@code scheduler} on a one-group optimizer at rate {@code base},
     * stepped once per epoch: PyTorch's exact sequence.
     */
    static LrSchedule of(double base, Function<Optimizer, LrScheduler> scheduler) {
        if (scheduler == null) throw new IllegalArgumentException("LrSchedule.of: scheduler is null");
        Optimizer probe = new Sgd(List.of(Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true)), base);
        LrScheduler s = scheduler.apply(probe);
        List<Double> rates = new ArrayList<>();
        rates.add(s.lr(0));
        return e -> {
            if (e < 0) throw new IllegalArgumentException("schedule: epoch " + e + " is negative");
            while (rates.size() <= e) {
                s.step();
                rates.add(s.lr(0));
            }
            return rates.get(e);
        };
    }

    /** MultiStepLR: {@code base·gamma^(milestones passed)}. */
    static LrSchedule multiStep(double base, int[] milestones, double gamma) {
        return of(base, o -> new LrScheduler.MultiStep(o, milestones, gamma));
    }

    /** ExponentialLR: {@code base·gamma^epoch}. */
    static LrSchedule exponential(double base, double gamma) {
        return of(base, o -> new LrScheduler.Exponential(o, gamma));
    }

    /** CosineAnnealingWarmRestarts. */
    static LrSchedule cosineRestarts(double base, int t0, int tMult, double etaMin) {
        return of(base, o -> new LrScheduler.CosineWarmRestarts(o, t0, tMult, etaMin));
    }

    /** LinearLR warm-up over {@code warmup} epochs from {@code startFactor·base}, then {@code rest} (SequentialLR). */
    static LrSchedule warmup(double base, int warmup, double startFactor, Function<Optimizer, LrScheduler> rest) {
        if (rest == null) throw new IllegalArgumentException("LrSchedule.warmup: rest is null");
        return of(base, o -> {
            LrScheduler w = new LrScheduler.Linear(o, startFactor, 1.0, warmup);
            return new LrScheduler.Sequential(o, new LrScheduler[] {w, rest.apply(o)}, new int[] {warmup});
        });
    }

    /**
     * OneCycleLR stepped per batch over {@code epochs·batchesPerEpoch} steps from {@code maxLr/25} up to {@code maxLr}
     * ({@code pctStart} of the steps) and down by cosine to {@code maxLr/25/1e4}, cycling the optimizer's momentum or
     * beta1 between 0.95 and 0.85 when it has one (PyTorch's defaults).
     */
    static LrSchedule oneCycle(double maxLr, int epochs, double pctStart) {
        if (epochs <= 0) throw new IllegalArgumentException("onecycle schedule: epochs " + epochs + " must be positive");
        new LrScheduler.OneCycle(maxLr, epochs, pctStart, true, false, 25, 1e4, 0.85, 0.95); // validates the options
        return new LrSchedule() {
            private double[] rates = new double[0], moms = new double[0];
            private Optimizer seen;
            private String momentum;

            private void table(int batchesPerEpoch) {
                int total = epochs * Math.max(1, batchesPerEpoch);
                if (rates.length == total) return;
                LrScheduler.OneCycle s = new LrScheduler.OneCycle(maxLr, total, pctStart, true, false, 25, 1e4, 0.85, 0.95);
                rates = new double[total];
                moms = new double[total];
                for (int i = 0; i < total; i++) {
                    if (i > 0) s.step();
                    rates[i] = s.lr(0);
                    moms[i] = s.momentum(0);
                }
            }

            @Override
            public double lr(int epoch) {
                table(1);
                return rates[Math.min(Math.max(epoch, 0), rates.length - 1)];
            }

            @Override
            public boolean perBatch() {
                return true;
            }

            @Override
            public void apply(Optimizer opt, int epoch) {
            }

            @Override
            public void applyBatch(Optimizer opt, int epoch, int batch, int batchesPerEpoch) {
                table(batchesPerEpoch);
                int i = Math.min(epoch * Math.max(1, batchesPerEpoch) + batch, rates.length - 1);
                opt.setLr(rates[i]);
                if (opt != seen) {
                    seen = opt;
                    momentum = hasOption(opt, "beta1") ? "beta1" : hasOption(opt, "momentum") ? "momentum" : null;
                }
                if (momentum != null) for (int g = 0; g < opt.groupCount(); g++) opt.setOption(g, momentum, moms[i]);
            }
        };
    }

    private static boolean hasOption(Optimizer opt, String name) {
        try {
            opt.option(0, name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * ReduceLROnPlateau on the metric reported by {@link #epochEnd} (mode min, relative threshold 1e-4): the rate
     * times {@code factor} after more than {@code patience} epochs without improvement, then {@code cooldown} epochs'
     * rest, never below {@code minLr}. {@link #lr(int)} is the current rate, whatever the epoch.
     */
    static LrSchedule plateau(double base, double factor, int patience, int cooldown, double minLr) {
        ReduceLrOnPlateau p = new ReduceLrOnPlateau(new double[] {base}, "min", factor, patience, 1e-4, "rel", cooldown, minLr, 1e-8);
        return new LrSchedule() {
            @Override
            public double lr(int epoch) {
                return p.lr(0);
            }

            @Override
            public void epochEnd(Optimizer opt, int epoch, double metric) {
                p.step(metric);
            }

            @Override
            public java.util.Map<String, Double> state() {
                return p.state();
            }

            @Override
            public void loadState(java.util.Map<String, Double> state) {
                p.loadState(state);
            }
        };
    }

    /** The accepted {@code --schedule} forms. */
    String SYNTAX = "constant, step[:SIZE[:GAMMA]], multistep:M1,M2,...[:GAMMA], exp:GAMMA, cosine[:ETA_MIN], "
            + "cosine-restarts:T0[:TMULT[:ETA_MIN]], warmup:N[:START]+(cosine[:ETA_MIN]|step:SIZE[:GAMMA]|exp:GAMMA|constant), "
            + "onecycle[:MAXLR[:PCT]] or plateau[:FACTOR[:PATIENCE[:COOLDOWN[:MIN_LR]]]]";

    /**
     * Parses a schedule for a base rate and epoch count: {@code constant}, {@code step:S:G}, {@code multistep:3,7:0.1},
     * {@code exp:0.95}, {@code cosine[:ETA_MIN]} (tMax = epochs), {@code cosine-restarts:T0[:TMULT[:ETA_MIN]]},
     * {@code warmup:N[:START]+cosine[:ETA_MIN]} (linear warm-up from START·base, default 0.1, then cosine over the
     * remaining epochs; also {@code +step..}, {@code +exp..}, {@code +constant}), {@code onecycle[:MAXLR[:PCT]]}
     * (per batch; MAXLR defaults to the base rate, PCT to 0.3), {@code plateau[:FACTOR[:PATIENCE[:COOLDOWN[:MIN_LR]]]]}
     * (defaults 0.1, 10, 0, 0).
     */
    static LrSchedule parse(String s, double base, int epochs) {
        if (s == null) throw new IllegalArgumentException("schedule s is null: expected " + SYNTAX);
        String spec = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (spec.startsWith("warmup")) {
            int plus = spec.indexOf('+');
            if (plus < 0) throw new IllegalArgumentException("schedule '" + s + "': warm-up needs a schedule after '+' (expected " + SYNTAX + ")");
            String[] w = spec.substring(0, plus).split(":");
            int n = w.length > 1 ? (int) number(s, w[1], true) : 5;
            if (n <= 0 || n >= epochs) throw new IllegalArgumentException("schedule '" + s + "': warm-up epochs " + n + " must be in [1, " + epochs + ")");
            double start = w.length > 2 ? number(s, w[2], false) : 0.1;
            String[] r = spec.substring(plus + 1).split(":");
            Function<Optimizer, LrScheduler> rest = switch (r[0]) {
                case "cosine" -> o -> new LrScheduler.CosineAnnealing(o, epochs - n, r.length > 1 ? number(s, r[1], false) : 0.0);
                case "step" -> o -> new LrScheduler.Step(o, r.length > 1 ? (int) number(s, r[1], true) : Math.max(1, (epochs - n) / 3),
                        r.length > 2 ? number(s, r[2], false) : 0.1);
                case "exp" -> o -> new LrScheduler.Exponential(o, r.length > 1 ? number(s, r[1], false) : 0.9);
                case "constant" -> o -> new LrScheduler.Exponential(o, 1.0);
                default -> throw new IllegalArgumentException("schedule '" + s + "': unknown schedule '" + r[0] + "' after warm-up (expected " + SYNTAX + ")");
            };
            return warmup(base, n, start, rest);
        }
        String[] p = spec.split(":");
        switch (p[0]) {
            case "constant": case "none": return constant(base);
            case "step": return step(base, p.length > 1 ? (int) number(s, p[1], true) : Math.max(1, epochs / 3), p.length > 2 ? number(s, p[2], false) : 0.1);
            case "cosine": return cosine(base, Math.max(1, epochs), p.length > 1 ? number(s, p[1], false) : 0.0);
            case "multistep": {
                if (p.length < 2) throw new IllegalArgumentException("schedule '" + s + "': multistep needs milestones (expected " + SYNTAX + ")");
                String[] m = p[1].split(",");
                int[] milestones = new int[m.length];
                for (int i = 0; i < m.length; i++) milestones[i] = (int) number(s, m[i], true);
                return multiStep(base, milestones, p.length > 2 ? number(s, p[2], false) : 0.1);
            }
            case "exp": return exponential(base, p.length > 1 ? number(s, p[1], false) : 0.9);
            case "cosine-restarts": return cosineRestarts(base, p.length > 1 ? (int) number(s, p[1], true) : Math.max(1, epochs / 3),
                    p.length > 2 ? (int) number(s, p[2], true) : 1, p.length > 3 ? number(s, p[3], false) : 0.0);
            case "onecycle": return oneCycle(p.length > 1 ? number(s, p[1], false) : base, Math.max(1, epochs), p.length > 2 ? number(s, p[2], false) : 0.3);
            case "plateau": return plateau(base, p.length > 1 ? number(s, p[1], false) : 0.1, p.length > 2 ? (int) number(s, p[2], true) : 10,
                    p.length > 3 ? (int) number(s, p[3], true) : 0, p.length > 4 ? number(s, p[4], false) : 0.0);
            default: throw new IllegalArgumentException("unknown schedule '" + s + "': expected " + SYNTAX);
        }
    }

    /** A field of a schedule spec, or an {@link IllegalArgumentException} quoting the spec and the field. */
    private static double number(String spec, String field, boolean integer) {
        try {
            return integer ? Integer.parseInt(field.trim()) : Double.parseDouble(field.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("schedule '" + spec + "': '" + field + "' is not " + (integer ? "an integer" : "a number")
                    + " (expected " + SYNTAX + ")", e);
        }
    }
}
