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
 * <p><b>jgrad benchmarks go here too</b> (e.g. {@code JgradMatmulBenchmark},
 * {@code CrossEntropyBenchmark}): one {@code @State} class per topic in this package, using the
 * same {@code @Param} names and values as the baseline they are compared with (e.g.
 * {@code shape="128x784x256"}), so that a ratio in
 * {@code src/main/resources/dev/jgrad/benchmarks/report/report-definitions.txt} can pair them.
 * The report generator lives in {@link dev.jgrad.benchmarks.report}.
 */
package dev.jgrad.benchmarks;
