package dev.jgrad.nn.optim;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Optimizers and schedulers against PyTorch 1.13's trajectories recorded by {@code conformance/tools/gen_optim.py}
 * ({@code optim_reference.txt}): parameters after six steps on fixed gradients (one parameter skipped in a step), float64
 * to 1e-12 relative and float32 to 8 float ulps; learning rates (and momentum) of two parameter groups to 1e-15.
 */
class OptimReferenceTest {
    static final String RESOURCE = "optim_reference.txt";

    /** One case of the resource: its header words and its lines by keyword. */
    record Case(String[] head, List<String[]> lines) {
        List<String[]> all(String key) {
            return lines.stream().filter(l -> l[0].equals(key)).toList();
        }

        String arg(String name) {
            return all("arg").stream().filter(l -> l[1].equals(name)).findFirst().orElseThrow(() -> new AssertionError("no arg " + name))[2];
        }

        double num(String name) {
            return Double.parseDouble(arg(name));
        }
    }

    static List<Case> cases(String kind) {
        List<Case> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(OptimReferenceTest.class.getResourceAsStream(RESOURCE),
                StandardCharsets.UTF_8))) {
            Case c = null;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] w = line.trim().split(" ");
                if (w[0].equals("end")) {
                    if (c.head[0].equals(kind)) out.add(c);
                    c = null;
                } else if (c == null) {
                    c = new Case(w, new ArrayList<>());
                } else {
                    c.lines.add(w);
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertTrue(out.size() > 5, "few " + kind + " cases");
        return out;
    }

    static double[] values(String[] w, int from) {
        return Arrays.stream(w, from, w.length).mapToDouble(Double::parseDouble).toArray();
    }

    static Optimizer optimizer(String kind, List<ParamGroup> groups) {
        return switch (kind) {
            case "sgd" -> new Sgd(groups);
            case "adam" -> new Adam(groups);
            case "rmsprop" -> new RmsProp(groups);
            case "adagrad" -> new Adagrad(groups);
            default -> throw new AssertionError(kind);
        };
    }

    @TestFactory
    Stream<DynamicTest> optimizersMatchPyTorch() {
        return cases("optim").stream().map(c -> DynamicTest.dynamicTest(c.head[1] + " " + c.head[3], () -> {
            DType dtype = c.head[3].equals("float64") ? DType.FLOAT64 : DType.FLOAT32;
            int steps = Integer.parseInt(c.head[4]);
            List<Tensor> params = new ArrayList<>();
            for (String[] w : c.all("param")) params.add(Tensor.of(values(w, 2), w.length - 2).to(dtype).requiresGrad(true));
            Map<Integer, ParamGroup> groups = new LinkedHashMap<>();
            for (String[] w : c.all("group")) {
                List<Tensor> ps = new ArrayList<>();
                for (int k = 2; k < w.length; k++) ps.add(params.get(Integer.parseInt(w[k])));
                groups.put(Integer.parseInt(w[1]), new ParamGroup(ps));
            }
            for (String[] w : c.all("option")) groups.get(Integer.parseInt(w[1])).set(w[2], Double.parseDouble(w[3]));
            Optimizer opt = optimizer(c.head[2], new ArrayList<>(groups.values()));
            for (int s = 1; s <= steps; s++) {
                opt.zeroGrad();
                for (String[] w : c.all("grad")) {
                    if (Integer.parseInt(w[1]) != s) continue;
                    Tensor p = params.get(Integer.parseInt(w[2]));
                    p.setGrad(Tensor.of(values(w, 3), w.length - 3).to(dtype));
                }
                opt.step();
            }
            for (String[] w : c.all("expect")) {
                double[] want = values(w, 2), got = params.get(Integer.parseInt(w[1])).toDoubleArray();
                for (int k = 0; k < want.length; k++) {
                    // PyTorch's vectorised float kernels round a few operations differently: 1-2 float ulps apart
                    double tol = dtype == DType.FLOAT64 ? 1e-12 * Math.max(1, Math.abs(want[k])) : 8 * Math.ulp((float) Math.max(Math.abs(want[k]), 1));
                    assertEquals(want[k], got[k], tol, c.head[1] + " " + c.head[3] + " parameter " + w[1] + " element " + k);
                }
            }
        }));
    }

    /** The scheduler of a case over {@code opt}. */
    static Object scheduler(Case c, Optimizer opt) {
        return switch (c.head[2]) {
            case "step" -> new LrScheduler.Step(opt, (int) c.num("step_size"), c.num("gamma"));
            case "multistep" -> new LrScheduler.MultiStep(opt, Arrays.stream(c.arg("milestones").split(",")).mapToInt(Integer::parseInt).toArray(),
                    c.num("gamma"));
            case "exp" -> new LrScheduler.Exponential(opt, c.num("gamma"));
            case "cosine" -> new LrScheduler.CosineAnnealing(opt, (int) c.num("t_max"), c.num("eta_min"));
            case "restarts" -> new LrScheduler.CosineWarmRestarts(opt, (int) c.num("t_0"), (int) c.num("t_mult"), c.num("eta_min"));
            case "linear" -> new LrScheduler.Linear(opt, c.num("start_factor"), c.num("end_factor"), (int) c.num("total_iters"));
            case "warmup_cosine" -> {
                int warmup = (int) c.num("warmup");
                LrScheduler w = new LrScheduler.Linear(opt, c.num("start_factor"), 1.0, warmup);
                LrScheduler cos = new LrScheduler.CosineAnnealing(opt, (int) c.num("t_max"), c.num("eta_min"));
                yield new LrScheduler.Sequential(opt, new LrScheduler[] {w, cos}, new int[] {warmup});
            }
            case "onecycle" -> new LrScheduler.OneCycle(opt, c.num("max_lr"), (int) c.num("total_steps"), c.num("pct_start"),
                    c.arg("anneal").equals("cos"), c.num("three_phase") != 0, c.num("div_factor"), c.num("final_div_factor"), true, 0.85, 0.95);
            case "plateau" -> new ReduceLrOnPlateau(opt, c.arg("mode"), c.num("factor"), (int) c.num("patience"), c.num("threshold"),
                    c.arg("threshold_mode"), (int) c.num("cooldown"), c.num("min_lr"), c.num("eps"));
            default -> throw new AssertionError(c.head[2]);
        };
    }

    /** An optimizer of two one-element groups with the case's base rates: SGD with momentum 0.9, or Adam. */
    static Optimizer groupsOptimizer(Case c) {
        double[] bases = values(c.all("base").get(0), 1);
        Optimizer.Builder<? extends Optimizer> b = c.head[1].contains("adam") ? Adam.builder() : Sgd.builder().defaults(d -> d.momentum(0.9));
        for (double base : bases) b.group(List.of(Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true)), g -> g.lr(base));
        return b.build();
    }

    @TestFactory
    Stream<DynamicTest> schedulersMatchPyTorch() {
        return cases("sched").stream().map(c -> DynamicTest.dynamicTest(c.head[1], () -> {
            Optimizer opt = groupsOptimizer(c);
            Object s = scheduler(c, opt);
            int epochs = Integer.parseInt(c.head[3]);
            double[] metric = c.all("metric").isEmpty() ? null : values(c.all("metric").get(0), 1);
            String momName = opt instanceof Adam ? "beta1" : "momentum";
            for (int e = 0; e <= epochs; e++) {
                if (e > 0) {
                    if (s instanceof ReduceLrOnPlateau p) p.step(metric[e - 1]);
                    else ((LrScheduler) s).step();
                }
                for (String[] w : c.all("lr")) {
                    int g = Integer.parseInt(w[1]);
                    double want = Double.parseDouble(w[2 + e]);
                    assertEquals(want, opt.lr(g), 1e-15 * Math.abs(want), c.head[1] + " group " + g + " lr after " + e + " steps");
                }
                for (String[] w : c.all("mom")) {
                    int g = Integer.parseInt(w[1]);
                    double want = Double.parseDouble(w[2 + e]);
                    assertEquals(want, opt.option(g, momName), 1e-15 * Math.abs(want), c.head[1] + " group " + g + " momentum after " + e + " steps");
                }
            }
        }));
    }
}
