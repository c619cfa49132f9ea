package dev.jgrad.nn;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The library modules (core, ops, losses, nn) pull in no tool dependency: none of the tools' libraries is on this
 * module's class path (its test class path is its runtime class path plus JUnit), so a user who depends on
 * {@code jgrad-nn} for {@code Linear} + {@code Adam} gets EJML and nothing else.
 */
class LibraryClasspathTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "com.fasterxml.jackson.databind.ObjectMapper",   // JSON (train, conformance, benchmarks)
            "org.knowm.xchart.XYChart",                      // charts (train)
            "org.apache.pdfbox.pdmodel.PDDocument",          // XChart's PDF export
            "me.tongfei.progressbar.ProgressBar",            // progress bar (train)
            "picocli.CommandLine",                           // the command line (cli)
            "ch.obermuhlner.math.big.BigDecimalMath",        // high-precision reference (lab)
            "org.apache.commons.csv.CSVFormat",              // CSV parsing (data)
            "org.openjdk.jmh.annotations.Benchmark"})        // benchmarks
    void noToolLibraryIsOnTheClassPath(String className) {
        assertThrows(ClassNotFoundException.class, () -> Class.forName(className, false, getClass().getClassLoader()),
                className + " is on jgrad-nn's class path");
    }
}
