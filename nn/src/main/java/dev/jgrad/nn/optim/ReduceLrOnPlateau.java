package dev.jgrad.nn.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PyTorch 1.13's {@code ReduceLROnPlateau}: multiplies each group's rate by {@code factor} (not below {@code minLr}, and
 * only by more than {@code eps}) when the metric passed to {@link #step(double)} has not improved for more than
 * {@code patience} steps, then waits {@code cooldown} steps. Improvement: mode min, relative {@code a < best·(1 − threshold)}
 * or absolute {@code a < best − threshold}; mode max likewise upwards.
 */
public final class ReduceLrOnPlateau {
    private final Optimizer optimizer;
    private final double[] lrs;
    private final boolean max, relative;
    private final double factor, threshold, minLr, eps;
    private final int patience, cooldown;
    private double best;
    private int badEpochs, cooldownCounter, lastEpoch;

    /**
     * @param mode          {@code "min"} or {@code "max"}
     * @param thresholdMode {@code "rel"} or {@code "abs"}
     * @throws IllegalArgumentException naming the argument on a bad one (factor must be in [0, 1))
     */
    public ReduceLrOnPlateau(Optimizer optimizer, String mode, double factor, int patience, double threshold, String thresholdMode,
                             int cooldown, double minLr, double eps) {
        this(optimizer, null, mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
    }

    /** Unbound over {@code baseLrs} ({@link #lr(int)}), as {@link LrSchedule#plateau} uses it. */
    public ReduceLrOnPlateau(double[] baseLrs, String mode, double factor, int patience, double threshold, String thresholdMode,
                             int cooldown, double minLr, double eps) {
        this(null, baseLrs, mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
    }

    private ReduceLrOnPlateau(Optimizer optimizer, double[] baseLrs, String mode, double factor, int patience, double threshold,
                              String thresholdMode, int cooldown, double minLr, double eps) {
        if (optimizer == null && baseLrs == null) throw new IllegalArgumentException("ReduceLROnPlateau: optimizer (or baseLrs) is null");
        if (!"min".equals(mode) && !"max".equals(mode)) throw new IllegalArgumentException("ReduceLROnPlateau: mode '" + mode + "' is not min or max");
        if (!"rel".equals(thresholdMode) && !"abs".equals(thresholdMode)) {
            throw new IllegalArgumentException("ReduceLROnPlateau: thresholdMode '" + thresholdMode + "' is not rel or abs");
        }
        LrScheduler.fraction("ReduceLROnPlateau", "factor", factor, false);
        if (patience < 0) throw new IllegalArgumentException("ReduceLROnPlateau: patience = " + patience + " must be >= 0");
        if (cooldown < 0) throw new IllegalArgumentException("ReduceLROnPlateau: cooldown = " + cooldown + " must be >= 0");
        LrScheduler.finiteNonNegative("ReduceLROnPlateau", "threshold", threshold);
        LrScheduler.finiteNonNegative("ReduceLROnPlateau", "minLr", minLr);
        LrScheduler.finiteNonNegative("ReduceLROnPlateau", "eps", eps);
        this.optimizer = optimizer;
        this.lrs = optimizer != null ? new double[optimizer.groupCount()] : baseLrs.clone();
        if (optimizer != null) for (int g = 0; g < lrs.length; g++) lrs[g] = optimizer.lr(g);
        this.max = mode.equals("max");
        this.relative = thresholdMode.equals("rel");
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.minLr = minLr;
        this.eps = eps;
        this.best = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    private boolean isBetter(double a) {
        if (!max) return relative ? a < best * (1. - threshold) : a < best - threshold;
        return relative ? a > best * (threshold + 1.) : a > best + threshold;
    }

    /**
     * One epoch's metric (e.g. the validation loss): counts it as an improvement or a bad epoch and reduces the rates
     * after more than {@code patience} bad ones. A NaN metric is never an improvement, as in PyTorch.
     */
    public void step(double metric) {
        lastEpoch++;
        if (isBetter(metric)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            badEpochs = 0;
        }
        if (badEpochs > patience) {
            for (int g = 0; g < lrs.length; g++) {
                double old = optimizer != null ? optimizer.lr(g) : lrs[g];
                double next = Math.max(old * factor, minLr);
                if (old - next > eps) {
                    lrs[g] = next;
                    if (optimizer != null) optimizer.setLr(g, next);
                }
            }
            cooldownCounter = cooldown;
            badEpochs = 0;
        }
        if (optimizer != null) for (int g = 0; g < lrs.length; g++) lrs[g] = optimizer.lr(g);
    }

    /** The current rate of group {@code g}. */
    public double lr(int g) {
        return lrs[g];
    }

    /** Best metric so far. */
    public double best() {
        return best;
    }

    /** The counters (PyTorch's {@code state_dict}, numbers only). */
    public Map<String, Double> state() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("best", best);
        s.put("num_bad_epochs", (double) badEpochs);
        s.put("cooldown_counter", (double) cooldownCounter);
        s.put("last_epoch", (double) lastEpoch);
        for (int g = 0; g < lrs.length; g++) s.put("last_lr." + g, lrs[g]);
        return s;
    }

    /** Restores {@link #state()}; checked before anything is set. */
    public void loadState(Map<String, Double> s) {
        if (s == null) throw new IllegalArgumentException("ReduceLROnPlateau: state is null");
        double[] v = new double[4 + lrs.length];
        String[] keys = {"best", "num_bad_epochs", "cooldown_counter", "last_epoch"};
        for (int i = 0; i < v.length; i++) {
            String k = i < 4 ? keys[i] : "last_lr." + (i - 4);
            Double x = s.get(k);
            if (x == null) throw new IllegalArgumentException("ReduceLROnPlateau: state lacks '" + k + "'");
            if (i > 0 && (!(x >= 0) || Double.isInfinite(x) || i < 4 && x != Math.rint(x))) {
                throw new IllegalArgumentException("ReduceLROnPlateau: state '" + k + "' = " + x + " is out of range");
            }
            v[i] = x;
        }
        best = v[0];
        badEpochs = (int) v[1];
        cooldownCounter = (int) v[2];
        lastEpoch = (int) v[3];
        for (int g = 0; g < lrs.length; g++) {
            lrs[g] = v[4 + g];
            if (optimizer != null) optimizer.setLr(g, lrs[g]);
        }
    }
}
