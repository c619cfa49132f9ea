package dev.jgrad.nn.optim;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 lanes of the optimizer rules ({@link Sgd}, {@link Adam}, {@link RmsProp}, {@link Adagrad}), used when the
 * kernel backend runs on the Vector API (only then is this class loaded). PyTorch's rules evaluated as PyTorch's kernels
 * evaluate them for parameters of this element type: the hyper-parameters are rounded to the element type, then every
 * operation of the scalar rule runs in lanes of that type in the same order (no fused multiply-add), which is exactly
 * the scalar rule over {@link dev.jgrad.core.Storage#round}, bit for bit. Each loop stops at the last whole vector and
 * returns where it stopped; the caller finishes with its scalar rule. JIT note (as in {@code VectorMath}): loop-carried
 * vectors are never receivers, so no vector is boxed.
 *
 * <p>One source for both precisions: this file is the template of {@code UpdateLanesF64} (the same rules in
 * {@code DoubleVector} lanes over {@code double[]}), written by the {@code generate-f64} step of the root {@code pom.xml}.
 * Edit this file only.
 */
final class UpdateLanesF32 {
    private static final VectorSpecies<Float> SF = FloatVector.SPECIES_PREFERRED;

    private UpdateLanesF32() {
    }

    /**
     * The common SGD cases in lanes over elements {@code [from, to)}: plain ({@code buf == null}) and heavy-ball
     * momentum after the first step (the caller takes the scalar rule for the others); returns where the vector loop stopped.
     */
    static int sgd(float[] p, float[] g, float[] buf, int from, int to, double lr, double momentum, double dampening, double weightDecay) {
        int i = from, bound = from + SF.loopBound(to - from), step = SF.length();
        float wd = (float) weightDecay, mom = (float) momentum, damp = (float) (1 - dampening), rate = (float) lr;
        boolean decay = weightDecay != 0;
        for (; i < bound; i += step) {
            FloatVector pv = FloatVector.fromArray(SF, p, i);
            FloatVector d = FloatVector.fromArray(SF, g, i);
            if (decay) d = d.add(pv.mul(wd));
            if (buf != null) {
                d = FloatVector.fromArray(SF, buf, i).mul(mom).add(d.mul(damp));
                d.intoArray(buf, i);
            }
            pv.sub(d.mul(rate)).intoArray(p, i);
        }
        return i;
    }

    /**
     * Adam (L2 in the gradient) or AdamW (decoupled decay) in lanes over {@code [from, to)}, AMSGrad when
     * {@code vmax != null}; returns where the vector loop stopped.
     */
    static int adam(float[] p, float[] g, float[] m, float[] v, float[] vmax, int from, int to, double lr, double beta1, double beta2, double eps,
                    double weightDecay, boolean decoupled, double stepSize, double bc2) {
        int i = from, bound = from + SF.loopBound(to - from), step = SF.length();
        float decay = (float) (1 - lr * weightDecay), wd = (float) weightDecay, b1 = (float) beta1, c1 = (float) (1 - beta1),
                b2 = (float) beta2, c2 = (float) (1 - beta2), e = (float) eps, size = (float) stepSize, bc = (float) bc2;
        boolean l2 = !decoupled && weightDecay != 0;
        for (; i < bound; i += step) {
            FloatVector pv = FloatVector.fromArray(SF, p, i);
            FloatVector gv = FloatVector.fromArray(SF, g, i);
            if (decoupled) pv = pv.mul(decay);
            else if (l2) gv = gv.add(pv.mul(wd));
            FloatVector mv = FloatVector.fromArray(SF, m, i).mul(b1).add(gv.mul(c1));
            FloatVector vv = FloatVector.fromArray(SF, v, i).mul(b2).add(gv.mul(c2).mul(gv));
            mv.intoArray(m, i);
            vv.intoArray(v, i);
            if (vmax != null) {
                vv = FloatVector.fromArray(SF, vmax, i).max(vv);
                vv.intoArray(vmax, i);
            }
            FloatVector denom = vv.sqrt().div(bc).add(e);
            pv.sub(mv.mul(size).div(denom)).intoArray(p, i);
        }
        return i;
    }

    /**
     * RMSprop in lanes over {@code [from, to)}: centered when {@code a != null}, with momentum when
     * {@code b != null}; returns where the vector loop stopped.
     */
    static int rmsprop(float[] p, float[] g, float[] s, float[] a, float[] b, int from, int to, double lr, double alpha, double eps,
                       double weightDecay, double momentum) {
        int i = from, bound = from + SF.loopBound(to - from), step = SF.length();
        float wd = (float) weightDecay, al = (float) alpha, c = (float) (1 - alpha), e = (float) eps, mom = (float) momentum, rate = (float) lr;
        boolean decay = weightDecay != 0;
        for (; i < bound; i += step) {
            FloatVector pv = FloatVector.fromArray(SF, p, i);
            FloatVector gv = FloatVector.fromArray(SF, g, i);
            if (decay) gv = gv.add(pv.mul(wd));
            FloatVector sv = FloatVector.fromArray(SF, s, i).mul(al).add(gv.mul(c).mul(gv));
            sv.intoArray(s, i);
            FloatVector d;
            if (a != null) {
                FloatVector av = FloatVector.fromArray(SF, a, i).mul(al).add(gv.mul(c));
                av.intoArray(a, i);
                d = sv.sub(av.mul(av)).sqrt();
            } else {
                d = sv.sqrt();
            }
            d = d.add(e);
            if (b != null) {
                FloatVector bv = FloatVector.fromArray(SF, b, i).mul(mom).add(gv.div(d));
                bv.intoArray(b, i);
                pv.sub(bv.mul(rate)).intoArray(p, i);
            } else {
                pv.sub(gv.mul(rate).div(d)).intoArray(p, i);
            }
        }
        return i;
    }

    /** Adagrad in lanes over {@code [from, to)} with the step's rate {@code clr}; returns where the vector loop stopped. */
    static int adagrad(float[] p, float[] g, float[] s, int from, int to, double clr, double eps, double weightDecay) {
        int i = from, bound = from + SF.loopBound(to - from), step = SF.length();
        float wd = (float) weightDecay, e = (float) eps, rate = (float) clr;
        boolean decay = weightDecay != 0;
        for (; i < bound; i += step) {
            FloatVector pv = FloatVector.fromArray(SF, p, i);
            FloatVector gv = FloatVector.fromArray(SF, g, i);
            if (decay) gv = gv.add(pv.mul(wd));
            FloatVector sv = FloatVector.fromArray(SF, s, i).add(gv.mul(gv));
            sv.intoArray(s, i);
            pv.sub(gv.mul(rate).div(sv.sqrt().add(e))).intoArray(p, i);
        }
        return i;
    }
}
