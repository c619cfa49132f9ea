package dev.jgrad.core;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** The reverse-mode engine: iterative topological sort, then gradients flow from the root to the leaves. */
final class Autograd {
    private Autograd() {
    }

    /**
     * The engine's working sets, kept per thread and cleared after each pass, so that a backward pass allocates
     * nothing once they have grown to the graph's size (a backward called from inside a backward gets fresh ones).
     */
    private static final class Scratch {
        final ArrayList<Tensor> order = new ArrayList<>(), stack = new ArrayList<>();
        int[] next = new int[16];
        final IdentityHashMap<Tensor, Tensor> pending = new IdentityHashMap<>();
        final IdentityHashMap<Tensor, Boolean> owned = new IdentityHashMap<>(), seen = new IdentityHashMap<>();
        boolean busy;

        void clear() {
            order.clear();
            stack.clear();
            pending.clear();
            owned.clear();
            seen.clear();
            busy = false;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static void run(Tensor root, Tensor gradOutput, boolean retainGraph) {
        Scratch sc = SCRATCH.get();
        if (sc.busy) sc = new Scratch();
        sc.busy = true;
        try {
            run(root, gradOutput, retainGraph, sc);
        } finally {
            sc.clear();
        }
    }

    private static void run(Tensor root, Tensor gradOutput, boolean retainGraph, Scratch sc) {
        List<Tensor> order = topoOrder(root, sc);
        Map<Tensor, Tensor> pending = sc.pending;
        // gradients that share storage with nothing else in this pass: a leaf may adopt them without a copy
        Map<Tensor, Boolean> owned = sc.owned;
        pending.put(root, gradOutput);
        for (int k = order.size() - 1; k >= 0; k--) {
            Tensor t = order.get(k);
            Tensor g = pending.remove(t);
            if (g == null) continue;
            Function fn = t.gradFn;
            boolean adopt = fn == null && owned.containsKey(g);
            if (t.retainsGrad()) t.accumulateGrad(g, adopt);
            if (fn == null) continue;
            Tensor[] grads = fn.runBackward(g);
            Tensor[] in = fn.inputs();
            for (int i = 0; i < in.length; i++) {
                if (grads[i] == null || !in[i].requiresGrad()) continue;
                Tensor prev = pending.get(in[i]);
                // never mutate a gradient tensor in place: ops may hand the same tensor to several inputs
                Tensor next = prev == null ? grads[i] : sum(prev, grads[i]);
                pending.put(in[i], next);
                if (prev == null ? isFresh(grads, i, g, t, in) : true) owned.put(next, Boolean.TRUE);
            }
            if (!retainGraph) fn.release();
        }
    }

    /** Post-order (inputs before the tensors computed from them) of every tensor reachable that requires grad. */
    private static List<Tensor> topoOrder(Tensor root, Scratch sc) {
        List<Tensor> order = sc.order;
        IdentityHashMap<Tensor, Boolean> seen = sc.seen;
        ArrayList<Tensor> stack = sc.stack;
        stack.add(root);
        sc.next[0] = 0;
        seen.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            int top = stack.size() - 1;
            Tensor t = stack.get(top);
            Tensor[] in = t.gradFn == null ? null : t.gradFn.inputs();
            int i = sc.next[top];
            if (in != null && i < in.length) {
                sc.next[top] = i + 1;
                Tensor c = in[i];
                if (c.requiresGrad() && seen.put(c, Boolean.TRUE) == null) {
                    stack.add(c);
                    if (top + 1 == sc.next.length) sc.next = java.util.Arrays.copyOf(sc.next, sc.next.length * 2);
                    sc.next[top + 1] = 0;
                }
            } else {
                stack.remove(top);
                order.add(t);
            }
        }
        return order;
    }

    /**
     * True if {@code grads[i]} shares its storage with none of: the upstream gradient, the node's output, the
     * node's inputs, and the other gradients of the same call — so no one else can observe it being adopted.
     */
    private static boolean isFresh(Tensor[] grads, int i, Tensor gradOutput, Tensor output, Tensor[] inputs) {
        Storage s = grads[i].storage();
        if (s == gradOutput.storage() || s == output.storage()) return false;
        for (Tensor x : inputs) if (x.storage() == s) return false;
        for (int j = 0; j < grads.length; j++) if (j != i && grads[j] != null && grads[j].storage() == s) return false;
        return true;
    }

    private static Tensor sum(Tensor a, Tensor b) {
        Tensor s = Tensor.pooledCopy(a);
        s.addInPlace(b);
        return s;
    }
}
