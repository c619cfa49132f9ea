package dev.jgrad.conformance;

import dev.jgrad.conformance.CaseReader;
import dev.jgrad.conformance.ConformanceCase;
import dev.jgrad.conformance.ConformanceRunner;
import dev.jgrad.conformance.JgradCaseExecutor;
import dev.jgrad.conformance.Report;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bundled PyTorch reference case passes through jgrad's public API. */
class ConformanceSuiteTest {

    static Path casesDir() throws Exception {
        return BundledCases.directory();
    }

    @Test
    void everyReferenceCasePassesInBothDtypes() throws Exception {
        List<ConformanceCase> cases = CaseReader.readCases(casesDir());
        Report report = new ConformanceRunner(new JgradCaseExecutor()).run(cases);
        System.out.println(report.render());
        assertTrue(cases.size() >= 500, "expected the full reference set, got " + cases.size());
        assertEquals(0, report.failed(), report.render());
        assertEquals(0, report.skipped(), "no op may be skipped");
        assertTrue(report.passed() == cases.size());
    }
}
