/**
 * Turns JMH's JSON output into {@code benchmarks/RESULTS.md}; entry point
 * {@link dev.jgrad.benchmarks.report.ResultsReport}. Ratios and bandwidth figures are declared in
 * the resource {@code dev/jgrad/benchmarks/report/report-definitions.txt}
 * (see {@link dev.jgrad.benchmarks.report.ReportDefinitions}).
 */
package dev.jgrad.benchmarks.report;
