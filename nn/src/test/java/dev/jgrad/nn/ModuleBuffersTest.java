package dev.jgrad.nn;

import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.jgrad.core.DType.FLOAT64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Buffers beside parameters: names, PyTorch's state_dict order, integral marks, and misuse. */
class ModuleBuffersTest {

    /** A parameter, a running statistic and a counter, like a tiny batch norm. */
    static final class Stats extends Module {
        final Tensor weight = registerParameter("weight", Tensor.zeros(FLOAT64, 2));
        final Tensor mean = registerBuffer("running_mean", Tensor.zeros(FLOAT64, 2));
        final Tensor count = registerBuffer("num_batches_tracked", Tensor.scalar(0, FLOAT64), true);

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    /** Children after own entries: own parameter, own buffer, then child "0" and "1". */
    static final class Net extends Module {
        final Tensor scale = registerParameter("scale", Tensor.zeros(FLOAT64, 1));
        final Tensor step = registerBuffer("step", Tensor.zeros(FLOAT64, 1));
        final Stats a = registerModule("0", new Stats());
        final Stats b = registerModule("1", new Stats());

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    @Test
    void stateDictListsParametersThenBuffersThenChildrenLikePyTorch() {
        Net n = new Net();
        assertEquals(List.of("scale", "step", "0.weight", "0.running_mean", "0.num_batches_tracked",
                "1.weight", "1.running_mean", "1.num_batches_tracked"), List.copyOf(n.stateDict().keySet()));
        assertEquals(List.of("step", "0.running_mean", "0.num_batches_tracked", "1.running_mean", "1.num_batches_tracked"),
                List.copyOf(n.namedBuffers().keySet()));
        assertEquals(Set.of("0.num_batches_tracked", "1.num_batches_tracked"), n.integralBuffers());
        assertSame(n.a.mean, n.stateDict().get("0.running_mean"));
    }

    @Test
    void buffersAreNotParameters() {
        Net n = new Net();
        assertEquals(List.of("scale", "0.weight", "1.weight"), List.copyOf(n.namedParameters().keySet()));
        assertEquals(5, n.parameterCount());
        for (Tensor b : n.namedBuffers().values()) assertFalse(b.requiresGrad());
        Map<String, Tensor> sd = n.stateDict();
        assertTrue(sd.get("scale").requiresGrad());
    }

    @Test
    void misuseIsRejectedWithTheName() {
        class Bad extends Module {
            final int kind;

            Bad(int kind) {
                this.kind = kind;
                registerParameter("w", Tensor.zeros(FLOAT64, 1));
                switch (kind) {
                    case 0: registerBuffer("w", Tensor.zeros(FLOAT64, 1)); break;
                    case 1: registerBuffer("g", Tensor.zeros(FLOAT64, 1).requiresGrad(true)); break;
                    case 2: registerBuffer("a.b", Tensor.zeros(FLOAT64, 1)); break;
                    default: registerBuffer("n", null);
                }
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Bad(0)).getMessage().contains("duplicate buffer name 'w'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Bad(1)).getMessage().contains("buffer 'g' must not require grad"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Bad(2)).getMessage().contains("'a.b'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Bad(3)).getMessage().contains("buffer 'n' is null"));
    }
}
