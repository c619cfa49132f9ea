package dev.jgrad.train;

import java.util.List;

/**
 * What {@link Model#predict} returns for a batch of rows: for a classifier the predicted class of every row (its index
 * and name) and the class probabilities; for a regressor the predicted values, in the units of the training targets.
 * Immutable; every array returned is a copy.
 */
public final class Predictions {
    private final Model.Task task;
    private final List<String> classNames;
    private final int[] classes;
    private final double[][] probabilities;
    private final double[][] values;

    private Predictions(Model.Task task, List<String> classNames, int[] classes, double[][] probabilities, double[][] values) {
        this.task = task;
        this.classNames = classNames;
        this.classes = classes;
        this.probabilities = probabilities;
        this.values = values;
    }

    /** A classifier's predictions: {@code classes[i]} is the argmax of {@code probabilities[i]} (arrays kept). */
    static Predictions classification(List<String> classNames, int[] classes, double[][] probabilities) {
        return new Predictions(Model.Task.CLASSIFICATION, classNames, classes, probabilities, null);
    }

    /** A regressor's predictions (array kept). */
    static Predictions regression(double[][] values) {
        return new Predictions(Model.Task.REGRESSION, List.of(), null, null, values);
    }

    /**
     * The task of the model that made these predictions.
     *
     * @return classification or regression
     */
    public Model.Task task() {
        return task;
    }

    /**
     * The number of rows predicted.
     *
     * @return the row count
     */
    public int size() {
        return task == Model.Task.CLASSIFICATION ? classes.length : values.length;
    }

    /**
     * The class names of the model, index = class (empty for a regressor).
     *
     * @return the names
     */
    public List<String> classNames() {
        return classNames;
    }

    /**
     * The predicted class of a row: the most probable one (the first of equally probable ones).
     *
     * @param row the row, in {@code [0, size())}
     * @return the class index
     * @throws IllegalStateException     for a regressor's predictions
     * @throws IndexOutOfBoundsException for a row outside the predictions
     */
    public int classIndex(int row) {
        return classes()[row];
    }

    /**
     * The name of the predicted class of a row.
     *
     * @param row the row, in {@code [0, size())}
     * @return {@code classNames().get(classIndex(row))}
     * @throws IllegalStateException     for a regressor's predictions
     * @throws IndexOutOfBoundsException for a row outside the predictions
     */
    public String label(int row) {
        return classNames.get(classIndex(row));
    }

    /**
     * The class probabilities of a row (the softmax of the logits; for a binary classifier with one logit
     * {@code [1 - sigmoid(z), sigmoid(z)]}), index = class; they sum to 1.
     *
     * @param row the row, in {@code [0, size())}
     * @return a copy of the probabilities
     * @throws IllegalStateException     for a regressor's predictions
     * @throws IndexOutOfBoundsException for a row outside the predictions
     */
    public double[] probabilities(int row) {
        if (probabilities == null) throw new IllegalStateException("Predictions: a regression model predicts values, not probabilities");
        return probabilities[row].clone();
    }

    /**
     * The predicted classes of all rows.
     *
     * @return a copy, one class index per row
     * @throws IllegalStateException for a regressor's predictions
     */
    public int[] classIndices() {
        return classes().clone();
    }

    /**
     * The predicted values of a row (one per regression target, in the training targets' units).
     *
     * @param row the row, in {@code [0, size())}
     * @return a copy of the values
     * @throws IllegalStateException     for a classifier's predictions
     * @throws IndexOutOfBoundsException for a row outside the predictions
     */
    public double[] values(int row) {
        if (values == null) throw new IllegalStateException("Predictions: a classification model predicts classes; use label(row) or probabilities(row)");
        return values[row].clone();
    }

    /**
     * The first predicted value of a row (the value of a single-target regressor).
     *
     * @param row the row, in {@code [0, size())}
     * @return the value
     * @throws IllegalStateException     for a classifier's predictions
     * @throws IndexOutOfBoundsException for a row outside the predictions
     */
    public double value(int row) {
        if (values == null) throw new IllegalStateException("Predictions: a classification model predicts classes; use label(row) or probabilities(row)");
        return values[row][0];
    }

    private int[] classes() {
        if (classes == null) throw new IllegalStateException("Predictions: a regression model predicts values; use value(row) or values(row)");
        return classes;
    }
}
