/**
 * JMH benchmarks for jgrad, packaged as {@code benchmarks/target/benchmarks.jar} and run by
 * {@code benchmarks/run.sh}.
 *
 * <p>Baselines that need only EJML and plain Java:
 * <ul>
 *   <li>{@link dev.jgrad.benchmarks.EjmlGemmBenchmark}: raw EJML GEMMs of a dense layer
 *       (forward, {@code Xᵀ·dY}, {@code dY·Wᵀ}), float32 and float64;</li>
 *   <li>{@link dev.jgrad.benchmarks.StreamCopyBenchmark}: STREAM-copy memory bandwidth, one and two
 *       threads.</li>
 * </ul>
 *
 * <p>jgrad benchmarks (forks get {@code --add-modules=jdk.incubator.vector} for the SIMD kernels):
 * <ul>
 *   <li>{@link dev.jgrad.benchmarks.CrossEntropyBenchmark}: cross-entropy forward + backward for
 *       every stability strategy × {@code shape} × {@code dtype};</li>
 *   <li>{@link dev.jgrad.benchmarks.LogSoftmaxBenchmark}: {@code logSoftmax(x)} vs
 *       {@code log(softmax(x))}, forward + backward;</li>
 *   <li>{@link dev.jgrad.benchmarks.JgradMatmulBenchmark}: {@code Ops.matmul} (default and forced
 *       scalar kernel backend) vs EJML {@code mult} on the same matrices;</li>
 *   <li>{@link dev.jgrad.benchmarks.MlpStepBenchmark}: one SGD training step of a 784-256-128-10 MLP;</li>
 *   <li>{@link dev.jgrad.benchmarks.GraphOverheadBenchmark}: autograd cost per graph node.</li>
 * </ul>
 * {@code BenchmarkEquivalenceTest} runs their own {@code @Setup}/{@code @Benchmark} methods and
 * checks that every compared path computes the same thing.
 *
 * <p>New benchmarks: one {@code @State} class per topic in this package, using the
 * same {@code @Param} names and values as the baseline they are compared with (e.g.
 * {@code shape="128x784x256"}), so that a ratio in
 * {@code src/main/resources/dev/jgrad/benchmarks/report/report-definitions.txt} can pair them.
 * The report generator lives in {@link dev.jgrad.benchmarks.report}.
 */
package dev.jgrad.benchmarks;
