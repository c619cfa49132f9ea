package dev.jgrad.ops.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.core.Function;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

import static dev.jgrad.core.DType.FLOAT32;
import static dev.jgrad.core.DType.FLOAT64;

/**
 * The bad-input catalogue of core and ops: Tensor, IntTensor, DType, Function and GradCheck (here rather than in
 * core, whose tests cannot see ops, because most core cases build graphs with ops) and every op. Each case is run by
 * the shared harness ({@link BadInputCatalogue}), which checks the exception's exact type, that its message names the
 * API and the offending argument, and that no watched state changed (tensor data, grads, requiresGrad and graph
 * links).
 */
class OpsBadInputCatalogueTest extends BadInputCatalogue {
    @Override
    protected void register() {
        coreCases();
        opsCases();
    }

    // ------------------------------------------------------------------ custom Functions for the engine's checks

    /** x² with a correct backward. */
    static final class Square extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            save(in[0]);
            return Ops.mul(in[0], in[0]);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {Ops.mul(g, Ops.mul(saved()[0], 2.0))};
        }
    }

    static final class NullForward extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return null;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g};
        }
    }

    static final class ReturnsInput extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0];
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g};
        }
    }

    static final class WrongGradShape extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return Ops.sum(in[0]);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {Tensor.zeros(g.dtype(), 2)};
        }
    }

    static final class WrongGradDtype extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return Ops.sum(in[0]);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {Tensor.zeros(FLOAT32, 3)};
        }
    }

    static final class WrongGradCount extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return Ops.sum(in[0]);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {Tensor.zeros(g.dtype(), 3), null};
        }
    }

    static final class Pair extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return Ops.add(Ops.sum(in[0]), Ops.sum(in[1]));
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {null, null};
        }
    }

    // ================================================================== core: Tensor, IntTensor, DType, Function, GradCheck

    private void coreCases() {
        add("Tensor.of", "5 doubles for shape [2, 3]", IAE, msg("of", "5 values", "[2, 3]"), () ->
                act(() -> Tensor.of(new double[] {1, 2, 3, 4, 5}, 2, 3)));
        add("Tensor.of", "4 floats for shape [3, 3]", IAE, msg("of", "4 values", "[3, 3]"), () ->
                act(() -> Tensor.of(new float[] {1, 2, 3, 4}, 3, 3)));
        add("Tensor.of", "ragged rows", IAE, msg("of", "row 1", "expected 3"), () ->
                act(() -> Tensor.of(FLOAT64, new double[][] {{1, 2, 3}, {4, 5}})));
        add("Tensor.zeros", "negative dimension", IAE, msg("zeros", "negative dimension", "[2, -1]"), () ->
                act(() -> Tensor.zeros(FLOAT32, 2, -1)));
        add("Tensor.zeros", "more elements than the JVM's array limit", IAE, msg("zeros", "[2147483644]", "2147483639", "JVM"), () ->
                act(() -> Tensor.zeros(FLOAT32, Integer.MAX_VALUE - 3)));
        add("Tensor.zeros", "numel overflowing int", IAE, msg("zeros", "[65536, 65537]", "more than"), () ->
                act(() -> Tensor.zeros(FLOAT64, 65536, 65537)));
        add("Tensor.of", "null data", IAE, msg("of", "data is null"), () ->
                act(() -> Tensor.of((double[]) null, 2)));
        add("Tensor.randn", "null rng", IAE, msg("randn", "rng is null"), () ->
                act(() -> Tensor.randn(null, FLOAT64, 2)));
        add("Tensor.zeros", "null dtype", IAE, msg("zeros", "dtype is null"), () ->
                act(() -> Tensor.zeros(null, 2, 2)));
        add("Tensor.full", "null dtype", IAE, msg("dtype is null"), () ->
                act(() -> Tensor.full(1.0, null, 3)));
        add("Tensor.arange", "negative length", IAE, msg("negative dimension", "[-1]"), () ->
                act(() -> Tensor.arange(-1, FLOAT64)));
        add("Tensor.<init>", "storage length does not match shape", IAE, msg("Tensor", "storage of 6 elements", "[4]"), () ->
                act(() -> new Tensor(Storage.allocate(FLOAT64, 6), 4)));
        add("Tensor.wrap", "complex EJML matrix", IAE, msg("unsupported EJML matrix type", "ZMatrixRMaj"), () ->
                act(() -> Tensor.wrap(new org.ejml.data.ZMatrixRMaj(2, 2))));
        add("Tensor.item", "six elements", ISE, msg("item", "[2, 3]", "6 elements"), () -> {
            Tensor t = leaf(FLOAT64, 2, 3);
            return act(t::item, t);
        });
        add("Tensor.at", "index of the wrong rank", IAE, msg("at", "rank 1", "[2, 3]"), () -> {
            Tensor t = leaf(FLOAT64, 2, 3);
            return act(() -> t.at(1), t);
        });
        add("Tensor.at", "index out of range", IOOBE, msg("at", "[1, 5]", "[2, 3]"), () -> {
            Tensor t = leaf(FLOAT64, 2, 3);
            return act(() -> t.at(1, 5), t);
        });
        add("Tensor.view", "element count differs", IAE, msg("view", "[2, 3]", "[4]"), () -> {
            Tensor t = leaf(FLOAT32, 2, 3);
            return act(() -> t.view(4), t);
        });
        add("Tensor.size", "dim out of range", IAE, msg("size", "dim 3", "rank 2"), () -> {
            Tensor t = leaf(FLOAT64, 2, 3);
            return act(() -> t.size(3), t);
        });
        add("Tensor.requiresGrad", "on a non-leaf", ISE, msg("requiresGrad", "leaf", "Mul"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = Ops.mul(x, x);
            return act(() -> y.requiresGrad(false), x, y);
        });
        add("Tensor.setGrad", "wrong shape", IAE, msg("setGrad", "[3]", "[2, 3]"), () -> {
            Tensor t = leaf(FLOAT64, 2, 3);
            return act(() -> t.setGrad(Tensor.zeros(FLOAT64, 3)), t);
        });
        add("Tensor.setGrad", "wrong dtype", IAE, msg("setGrad", "float32", "float64"), () -> {
            Tensor t = leaf(FLOAT64, 2, 3);
            return act(() -> t.setGrad(Tensor.zeros(FLOAT32, 2, 3)), t);
        });
        add("Tensor.dmatrix", "on float32", ISE, msg("dmatrix", "float32"), () -> {
            Tensor t = leaf(FLOAT32, 2, 2);
            return act(t::dmatrix, t);
        });
        add("Tensor.fmatrix", "on float64", ISE, msg("fmatrix", "float64"), () -> {
            Tensor t = leaf(FLOAT64, 2, 2);
            return act(t::fmatrix, t);
        });
        add("Tensor.backward", "non-scalar without gradOutput", ISE, msg("backward", "without a gradOutput", "[3]"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = Ops.mul(x, 2.0);
            return act(y::backward, x, y);
        });
        add("Tensor.backward", "tensor that does not require grad", ISE, msg("backward", "does not require grad"), () -> {
            Tensor x = rnd(FLOAT64, 1);
            Tensor y = Ops.sum(x);
            return act(y::backward, x, y);
        });
        add("Tensor.backward", "gradOutput of the wrong shape", IAE, msg("backward(gradOutput)", "[2]", "[3]"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = Ops.exp(x);
            return act(() -> y.backward(Tensor.ones(FLOAT64, 2)), x, y);
        });
        add("Tensor.backward", "gradOutput of the wrong dtype", IAE, msg("backward(gradOutput)", "float32", "float64"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = Ops.exp(x);
            return act(() -> y.backward(Tensor.ones(FLOAT32, 3)), x, y);
        });
        add("Tensor.backward", "null gradOutput", IAE, msg("backward(gradOutput)", "null"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = Ops.exp(x);
            return act(() -> y.backward(null), x, y);
        });
        add("Tensor.backward", "twice through a freed graph", ISE, msg("Sum", "freed", "backward(gradOutput, true)"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = Ops.sum(Ops.mul(x, x));
            y.backward();
            return act(y::backward, x);
        });
        add("Tensor.backward", "through a subgraph freed by another root", ISE, msg("Mul", "freed"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor h = Ops.mul(x, x);
            Ops.sum(h).backward();
            Tensor z = Ops.sum(Ops.mul(h, 3.0));
            return act(z::backward, x);
        });
        add("Function.apply", "an instance applied twice", ISE, msg("Square", "applied only once"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Square f = new Square();
            f.apply(x);
            return act(() -> f.apply(x), x);
        });
        add("Function.apply", "null input", IAE, msg("Square", "input 0 is null"), () ->
                act(() -> new Square().apply((Tensor) null)));
        add("Function.apply", "null input array", IAE, msg("Square", "null"), () ->
                act(() -> new Square().apply((Tensor[]) null)));
        add("Function.apply", "mixed dtypes", IAE, msg("Pair", "mixed dtypes", "float32", "float64"), () -> {
            Tensor a = leaf(FLOAT32, 2), b = leaf(FLOAT64, 2);
            return act(() -> new Pair().apply(a, b), a, b);
        });
        add("Function.apply", "forward returns null", ISE, msg("NullForward", "forward returned null"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            return act(() -> new NullForward().apply(x), x);
        });
        add("Function.apply", "forward returns its input", ISE, msg("ReturnsInput", "returned one of its inputs"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            return act(() -> new ReturnsInput().apply(x), x);
        });
        add("Function.backward", "gradient of the wrong shape", ISE, msg("WrongGradShape", "[2]", "input 0 of shape [3]"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = new WrongGradShape().apply(x);
            return act(y::backward, x);
        });
        add("Function.backward", "gradient of the wrong dtype", ISE, msg("WrongGradDtype", "float32", "float64"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = new WrongGradDtype().apply(x);
            return act(y::backward, x);
        });
        add("Function.backward", "wrong number of gradients", ISE, msg("WrongGradCount", "2 gradients", "1 inputs"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = new WrongGradCount().apply(x);
            return act(y::backward, x);
        });
        add("GradCheck.check", "float32 input", IAE, msg("gradcheck", "float64", "float32"), () -> {
            Tensor x = leaf(FLOAT32, 3);
            return act(() -> GradCheck.check(in -> Ops.sum(in[0]), x), x);
        });
        add("IntTensor.of", "values do not fill the shape", IAE, msg("IntTensor", "3 values", "[2, 2]"), () ->
                act(() -> IntTensor.of(new int[] {1, 2, 3}, 2, 2)));
        add("IntTensor.ofLongs", "value beyond int", IAE, msg("IntTensor", "4294967296", "does not fit"), () ->
                act(() -> IntTensor.ofLongs(new long[] {1, 1L << 32}, 2)));
        add("DType.parse", "float16", IAE, msg("unknown dtype 'float16'", "float32", "float64"), () ->
                act(() -> DType.parse("float16")));
    }

    // ================================================================== ops

    private void opsCases() {
        add("Ops.add", "shapes do not broadcast", IAE, msg("add", "[2, 3]", "[4]"), () -> {
            Tensor a = leaf(FLOAT64, 2, 3), b = leaf(FLOAT64, 4);
            return act(() -> Ops.add(a, b), a, b);
        });
        add("Ops.sub", "shapes do not broadcast", IAE, msg("sub", "[3, 2]", "[2, 3]"), () -> {
            Tensor a = leaf(FLOAT64, 3, 2), b = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.sub(a, b), a, b);
        });
        add("Ops.mul", "shapes do not broadcast", IAE, msg("mul", "[2]", "[3]"), () -> {
            Tensor a = leaf(FLOAT32, 2), b = leaf(FLOAT32, 3);
            return act(() -> Ops.mul(a, b), a, b);
        });
        add("Ops.div", "shapes do not broadcast", IAE, msg("div", "[4, 1, 3]", "[2, 2]"), () -> {
            Tensor a = leaf(FLOAT64, 4, 1, 3), b = leaf(FLOAT64, 2, 2);
            return act(() -> Ops.div(a, b), a, b);
        });
        add("Ops.add", "float32 + float64", IAE, msg("Add", "mixed dtypes", "float32", "float64"), () -> {
            Tensor a = leaf(FLOAT32, 2, 3), b = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.add(a, b), a, b);
        });
        add("Ops.sub", "float64 - float32", IAE, msg("Sub", "mixed dtypes"), () -> {
            Tensor a = leaf(FLOAT64, 3), b = leaf(FLOAT32, 3);
            return act(() -> Ops.sub(a, b), a, b);
        });
        add("Ops.mul", "float32 * float64", IAE, msg("Mul", "mixed dtypes"), () -> {
            Tensor a = leaf(FLOAT32, 3), b = leaf(FLOAT64, 1);
            return act(() -> Ops.mul(a, b), a, b);
        });
        add("Ops.div", "float64 / float32", IAE, msg("Div", "mixed dtypes"), () -> {
            Tensor a = leaf(FLOAT64, 3), b = leaf(FLOAT32, 3);
            return act(() -> Ops.div(a, b), a, b);
        });
        add("Ops.add", "null left operand", IAE, msg("Add", "input 0 is null"), () -> {
            Tensor b = leaf(FLOAT64, 3);
            return act(() -> Ops.add(null, b), b);
        });
        add("Ops.mul", "null right operand", IAE, msg("Mul", "input 1 is null"), () -> {
            Tensor a = leaf(FLOAT64, 3);
            return act(() -> Ops.mul(a, null), a);
        });
        add("Ops.add(Tensor, double)", "null tensor", IAE, msg("add", "input is null"), () ->
                act(() -> Ops.add(null, 1.0)));
        add("Ops.sub(Tensor, double)", "null tensor", IAE, msg("sub", "input is null"), () ->
                act(() -> Ops.sub(null, 1.0)));
        add("Ops.rsub", "null tensor", IAE, msg("rsub", "input is null"), () ->
                act(() -> Ops.rsub(1.0, null)));
        add("Ops.mul(Tensor, double)", "null tensor", IAE, msg("mul", "input is null"), () ->
                act(() -> Ops.mul(null, 2.0)));
        add("Ops.div(Tensor, double)", "null tensor", IAE, msg("div", "input is null"), () ->
                act(() -> Ops.div(null, 2.0)));
        add("Ops.matmul", "inner dimensions differ", IAE, msg("matmul", "inner dimensions", "[2, 3]", "[4, 5]"), () -> {
            Tensor a = leaf(FLOAT64, 2, 3), b = leaf(FLOAT64, 4, 5);
            return act(() -> Ops.matmul(a, b), a, b);
        });
        add("Ops.matmul", "vector lengths differ", IAE, msg("matmul", "[3]", "[4]"), () -> {
            Tensor a = leaf(FLOAT32, 3), b = leaf(FLOAT32, 4);
            return act(() -> Ops.matmul(a, b), a, b);
        });
        add("Ops.matmul", "scalar operand", IAE, msg("matmul", "at least 1-D", "[]"), () -> {
            Tensor a = leaf(FLOAT64), b = leaf(FLOAT64, 1, 2);
            return act(() -> Ops.matmul(a, b), a, b);
        });
        // a 3-D right operand is a batched product since the N-D forms: its batch dims must broadcast, inner dims agree
        add("Ops.matmul", "batch dimensions that do not broadcast", IAE, msg("matmul", "[2, 2, 3]", "[3, 3, 4]", "broadcast"), () -> {
            Tensor a = leaf(FLOAT64, 2, 2, 3), b = leaf(FLOAT64, 3, 3, 4);
            return act(() -> Ops.matmul(a, b), a, b);
        });
        add("Ops.matmul", "3-D right operand, inner dimensions differ", IAE, msg("matmul", "[2, 2]", "[2, 3, 4]", "2 vs 3"), () -> {
            Tensor a = leaf(FLOAT64, 2, 2), b = leaf(FLOAT64, 2, 3, 4);
            return act(() -> Ops.matmul(a, b), a, b);
        });
        add("Ops.matmul", "float32 · float64", IAE, msg("MatMul", "mixed dtypes"), () -> {
            Tensor a = leaf(FLOAT32, 2, 3), b = leaf(FLOAT64, 3, 2);
            return act(() -> Ops.matmul(a, b), a, b);
        });
        // a 1-D weight is PyTorch's vector form since the N-D forms; like PyTorch 1.13 it takes a bias only for a 1-D input
        add("Ops.linear", "1-D weight with a bias on a 2-D input", IAE, msg("linear", "bias", "1-D weight", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), w = leaf(FLOAT64, 3), b = leaf(FLOAT64);
            return act(() -> Ops.linear(x, w, b), x, w, b);
        });
        add("Ops.linear", "input features differ from weight", IAE, msg("linear", "[2, 4]", "4 features", "[3, 5]", "expects 5"), () -> {
            Tensor x = leaf(FLOAT64, 2, 4), w = leaf(FLOAT64, 3, 5), b = leaf(FLOAT64, 3);
            return act(() -> Ops.linear(x, w, b), x, w, b);
        });
        add("Ops.linear", "bias of the wrong shape", IAE, msg("linear", "bias [4]", "[3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 5), w = leaf(FLOAT64, 3, 5), b = leaf(FLOAT64, 4);
            return act(() -> Ops.linear(x, w, b), x, w, b);
        });
        add("Ops.linear", "scalar input", IAE, msg("linear", "input []", "1-D"), () -> {
            Tensor x = leaf(FLOAT64), w = leaf(FLOAT64, 3, 2);
            return act(() -> Ops.linear(x, w, null), x, w);
        });
        add("Ops.linear", "float32 input, float64 weight", IAE, msg("Linear", "mixed dtypes"), () -> {
            Tensor x = leaf(FLOAT32, 2, 5), w = leaf(FLOAT64, 3, 5);
            return act(() -> Ops.linear(x, w, null), x, w);
        });
        add("Ops.linear", "float32 bias on float64 layer", IAE, msg("Linear", "mixed dtypes"), () -> {
            Tensor x = leaf(FLOAT64, 2, 5), w = leaf(FLOAT64, 3, 5), b = leaf(FLOAT32, 3);
            return act(() -> Ops.linear(x, w, b), x, w, b);
        });
        add("Ops.transpose", "null", IAE, msg("Transpose", "input 0 is null"), () ->
                act(() -> Ops.transpose(null)));
        add("Ops.reshape", "element count differs", IAE, msg("reshape", "[2, 3]", "[4, 2]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.reshape(x, 4, 2), x);
        });
        add("Ops.reshape", "two inferred dimensions", IAE, msg("reshape", "only one dimension can be -1"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.reshape(x, -1, -1), x);
        });
        add("Ops.reshape", "negative dimension", IAE, msg("reshape", "invalid dimension -3"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.reshape(x, -3, -2), x);
        });
        add("Ops.reshape", "-1 next to a zero", IAE, msg("reshape", "[2, 3]", "[0, -1]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.reshape(x, 0, -1), x);
        });
        add("Ops.reshape", "null shape", IAE, msg("reshape", "shape is null"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.reshape(x, (int[]) null), x);
        });
        add("Ops.cat", "no tensors", IAE, msg("cat", "at least one tensor"), () ->
                act(() -> Ops.cat(0)));
        add("Ops.cat", "null tensor array", IAE, msg("Cat", "null"), () ->
                act(() -> Ops.cat(0, (Tensor[]) null)));
        add("Ops.cat", "other dimensions differ", IAE, msg("cat", "tensor 1", "[2, 4]", "[3, 3]"), () -> {
            Tensor a = leaf(FLOAT64, 3, 3), b = leaf(FLOAT64, 2, 4);
            return act(() -> Ops.cat(0, a, b), a, b);
        });
        add("Ops.cat", "scalars", IAE, msg("cat", "zero-dimensional"), () -> {
            Tensor a = leaf(FLOAT64), b = leaf(FLOAT64);
            return act(() -> Ops.cat(0, a, b), a, b);
        });
        add("Ops.cat", "dim out of range", IAE, msg("cat", "dim 2", "rank 2"), () -> {
            Tensor a = leaf(FLOAT64, 2, 2), b = leaf(FLOAT64, 2, 2);
            return act(() -> Ops.cat(2, a, b), a, b);
        });
        add("Ops.cat", "mixed dtypes", IAE, msg("Cat", "mixed dtypes"), () -> {
            Tensor a = leaf(FLOAT64, 2, 2), b = leaf(FLOAT32, 2, 2);
            return act(() -> Ops.cat(0, a, b), a, b);
        });
        add("Ops.cat", "null element", IAE, msg("Cat", "input 1 is null"), () -> {
            Tensor a = leaf(FLOAT64, 2, 2);
            return act(() -> Ops.cat(0, a, null), a);
        });
        add("Ops.gather", "index past the last dimension", IAE, msg("gather", "index 3", "size 3"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.gather(x, IntTensor.of(new int[] {0, 3}, 2, 1)), x);
        });
        add("Ops.gather", "negative index", IAE, msg("gather", "index -1"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.gather(x, IntTensor.of(new int[] {-1, 0}, 2, 1)), x);
        });
        add("Ops.gather", "index rank differs", IAE, msg("gather", "index shape [2]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.gather(x, IntTensor.of(0, 1)), x);
        });
        add("Ops.gather", "leading dimensions differ", IAE, msg("gather", "index shape [3, 1]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.gather(x, IntTensor.of(new int[] {0, 1, 2}, 3, 1)), x);
        });
        add("Ops.gather", "null index", IAE, msg("gather", "index is null"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.gather(x, null), x);
        });
        add("Ops.indexSelect", "index out of range", IAE, msg("indexSelect", "index 5", "size 3"), () -> {
            Tensor x = leaf(FLOAT64, 3, 2);
            return act(() -> Ops.indexSelect(x, 0, IntTensor.of(0, 5)), x);
        });
        add("Ops.indexSelect", "negative index", IAE, msg("indexSelect", "index -2"), () -> {
            Tensor x = leaf(FLOAT64, 3, 2);
            return act(() -> Ops.indexSelect(x, 1, IntTensor.of(-2)), x);
        });
        add("Ops.indexSelect", "2-D index", IAE, msg("indexSelect", "1-D", "[1, 2]"), () -> {
            Tensor x = leaf(FLOAT64, 3, 2);
            return act(() -> Ops.indexSelect(x, 0, IntTensor.of(new int[] {0, 1}, 1, 2)), x);
        });
        add("Ops.indexSelect", "dim out of range", IAE, msg("indexSelect", "dim 3", "rank 2"), () -> {
            Tensor x = leaf(FLOAT64, 3, 2);
            return act(() -> Ops.indexSelect(x, 3, IntTensor.of(0)), x);
        });
        add("Ops.indexSelect", "0-d input", IAE, msg("indexSelect", "0-d", "dim 0"), () -> {
            Tensor x = Tensor.scalar(5, FLOAT64).requiresGrad(true);
            return act(() -> Ops.indexSelect(x, 0, IntTensor.of(0, 0)), x);
        });
        add("Ops.clamp", "NaN bound", IAE, msg("clamp", "min", "NaN"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            return act(() -> Ops.clamp(x, Double.NaN, 1), x);
        });
        add("Ops.bmm", "null operand", IAE, msg("bmm", "b is null"), () -> {
            Tensor x = leaf(FLOAT64, 2, 2, 2);
            return act(() -> Ops.bmm(x, null), x);
        });
        add("Ops.indexSelect", "null index", IAE, msg("indexSelect", "index is null"), () -> {
            Tensor x = leaf(FLOAT64, 3, 2);
            return act(() -> Ops.indexSelect(x, 0, null), x);
        });
        add("Ops.oneHot", "label = numClasses", IAE, msg("oneHot", "index 3", "[0, 3)"), () ->
                act(() -> Ops.oneHot(IntTensor.of(0, 3), 3, FLOAT32)));
        add("Ops.oneHot", "negative label", IAE, msg("oneHot", "index -2"), () ->
                act(() -> Ops.oneHot(IntTensor.of(-2), 3, FLOAT64)));
        add("Ops.oneHot", "zero classes", IAE, msg("oneHot", "numClasses 0"), () ->
                act(() -> Ops.oneHot(IntTensor.of(0), 0, FLOAT64)));
        add("Ops.oneHot", "negative class count", IAE, msg("oneHot", "numClasses -4"), () ->
                act(() -> Ops.oneHot(IntTensor.of(0), -4, FLOAT64)));
        add("Ops.oneHot", "null index", IAE, msg("oneHot", "index is null"), () ->
                act(() -> Ops.oneHot(null, 3, FLOAT64)));
        add("Ops.oneHot", "null dtype", IAE, msg("oneHot", "dtype is null"), () ->
                act(() -> Ops.oneHot(IntTensor.of(1), 3, null)));
        add("Ops.sum", "dim out of range", IAE, msg("sum", "dim 2", "rank 2"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.sum(x, 2, false), x);
        });
        add("Ops.sum", "negative dim out of range", IAE, msg("sum", "dim -3", "rank 2"), () -> {
            Tensor x = leaf(FLOAT32, 2, 3);
            return act(() -> Ops.sum(x, -3, true), x);
        });
        add("Ops.mean", "dim out of range", IAE, msg("mean", "dim 5", "rank 2"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.mean(x, 5, false), x);
        });
        add("Ops.max", "dim out of range", IAE, msg("max", "dim 4", "rank 3"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3, 1);
            return act(() -> Ops.max(x, 4, false), x);
        });
        add("Ops.max", "empty tensor", IAE, msg("max", "empty", "[0, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 0, 3);
            return act(() -> Ops.max(x), x);
        });
        add("Ops.max", "empty dimension", IAE, msg("max", "empty dimension", "[2, 0]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 0);
            return act(() -> Ops.max(x, 1, false), x);
        });
        add("Ops.softmax", "dim out of range", IAE, msg("Softmax", "dim 2", "rank 2"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.softmax(x, 2), x);
        });
        add("Ops.logSoftmax", "dim out of range", IAE, msg("LogSoftmax", "dim -3", "rank 2"), () -> {
            Tensor x = leaf(FLOAT32, 2, 3);
            return act(() -> Ops.logSoftmax(x, -3), x);
        });
        add("Ops.logSumExp", "dim out of range", IAE, msg("logsumexp", "dim 5", "rank 1"), () -> {
            Tensor x = leaf(FLOAT64, 4);
            return act(() -> Ops.logSumExp(x, 5, false), x);
        });
        add("Ops.clamp", "min above max", IAE, msg("clamp", "min 1.0", "max -1.0"), () -> {
            Tensor x = leaf(FLOAT64, 4);
            return act(() -> Ops.clamp(x, 1.0, -1.0), x);
        });
        add("Ops.softplus", "beta 0", IAE, msg("softplus", "beta 0.0"), () -> {
            Tensor x = leaf(FLOAT64, 4);
            return act(() -> Ops.softplus(x, 0.0, 20.0), x);
        });
        add("Ops.softplus", "NaN threshold", IAE, msg("softplus", "threshold NaN"), () -> {
            Tensor x = leaf(FLOAT64, 4);
            return act(() -> Ops.softplus(x, 1.0, Double.NaN), x);
        });
        add("Ops.pow", "null", IAE, msg("Pow", "input 0 is null"), () -> act(() -> Ops.pow(null, 2.0)));
        add("Ops.exp", "null", IAE, msg("Exp", "input 0 is null"), () -> act(() -> Ops.exp(null)));
        add("Ops.log", "null", IAE, msg("Log", "input 0 is null"), () -> act(() -> Ops.log(null)));
        add("Ops.sqrt", "null", IAE, msg("Sqrt", "input 0 is null"), () -> act(() -> Ops.sqrt(null)));
        add("Ops.sigmoid", "null", IAE, msg("Sigmoid", "input 0 is null"), () -> act(() -> Ops.sigmoid(null)));
        add("Ops.relu", "null", IAE, msg("Relu", "input 0 is null"), () -> act(() -> Ops.relu(null)));
        add("Ops.gelu", "null", IAE, msg("Gelu", "input 0 is null"), () -> act(() -> Ops.gelu(null)));
        add("Ops.softmax", "dim 1 of a scalar", IAE, msg("Softmax", "dim 1", "rank 0"), () -> {
            Tensor x = leaf(FLOAT64);
            return act(() -> Ops.softmax(x, 1), x);
        });
    }
}
