package dev.jgrad.lab;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlowdownTest {

    @Test
    void quadraticCostLearnsSlowlyFromASaturatedStart() {
        Slowdown.Run q1 = Slowdown.run(Slowdown.Cost.QUADRATIC, 0.6, 0.9, 0.15, 300);
        Slowdown.Run q2 = Slowdown.run(Slowdown.Cost.QUADRATIC, 2.0, 2.0, 0.15, 300);
        assertEquals(0.82, q1.outputs()[0], 0.005);
        assertEquals(0.98, q2.outputs()[0], 0.005);
        assertEquals(0.094, q1.finalOutput(), 0.002);
        assertEquals(0.203, q2.finalOutput(), 0.002);
    }

    @Test
    void crossEntropyLearnsFastFromEitherStart() {
        Slowdown.Run c1 = Slowdown.run(Slowdown.Cost.CROSS_ENTROPY, 0.6, 0.9, 0.15, 300);
        Slowdown.Run c2 = Slowdown.run(Slowdown.Cost.CROSS_ENTROPY, 2.0, 2.0, 0.15, 300);
        assertEquals(0.0116, c1.finalOutput(), 0.0005);
        assertEquals(0.0120, c2.finalOutput(), 0.0005);
        // the saturated start barely moves in the first 20 epochs with the quadratic cost, but does with cross-entropy
        Slowdown.Run q2 = Slowdown.run(Slowdown.Cost.QUADRATIC, 2.0, 2.0, 0.15, 300);
        assertTrue(q2.outputs()[20] > 0.97, "quadratic plateau: " + q2.outputs()[20]);
        assertTrue(c2.outputs()[20] < 0.9, "cross-entropy moves: " + c2.outputs()[20]);
        for (int e = 1; e <= 300; e++) assertTrue(c2.costs()[e] <= c2.costs()[e - 1] + 1e-15, "cost decreases");
    }
}
