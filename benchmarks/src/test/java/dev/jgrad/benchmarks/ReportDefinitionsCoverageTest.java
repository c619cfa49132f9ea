package dev.jgrad.benchmarks;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.jgrad.benchmarks.report.RatioDefinition;
import dev.jgrad.benchmarks.report.ReportDefinitions;
import dev.jgrad.benchmarks.report.Selector;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/**
 * The built-in ratio definitions name benchmarks that exist: every selector's class is a benchmark
 * class of this package, its method carries {@code @Benchmark}, and every parameter it fixes is a
 * {@code @Param} field (of the class or of a state argument) whose annotation lists that value —
 * so a renamed method or a trimmed {@code @Param} set cannot silently turn a ratio into
 * "not measured".
 */
class ReportDefinitionsCoverageTest {

    private static Class<?> benchmarkClass(String simpleName) {
        try {
            return Class.forName("dev.jgrad.benchmarks." + simpleName);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    private static List<Field> paramFields(Class<?> cls, Method method) {
        List<Field> fields = new ArrayList<>();
        List<Class<?>> states = new ArrayList<>(List.of(cls));
        states.addAll(Arrays.asList(method.getParameterTypes()));
        for (Class<?> s : states) {
            for (Field f : s.getFields()) {
                if (f.isAnnotationPresent(Param.class)) {
                    fields.add(f);
                }
            }
        }
        return fields;
    }

    private static void check(Selector selector, String label) {
        String text = selector.toString();
        int brace = text.indexOf('{');
        String name = (brace < 0 ? text : text.substring(0, brace)).trim();
        String[] parts = name.split("\\.");
        assertTrue(parts.length >= 2, label + ": selector " + text + " has no method");
        String className = parts[parts.length - 2];
        String methodName = parts[parts.length - 1];
        Class<?> cls = benchmarkClass(className);
        if (cls == null) {
            fail(label + ": no benchmark class dev.jgrad.benchmarks." + className);
        }
        if (methodName.contains("*")) {
            return;
        }
        Method method = Arrays.stream(cls.getMethods())
                .filter(m -> m.getName().equals(methodName) && m.isAnnotationPresent(Benchmark.class))
                .findFirst()
                .orElse(null);
        if (method == null) {
            fail(label + ": " + className + " has no @Benchmark method " + methodName);
        }
        List<Field> params = paramFields(cls, method);
        for (Map.Entry<String, String> e : selector.params().entrySet()) {
            Field f = params.stream().filter(p -> p.getName().equals(e.getKey())).findFirst().orElse(null);
            if (f == null) {
                fail(label + ": " + className + "." + methodName + " has no @Param " + e.getKey());
            }
            List<String> values = Arrays.asList(f.getAnnotation(Param.class).value());
            assertTrue(values.contains(e.getValue()),
                    label + ": @Param " + e.getKey() + " of " + className + " does not list " + e.getValue() + " " + values);
        }
    }

    @Test
    void everyRatioSelectorNamesAnExistingBenchmarkAndParamValue() {
        List<RatioDefinition> ratios = ReportDefinitions.loadDefault().ratios();
        assertTrue(ratios.size() >= 20, "ratios: " + ratios.size());
        for (RatioDefinition r : ratios) {
            check(r.numerator(), r.label());
            check(r.denominator(), r.label());
        }
    }
}
