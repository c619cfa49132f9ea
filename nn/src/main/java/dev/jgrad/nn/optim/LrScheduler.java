package dev.jgrad.nn.optim;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stateful learning-rate scheduler, PyTorch 1.13's {@code torch.optim.lr_scheduler} in its chainable (recursive) form,
 * so the rates are the very values PyTorch's users see (to the last bits). Construct it after the optimizer (that sets
 * each group's rate for epoch 0, PyTorch's initial step), call {@link #step()} after each epoch's (or batch's)
 * {@link Optimizer#step()}. Each group's base rate is the optimizer's {@linkplain Optimizer#initialLr(int) initial rate}
 * of that group (PyTorch's {@code base_lrs}).
 *
 * <p>A scheduler may also run unbound (no optimizer) over given base rates ({@link #lr(int)}), which
 * {@link LrSchedule}'s epoch functions use. {@link #state()} / {@link #loadState(Map)} save and restore the counters.
 */
public abstract class LrScheduler {
    /** The optimizer whose groups are scheduled, or null when unbound. */
    protected final Optimizer optimizer;
    /** Base rate of each group. */
    protected final double[] baseLrs;
    /** The current rate of each group (the optimizer's after each step when bound). */
    protected final double[] lrs;
    /** PyTorch's {@code last_epoch}: steps taken, -1 before the initial step. */
    protected int lastEpoch = -1;
    /** PyTorch's {@code _step_count}. */
    protected int stepCount;

    /** A scheduler of every group of {@code optimizer}; the subclass constructor ends with {@link #initialStep()}. */
    protected LrScheduler(Optimizer optimizer) {
        if (optimizer == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer is null");
        this.optimizer = optimizer;
        baseLrs = new double[optimizer.groupCount()];
        for (int g = 0; g < baseLrs.length; g++) baseLrs[g] = optimizer.initialLr(g);
        lrs = new double[baseLrs.length];
        for (int g = 0; g < lrs.length; g++) lrs[g] = optimizer.lr(g);
    }

    /** An unbound scheduler over {@code baseLrs}; the subclass constructor ends with {@link #initialStep()}. */
    protected LrScheduler(double... baseLrs) {
        for (double b : baseLrs) {
            if (!(b >= 0) || Double.isInfinite(b)) throw new IllegalArgumentException(getClass().getSimpleName() + ": base lr = " + b + " must be finite and >= 0");
        }
        this.optimizer = null;
        this.baseLrs = baseLrs.clone();
        this.lrs = baseLrs.clone();
    }

    /** PyTorch's {@code _initial_step}: the step to epoch 0. */
    protected final void initialStep() {
        stepCount = 0;
        step();
    }

    /** Advances one epoch (or batch) and sets each group's rate. */
    public void step() {
        stepCount++;
        lastEpoch++;
        advance();
        if (optimizer != null) for (int g = 0; g < lrs.length; g++) lrs[g] = optimizer.lr(g);
        for (int g = 0; g < lrs.length; g++) lrs[g] = next(g, lrs[g]);
        publish();
    }

    /** Per-step bookkeeping before the rates are computed (restart counters); nothing by default. */
    protected void advance() {
    }

    /** Writes {@link #lrs} into the optimizer (when bound). */
    protected final void publish() {
        if (optimizer != null) for (int g = 0; g < lrs.length; g++) optimizer.setLr(g, lrs[g]);
    }

    /** The chainable rule: group {@code g}'s rate at {@link #lastEpoch} from its current rate {@code lr}. */
    protected abstract double next(int g, double lr);

    /** PyTorch's {@code last_epoch}. */
    public int lastEpoch() {
        return lastEpoch;
    }

    /** The current rate of group {@code g} (PyTorch's {@code get_last_lr()[g]}). */
    public double lr(int g) {
        return lrs[g];
    }

    /** Base rate of group {@code g}. */
    public double baseLr(int g) {
        return baseLrs[g];
    }

    /** The counters and current rates (PyTorch's {@code state_dict}, numbers only). */
    public Map<String, Double> state() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("last_epoch", (double) lastEpoch);
        s.put("_step_count", (double) stepCount);
        for (int g = 0; g < lrs.length; g++) s.put("last_lr." + g, lrs[g]);
        return s;
    }

    /**
     * Restores {@link #state()} (and sets the optimizer's rates to the saved ones).
     *
     * @throws IllegalArgumentException naming the entry if one is missing or not a count/rate
     */
    public void loadState(Map<String, Double> s) {
        if (s == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": scheduler state is null");
        double[] newLrs = new double[lrs.length];
        for (int g = 0; g < lrs.length; g++) {
            newLrs[g] = entry(s, "last_lr." + g);
            if (!(newLrs[g] >= 0) || Double.isInfinite(newLrs[g])) throw new IllegalArgumentException(getClass().getSimpleName() + ": scheduler state 'last_lr." + g + "' = " + newLrs[g] + " must be finite and >= 0");
        }
        int le = count(s, "last_epoch", -1), sc = count(s, "_step_count", 0);
        loadExtra(s);
        lastEpoch = le;
        stepCount = sc;
        System.arraycopy(newLrs, 0, lrs, 0, lrs.length);
        publish();
    }

    /** Restores the subclass's own entries (checked before anything is set); nothing by default. */
    protected void loadExtra(Map<String, Double> s) {
    }

    /** Entry {@code key} of a state. */
    protected final double entry(Map<String, Double> s, String key) {
        Double v = s.get(key);
        if (v == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": scheduler state lacks '" + key + "'");
        return v;
    }

    /** Integral entry {@code key} of a state, at least {@code min}. */
    protected final int count(Map<String, Double> s, String key, int min) {
        double v = entry(s, key);
        if (!(v >= min) || v != Math.rint(v) || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": scheduler state '" + key + "' = " + v + " is not a count >= " + min);
        }
        return (int) v;
    }

    static void positive(String who, String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(who + ": " + name + " = " + v + " must be positive");
    }

    static void finiteNonNegative(String who, String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException(who + ": " + name + " = " + v + " must be finite and >= 0");
    }

    static void fraction(String who, String name, double v, boolean closedAbove) {
        if (!(v >= 0 && (closedAbove ? v <= 1 : v < 1))) {
            throw new IllegalArgumentException(who + ": " + name + " = " + v + " must be in [0, 1" + (closedAbove ? "]" : ")"));
        }
    }

    // ------------------------------------------------------------------ the schedules

    /** PyTorch's {@code StepLR}: the rate times {@code gamma} every {@code stepSize} epochs. */
    public static final class Step extends LrScheduler {
        private final int stepSize;
        private final double gamma;

        public Step(Optimizer optimizer, int stepSize, double gamma) {
            super(optimizer);
            positive("StepLR", "stepSize", stepSize);
            finiteNonNegative("StepLR", "gamma", gamma);
            this.stepSize = stepSize;
            this.gamma = gamma;
            initialStep();
        }

        /** Unbound over {@code baseLrs}. */
        public Step(double[] baseLrs, int stepSize, double gamma) {
            super(baseLrs);
            positive("StepLR", "stepSize", stepSize);
            finiteNonNegative("StepLR", "gamma", gamma);
            this.stepSize = stepSize;
            this.gamma = gamma;
            initialStep();
        }

        @Override
        protected double next(int g, double lr) {
            return lastEpoch == 0 || lastEpoch % stepSize != 0 ? lr : lr * gamma;
        }

        @Override
        double closedForm(int g, double lr) {
            return baseLrs[g] * Math.pow(gamma, lastEpoch / stepSize);
        }
    }

    /** PyTorch's {@code MultiStepLR}: the rate times {@code gamma} at each milestone (a repeated milestone: gamma^count). */
    public static final class MultiStep extends LrScheduler {
        private final int[] milestones;
        private final double gamma;

        public MultiStep(Optimizer optimizer, int[] milestones, double gamma) {
            super(optimizer);
            this.milestones = check(milestones, gamma);
            this.gamma = gamma;
            initialStep();
        }

        /** Unbound over {@code baseLrs}. */
        public MultiStep(double[] baseLrs, int[] milestones, double gamma) {
            super(baseLrs);
            this.milestones = check(milestones, gamma);
            this.gamma = gamma;
            initialStep();
        }

        private static int[] check(int[] milestones, double gamma) {
            if (milestones == null || milestones.length == 0) throw new IllegalArgumentException("MultiStepLR: no milestones");
            for (int m : milestones) if (m < 0) throw new IllegalArgumentException("MultiStepLR: milestone " + m + " must be >= 0");
            finiteNonNegative("MultiStepLR", "gamma", gamma);
            return milestones.clone();
        }

        @Override
        protected double next(int g, double lr) {
            int count = 0;
            for (int m : milestones) if (m == lastEpoch) count++;
            return count == 0 ? lr : lr * Math.pow(gamma, count);
        }

        @Override
        double closedForm(int g, double lr) {
            int passed = 0;
            for (int m : milestones) if (m <= lastEpoch) passed++;
            return baseLrs[g] * Math.pow(gamma, passed);
        }
    }

    /** PyTorch's {@code ExponentialLR}: the rate times {@code gamma} every epoch. */
    public static final class Exponential extends LrScheduler {
        private final double gamma;

        public Exponential(Optimizer optimizer, double gamma) {
            super(optimizer);
            finiteNonNegative("ExponentialLR", "gamma", gamma);
            this.gamma = gamma;
            initialStep();
        }

        /** Unbound over {@code baseLrs}. */
        public Exponential(double[] baseLrs, double gamma) {
            super(baseLrs);
            finiteNonNegative("ExponentialLR", "gamma", gamma);
            this.gamma = gamma;
            initialStep();
        }

        @Override
        protected double next(int g, double lr) {
            return lastEpoch == 0 ? lr : lr * gamma;
        }

        @Override
        double closedForm(int g, double lr) {
            return baseLrs[g] * Math.pow(gamma, lastEpoch);
        }
    }

    /**
     * PyTorch's {@code CosineAnnealingLR} (recursive form): from the base rate down to {@code etaMin} over {@code tMax}
     * epochs, and past {@code tMax} back up along the cosine (period {@code 2·tMax}), as PyTorch does.
     */
    public static final class CosineAnnealing extends LrScheduler {
        private final int tMax;
        private final double etaMin;

        public CosineAnnealing(Optimizer optimizer, int tMax, double etaMin) {
            super(optimizer);
            positive("CosineAnnealingLR", "tMax", tMax);
            finiteNonNegative("CosineAnnealingLR", "etaMin", etaMin);
            this.tMax = tMax;
            this.etaMin = etaMin;
            initialStep();
        }

        /** Unbound over {@code baseLrs}. */
        public CosineAnnealing(double[] baseLrs, int tMax, double etaMin) {
            super(baseLrs);
            positive("CosineAnnealingLR", "tMax", tMax);
            finiteNonNegative("CosineAnnealingLR", "etaMin", etaMin);
            this.tMax = tMax;
            this.etaMin = etaMin;
            initialStep();
        }

        @Override
        protected double next(int g, double lr) {
            if (lastEpoch == 0) return lr;
            if (stepCount == 1 && lastEpoch > 0) {
                return etaMin + (baseLrs[g] - etaMin) * (1 + Math.cos(lastEpoch * Math.PI / tMax)) / 2;
            }
            if (Math.floorMod(lastEpoch - 1 - tMax, 2 * tMax) == 0) {
                return lr + (baseLrs[g] - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
            }
            return (1 + Math.cos(Math.PI * lastEpoch / tMax)) / (1 + Math.cos(Math.PI * (lastEpoch - 1) / tMax)) * (lr - etaMin) + etaMin;
        }

        @Override
        double closedForm(int g, double lr) {
            return etaMin + (baseLrs[g] - etaMin) * (1 + Math.cos(Math.PI * lastEpoch / tMax)) / 2;
        }
    }

    /**
     * PyTorch's {@code CosineAnnealingWarmRestarts} (SGDR, Loshchilov &amp; Hutter 2017): cosine from the base rate to
     * {@code etaMin} over {@code T_i} epochs, then restart with {@code T_i ← T_i·tMult}, starting at {@code t0}.
     */
    public static final class CosineWarmRestarts extends LrScheduler {
        private final int t0, tMult;
        private final double etaMin;
        private int tI, tCur;

        public CosineWarmRestarts(Optimizer optimizer, int t0, int tMult, double etaMin) {
            super(optimizer);
            this.t0 = t0;
            this.tMult = tMult;
            this.etaMin = etaMin;
            init();
        }

        /** Unbound over {@code baseLrs}. */
        public CosineWarmRestarts(double[] baseLrs, int t0, int tMult, double etaMin) {
            super(baseLrs);
            this.t0 = t0;
            this.tMult = tMult;
            this.etaMin = etaMin;
            init();
        }

        private void init() {
            positive("CosineAnnealingWarmRestarts", "t0", t0);
            if (tMult < 1) throw new IllegalArgumentException("CosineAnnealingWarmRestarts: tMult = " + tMult + " must be >= 1");
            finiteNonNegative("CosineAnnealingWarmRestarts", "etaMin", etaMin);
            tI = t0;
            tCur = -1;
            initialStep();
        }

        @Override
        protected void advance() {
            if (lastEpoch == 0) { // PyTorch: the first step is to epoch 0
                tCur = 0;
                return;
            }
            tCur++;
            if (tCur >= tI) {
                tCur -= tI;
                tI *= tMult;
            }
        }

        @Override
        protected double next(int g, double lr) {
            return etaMin + (baseLrs[g] - etaMin) * (1 + Math.cos(Math.PI * tCur / tI)) / 2;
        }

        @Override
        public Map<String, Double> state() {
            Map<String, Double> s = super.state();
            s.put("T_i", (double) tI);
            s.put("T_cur", (double) tCur);
            return s;
        }

        @Override
        protected void loadExtra(Map<String, Double> s) {
            int i = count(s, "T_i", 1), c = count(s, "T_cur", 0);
            tI = i;
            tCur = c;
        }
    }

    /**
     * PyTorch's {@code LinearLR}: the rate times a factor going linearly from {@code startFactor} to {@code endFactor}
     * over {@code totalIters} epochs (the usual warm-up), then constant.
     */
    public static final class Linear extends LrScheduler {
        private final double startFactor, endFactor;
        private final int totalIters;

        public Linear(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
            super(optimizer);
            this.startFactor = startFactor;
            this.endFactor = endFactor;
            this.totalIters = totalIters;
            init();
        }

        /** Unbound over {@code baseLrs}. */
        public Linear(double[] baseLrs, double startFactor, double endFactor, int totalIters) {
            super(baseLrs);
            this.startFactor = startFactor;
            this.endFactor = endFactor;
            this.totalIters = totalIters;
            init();
        }

        private void init() {
            if (!(startFactor > 0 && startFactor <= 1)) throw new IllegalArgumentException("LinearLR: startFactor = " + startFactor + " must be in (0, 1]");
            fraction("LinearLR", "endFactor", endFactor, true);
            positive("LinearLR", "totalIters", totalIters);
            initialStep();
        }

        @Override
        protected double next(int g, double lr) {
            if (lastEpoch == 0) return lr * startFactor;
            if (lastEpoch > totalIters) return lr;
            return lr * (1. + (endFactor - startFactor) / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor)));
        }

        @Override
        double closedForm(int g, double lr) {
            return baseLrs[g] * (startFactor + (endFactor - startFactor) * Math.min(totalIters, lastEpoch) / totalIters);
        }
    }

    /**
     * PyTorch's {@code SequentialLR}: {@code schedulers[i]} runs from {@code milestones[i-1]} on, restarted there (e.g.
     * {@link Linear} warm-up then {@link CosineAnnealing}). The schedulers must be built on the same optimizer just
     * before this one (PyTorch's order); it resets the rates to the base rates and redoes the first one's initial step.
     */
    public static final class Sequential extends LrScheduler {
        private final LrScheduler[] schedulers;
        private final int[] milestones;

        public Sequential(Optimizer optimizer, LrScheduler[] schedulers, int[] milestones) {
            super(optimizer);
            if (schedulers == null || schedulers.length == 0) throw new IllegalArgumentException("SequentialLR: no schedulers");
            for (int i = 0; i < schedulers.length; i++) {
                if (schedulers[i] == null || schedulers[i].optimizer != optimizer) {
                    throw new IllegalArgumentException("SequentialLR: scheduler " + i + " does not belong to this optimizer");
                }
            }
            if (milestones == null || milestones.length != schedulers.length - 1) {
                throw new IllegalArgumentException("SequentialLR: " + schedulers.length + " schedulers need " + (schedulers.length - 1)
                        + " milestones, got " + (milestones == null ? "null" : Arrays.toString(milestones)));
            }
            for (int i = 1; i < milestones.length; i++) {
                if (milestones[i] < milestones[i - 1]) throw new IllegalArgumentException("SequentialLR: milestones " + Arrays.toString(milestones) + " must be sorted");
            }
            this.schedulers = schedulers.clone();
            this.milestones = milestones.clone();
            lastEpoch = 0;
            for (int g = 0; g < lrs.length; g++) optimizer.setLr(g, baseLrs[g]);
            for (LrScheduler s : this.schedulers) s.lastEpoch--;
            this.schedulers[0].initialStep();
            for (int g = 0; g < lrs.length; g++) lrs[g] = optimizer.lr(g);
        }

        @Override
        public void step() {
            lastEpoch++;
            int idx = 0;
            while (idx < milestones.length && milestones[idx] <= lastEpoch) idx++;
            LrScheduler s = schedulers[idx];
            if (idx > 0 && milestones[idx - 1] == lastEpoch) s.stepTo(0);
            else s.step();
            for (int g = 0; g < lrs.length; g++) lrs[g] = optimizer.lr(g);
        }

        @Override
        protected double next(int g, double lr) {
            throw new AssertionError("SequentialLR steps its schedulers");
        }

        @Override
        public Map<String, Double> state() {
            Map<String, Double> s = super.state();
            for (int i = 0; i < schedulers.length; i++) {
                String prefix = "_schedulers." + i + ".";
                schedulers[i].state().forEach((k, v) -> s.put(prefix + k, v));
            }
            return s;
        }

        @Override
        protected void loadExtra(Map<String, Double> s) {
            for (int i = 0; i < schedulers.length; i++) {
                String prefix = "_schedulers." + i + ".";
                Map<String, Double> sub = new LinkedHashMap<>();
                s.forEach((k, v) -> {
                    if (k.startsWith(prefix)) sub.put(k.substring(prefix.length()), v);
                });
                schedulers[i].loadState(sub);
            }
        }
    }

    /**
     * PyTorch's {@code OneCycleLR} (Smith &amp; Topin 2018), stepped per batch for {@code totalSteps} steps: the rate
     * rises from {@code maxLr/divFactor} to {@code maxLr} over the first {@code pctStart} of the steps, then anneals
     * (cosine or linear) to {@code maxLr/(divFactor·finalDivFactor)}; with {@code threePhase} it first comes back down
     * symmetrically to the start rate. Momentum (SGD's or RMSprop's {@code momentum}, Adam's {@code beta1}) cycles
     * inversely between {@code maxMomentum} and {@code baseMomentum} when {@code cycleMomentum}. Not chainable: each
     * step's values follow from the step number, as in PyTorch.
     */
    public static final class OneCycle extends LrScheduler {
        private final int totalSteps;
        private final boolean cosine, cycleMomentum;
        private final double[] ends; // phase end steps
        private final double[][] phaseLr, phaseMom; // [phase][start, end] as multiples: initial, max, min per group
        private final double[] initial, max, min;
        private final double baseMomentum, maxMomentum;
        private final double[] moms;
        private final String momentumOption;

        /** Bound to {@code optimizer}; {@code cycleMomentum} needs an optimizer with {@code momentum} or {@code beta1}. */
        public OneCycle(Optimizer optimizer, double maxLr, int totalSteps, double pctStart, boolean cosine, boolean threePhase,
                        double divFactor, double finalDivFactor, boolean cycleMomentum, double baseMomentum, double maxMomentum) {
            super(optimizer);
            String opt = null;
            if (cycleMomentum) {
                for (String name : new String[] {"beta1", "momentum"}) {
                    try {
                        optimizer.option(0, name);
                        opt = name;
                        break;
                    } catch (IllegalArgumentException e) {
                        // not this optimizer's option
                    }
                }
                if (opt == null) throw new IllegalArgumentException("OneCycleLR: " + optimizer.getClass().getSimpleName()
                        + " has no momentum or beta1 to cycle (use cycleMomentum false)");
            }
            momentumOption = opt;
            this.totalSteps = totalSteps;
            this.cosine = cosine;
            this.cycleMomentum = cycleMomentum;
            this.baseMomentum = baseMomentum;
            this.maxMomentum = maxMomentum;
            int n = baseLrs.length;
            initial = new double[n];
            max = new double[n];
            min = new double[n];
            moms = new double[n];
            double[][][] phases = phases(maxLr, pctStart, threePhase, divFactor, finalDivFactor);
            ends = phases[0][0];
            phaseLr = phases[1];
            phaseMom = phases[2];
            if (cycleMomentum) for (int g = 0; g < n; g++) optimizer.setOption(g, momentumOption, maxMomentum);
            initialStep();
        }

        /** Unbound over one group (rates and momentum only: {@link #lr(int)}, {@link #momentum(int)}). */
        public OneCycle(double maxLr, int totalSteps, double pctStart, boolean cosine, boolean threePhase, double divFactor,
                        double finalDivFactor, double baseMomentum, double maxMomentum) {
            super(new double[] {maxLr / divFactor});
            momentumOption = null;
            this.totalSteps = totalSteps;
            this.cosine = cosine;
            this.cycleMomentum = true;
            this.baseMomentum = baseMomentum;
            this.maxMomentum = maxMomentum;
            initial = new double[1];
            max = new double[1];
            min = new double[1];
            moms = new double[] {maxMomentum};
            double[][][] phases = phases(maxLr, pctStart, threePhase, divFactor, finalDivFactor);
            ends = phases[0][0];
            phaseLr = phases[1];
            phaseMom = phases[2];
            initialStep();
        }

        /** Validates and lays out the phases: {ends}, lr (start, end) codes, momentum codes (0 initial/max, 1 max/base, 2 min). */
        private double[][][] phases(double maxLr, double pctStart, boolean threePhase, double divFactor, double finalDivFactor) {
            finiteNonNegative("OneCycleLR", "maxLr", maxLr);
            positive("OneCycleLR", "totalSteps", totalSteps);
            fraction("OneCycleLR", "pctStart", pctStart, true);
            if (!(divFactor > 0) || Double.isInfinite(divFactor)) throw new IllegalArgumentException("OneCycleLR: divFactor = " + divFactor + " must be finite and > 0");
            if (!(finalDivFactor > 0) || Double.isInfinite(finalDivFactor)) throw new IllegalArgumentException("OneCycleLR: finalDivFactor = " + finalDivFactor + " must be finite and > 0");
            finiteNonNegative("OneCycleLR", "baseMomentum", baseMomentum);
            finiteNonNegative("OneCycleLR", "maxMomentum", maxMomentum);
            for (int g = 0; g < baseLrs.length; g++) {
                initial[g] = maxLr / divFactor;
                max[g] = maxLr;
                min[g] = initial[g] / finalDivFactor;
                baseLrs[g] = initial[g]; // PyTorch's initial_lr
                lrs[g] = initial[g];
            }
            // codes: 0 initial, 1 max, 2 min (lr); 0 max momentum, 1 base momentum (momentum)
            if (threePhase) {
                return new double[][][] {{{pctStart * totalSteps - 1, 2 * pctStart * totalSteps - 2, totalSteps - 1}},
                        {{0, 1}, {1, 0}, {0, 2}}, {{0, 1}, {1, 0}, {0, 0}}};
            }
            return new double[][][] {{{pctStart * totalSteps - 1, totalSteps - 1}}, {{0, 1}, {1, 2}}, {{0, 1}, {1, 0}}};
        }

        private double anneal(double start, double end, double pct) {
            if (cosine) return end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
            return (end - start) * pct + start;
        }

        private double lrCode(int g, double code) {
            return code == 0 ? initial[g] : code == 1 ? max[g] : min[g];
        }

        private double momCode(double code) {
            return code == 0 ? maxMomentum : baseMomentum;
        }

        @Override
        protected double next(int g, double lr) {
            int stepNum = lastEpoch;
            if (stepNum > totalSteps) {
                throw new IllegalStateException("OneCycleLR: tried to step " + (stepNum + 1) + " times; totalSteps is " + totalSteps);
            }
            double start = 0;
            for (int i = 0; i < ends.length; i++) {
                double end = ends[i];
                if (stepNum <= end || i == ends.length - 1) {
                    double pct = (stepNum - start) / (end - start);
                    if (cycleMomentum) {
                        moms[g] = anneal(momCode(phaseMom[i][0]), momCode(phaseMom[i][1]), pct);
                        if (optimizer != null) optimizer.setOption(g, momentumOption, moms[g]);
                    }
                    return anneal(lrCode(g, phaseLr[i][0]), lrCode(g, phaseLr[i][1]), pct);
                }
                start = end;
            }
            throw new AssertionError();
        }

        /** The current momentum (or beta1) of group {@code g}. */
        public double momentum(int g) {
            return moms[g];
        }
    }

    /**
     * PyTorch's {@code step(epoch)} with an explicit epoch, as {@link Sequential} uses it at a milestone: the closed
     * form where PyTorch has one ({@link CosineAnnealing}, {@link Linear}, {@link Step}, {@link MultiStep},
     * {@link Exponential}), else the chainable rule at that epoch.
     */
    void stepTo(int epoch) {
        stepCount++;
        lastEpoch = epoch;
        if (this instanceof CosineWarmRestarts r) {
            r.tI = r.t0; // epoch < t0 (epoch 0 here)
            r.tCur = epoch;
        }
        for (int g = 0; g < lrs.length; g++) lrs[g] = closedForm(g, optimizer == null ? lrs[g] : optimizer.lr(g));
        publish();
    }

    /** The closed form at {@link #lastEpoch} where PyTorch has one; else the chainable rule. */
    double closedForm(int g, double lr) {
        return next(g, lr);
    }
}
