package dev.jgrad.spark;

import dev.jgrad.data.Tabular;

import java.io.Serializable;
import java.util.List;

/**
 * A {@link Tabular} data set as plain arrays, so that Spark can broadcast it to the executors (Tabular itself is not
 * serializable). Row-major features {@code [n, d]}, class labels (classification) or row-major targets {@code [n, k]}
 * (regression).
 */
public final class DataSet implements Serializable {
    private static final long serialVersionUID = 1L;
    private final double[] features;
    private final int numFeatures;
    private final int[] labels;
    private final int numClasses;
    private final List<String> classNames;
    private final double[] targets;
    private final int numTargets;
    /**
     * The rows as a Tabular, built on first use. A broadcast value is one object per executor, shared by its tasks and
     * later stages, so each executor builds it once (a static cache keyed by broadcast id would be wrong: the ids
     * start again at 0 in every Spark context of a JVM).
     */
    private transient volatile Tabular tabular;

    private DataSet(Tabular t) {
        this.features = t.flatFeatures();
        this.numFeatures = t.numFeatures();
        this.numTargets = t.numTargets();
        this.targets = numTargets > 0 ? t.targets() : null;
        this.labels = t.labels();
        this.numClasses = t.numClasses();
        this.classNames = List.copyOf(t.classNames());
    }

    /**
     * The arrays of {@code t} (copied).
     *
     * @throws IllegalArgumentException if {@code t} is null
     */
    public static DataSet of(Tabular t) {
        if (t == null) throw new IllegalArgumentException("DataSet.of: data is null");
        return new DataSet(t);
    }

    /** Number of rows. */
    public int size() {
        return labels.length;
    }

    /** The data set as a {@link Tabular} (a new one, sharing nothing with this object). */
    public Tabular toTabular() {
        Tabular t = Tabular.ofFlat(features, numFeatures, labels, numClasses, classNames);
        return numTargets > 0 ? t.withTargets(targets.clone(), numTargets) : t;
    }

    /** {@link #toTabular()}, built once per deserialized copy of this object and then shared (it is read-only). */
    Tabular cached() {
        Tabular t = tabular;
        if (t == null) {
            synchronized (this) {
                t = tabular;
                if (t == null) tabular = t = toTabular();
            }
        }
        return t;
    }
}
