/**
 * In-memory labelled data sets and the plumbing around them: loaders for the bundled
 * CSV data sets ({@link dev.jgrad.data.CsvLoader}, {@link dev.jgrad.data.Datasets}),
 * an IDX reader for MNIST / Fashion-MNIST ({@link dev.jgrad.data.IdxLoader}), feature
 * scaling ({@link dev.jgrad.data.Standardizer}, {@link dev.jgrad.data.MinMaxScaler}),
 * seeded stratified splitting ({@link dev.jgrad.data.Split}) and seeded mini-batch
 * index generation ({@link dev.jgrad.data.BatchSampler}).
 *
 * <p>Everything here works on plain Java arrays; nothing depends on the tensor classes.
 */
package dev.jgrad.data;
