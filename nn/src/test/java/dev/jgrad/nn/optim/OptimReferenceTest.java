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
}
