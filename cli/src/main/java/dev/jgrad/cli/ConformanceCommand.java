package dev.jgrad.cli;

import dev.jgrad.conformance.BundledCases;
import dev.jgrad.conformance.CaseReader;
import dev.jgrad.conformance.ConformanceCase;
import dev.jgrad.conformance.ConformanceRunner;
import dev.jgrad.conformance.JgradCaseExecutor;
import dev.jgrad.conformance.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jgrad conformance [DIR] [--op NAME...]}: runs every PyTorch reference case in DIR (any directory of
 * {@code loss-conformance/1} JSON files; without DIR the cases bundled with the conformance module) through jgrad and prints one line per failing case, deviations,
 * skipped cases with their reason, a per-op summary and last {@code N passed, M failed}. Exit code 1 on
 * any failure.
 */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = "Check jgrad against PyTorch reference cases (format loss-conformance/1).")
public final class ConformanceCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
            description = "A case file or a directory of case files (searched recursively); default: the bundled PyTorch 1.13 cases.")
    Path dir;

    @Option(names = "--op", paramLabel = "NAME", arity = "1..*", description = "Only these ops (e.g. cross_entropy log_softmax).")
    List<String> ops;

    @Override
    public Integer call() throws Exception {
        if (dir == null) dir = BundledCases.directory();
        if (!Files.exists(dir)) throw new Main.UsageException("no such file or directory: " + dir);
        List<ConformanceCase> cases = CaseReader.readCases(dir);
        if (ops != null) {
            for (String op : ops) {
                if (cases.stream().noneMatch(c -> c.op().equals(op))) {
                    throw new Main.UsageException("--op " + op + ": no case in " + dir + " has this op");
                }
            }
        }
        Report report = new ConformanceRunner(new JgradCaseExecutor()).run(cases, ops == null ? List.of() : ops);
        System.out.println(report.render());
        return report.failed() > 0 ? 1 : 0;
    }
}
