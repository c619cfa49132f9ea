package dev.jgrad.nn.optim;

import dev.jgrad.core.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parameter group, PyTorch's {@code param_groups} entry: a list of parameters with its own hyper-parameters, e.g.
 * no weight decay on biases and norms. Options not set here take the optimizer's defaults; an option the optimizer
 * does not know is rejected when the optimizer is built. Boolean options (Nesterov, AMSGrad, centered, decoupled
 * decay) are per group too, as in PyTorch.
 *
 * <pre>
 * Adam opt = Adam.builder().lr(1e-3).weightDecay(0.01).decoupled(true)
 *         .group(weights)
 *         .group(biasesAndNorms, g -&gt; g.weightDecay(0))
 *         .build();
 * </pre>
 */
public final class ParamGroup {
    final List<Tensor> params;
    final Map<String, Double> options = new LinkedHashMap<>();

    /** A group of {@code params} with the optimizer's default options. */
    public ParamGroup(List<Tensor> params) {
        if (params == null) throw new IllegalArgumentException("ParamGroup: params is null");
        this.params = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(params)); // nulls are reported by the optimizer
    }

    /** The group's parameters. */
    public List<Tensor> params() {
        return params;
    }

    /** Sets option {@code name} (PyTorch's key, e.g. {@code "weight_decay"}); validated by the optimizer. */
    public ParamGroup set(String name, double value) {
        options.put(name, value);
        return this;
    }

    /** The options set on this group (not the defaults), by PyTorch's names. */
    public Map<String, Double> options() {
        return java.util.Collections.unmodifiableMap(options);
    }

    /** Learning rate. */
    public ParamGroup lr(double v) {
        return set("lr", v);
    }

    /** Weight decay (L2 in the gradient; decoupled for AdamW). */
    public ParamGroup weightDecay(double v) {
        return set("weight_decay", v);
    }

    /** Momentum (SGD, RMSprop). */
    public ParamGroup momentum(double v) {
        return set("momentum", v);
    }

    /** Dampening of SGD's momentum. */
    public ParamGroup dampening(double v) {
        return set("dampening", v);
    }

    /** SGD's Nesterov momentum. */
    public ParamGroup nesterov(boolean v) {
        return set("nesterov", v ? 1 : 0);
    }

    /** Adam's betas. */
    public ParamGroup betas(double beta1, double beta2) {
        return set("beta1", beta1).set("beta2", beta2);
    }

    /** Term added to the denominator (Adam, RMSprop, Adagrad). */
    public ParamGroup eps(double v) {
        return set("eps", v);
    }

    /** Adam's AMSGrad variant. */
    public ParamGroup amsgrad(boolean v) {
        return set("amsgrad", v ? 1 : 0);
    }

    /** Adam's decoupled weight decay (AdamW). */
    public ParamGroup decoupled(boolean v) {
        return set("decoupled", v ? 1 : 0);
    }

    /** RMSprop's smoothing constant. */
    public ParamGroup alpha(double v) {
        return set("alpha", v);
    }

    /** RMSprop's centered variant. */
    public ParamGroup centered(boolean v) {
        return set("centered", v ? 1 : 0);
    }

    /** Adagrad's learning-rate decay. */
    public ParamGroup lrDecay(double v) {
        return set("lr_decay", v);
    }

    /** Adagrad's initial accumulator value. */
    public ParamGroup initialAccumulatorValue(double v) {
        return set("initial_accumulator_value", v);
    }
}
