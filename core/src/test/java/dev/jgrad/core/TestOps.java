package dev.jgrad.core;

/** Minimal ops written with the public Function API, for testing the engine without the ops module. */
final class TestOps {
    private TestOps() {
    }

    /** y = a * b element-wise (same shape). */
    static final class Mul extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            in[0].checkSameShape("Mul", in[1]);
            Tensor y = Tensor.zerosLike(in[0]);
            for (int i = 0; i < y.numel(); i++) y.set(i, in[0].get(i) * in[1].get(i));
            save(in[0], in[1]);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor a = saved()[0], b = saved()[1];
            Tensor ga = Tensor.zerosLike(a), gb = Tensor.zerosLike(b);
            for (int i = 0; i < g.numel(); i++) {
                ga.set(i, g.get(i) * b.get(i));
                gb.set(i, g.get(i) * a.get(i));
            }
            return new Tensor[]{needsInputGrad(0) ? ga : null, needsInputGrad(1) ? gb : null};
        }
    }

    /** y = sin(x), optionally with a deliberately wrong backward (cos(x) + 0.01). */
    static final class Sin extends Function {
        private final boolean wrong;

        Sin(boolean wrong) {
            this.wrong = wrong;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor y = Tensor.zerosLike(in[0]);
            for (int i = 0; i < y.numel(); i++) y.set(i, Math.sin(in[0].get(i)));
            save(in[0]);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0];
            Tensor gx = Tensor.zerosLike(x);
            for (int i = 0; i < g.numel(); i++) gx.set(i, g.get(i) * (Math.cos(x.get(i)) + (wrong ? 0.01 : 0)));
            return new Tensor[]{gx};
        }
    }

    /** Sum of all elements to a scalar. */
    static final class Sum extends Function {
        private int[] shape;

        @Override
        protected Tensor forward(Tensor... in) {
            shape = in[0].shape();
            double s = 0;
            for (int i = 0; i < in[0].numel(); i++) s += in[0].get(i);
            return Tensor.scalar(s, in[0].dtype());
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[]{Tensor.full(g.item(), g.dtype(), shape)};
        }
    }

    /** y = x + c (a fresh tensor). */
    static final class AddConst extends Function {
        private final double c;

        AddConst(double c) {
            this.c = c;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor y = Tensor.zerosLike(in[0]);
            for (int i = 0; i < y.numel(); i++) y.set(i, in[0].get(i) + c);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[]{g};
        }
    }

    static Tensor mul(Tensor a, Tensor b) {
        return new Mul().apply(a, b);
    }

    static Tensor sum(Tensor a) {
        return new Sum().apply(a);
    }
}
