package dev.jgrad.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A test class with one {@code local[2]} Spark context for all its tests ({@link #sc}), stopped after them. */
abstract class LocalSparkTest {
    /** The context of the running test class. */
    static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = SparkTestSupport.context("local[2]");
    }

    @AfterAll
    static void stopSpark() {
        if (sc != null) sc.stop();
        sc = null;
    }
}
