package dev.jgrad.spark;

import dev.jgrad.data.Tabular;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link Tabular} data set as plain arrays, so that Spark can broadcast it to the executors (Tabular itself is not
 * serializable). Row-major features {@code [n, d]}, class labels (classification) or row-major targets {@code [n, k]}
 * (regression).
 */
public final class DataSet implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The Tabular of each broadcast data set already rebuilt in this JVM (tasks of later stages reuse it). */
    private static final Map<Long, Tabular> CACHE = new ConcurrentHashMap<>();

    private final double[] features;
    private final int numFeatures;
    private final int[] labels;
    private final int numClasses;
    private final List<String> classNames;
    private final double[] targets;
    private final int numTargets;

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

    /** {@link #toTabular()} built once per JVM for the broadcast variable {@code id}. */
    Tabular cached(long id) {
        return CACHE.computeIfAbsent(id, k -> toTabular());
    }

    /** Forgets the cached Tabular of broadcast {@code id} (in this JVM). */
    static void forget(long id) {
        CACHE.remove(id);
    }
}
