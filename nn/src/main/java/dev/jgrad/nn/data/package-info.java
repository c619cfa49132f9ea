/**
 * In-memory labelled data sets and the plumbing around them: loaders for the bundled
 * CSV data sets ({@link dev.jgrad.nn.data.CsvLoader}, {@link dev.jgrad.nn.data.Datasets}),
 * an IDX reader for MNIST / Fashion-MNIST ({@link dev.jgrad.nn.data.IdxLoader}), feature
 * scaling ({@link dev.jgrad.nn.data.Standardizer}, {@link dev.jgrad.nn.data.MinMaxScaler}),
 * seeded stratified splitting ({@link dev.jgrad.nn.data.Split}) and seeded mini-batch
 * index generation ({@link dev.jgrad.nn.data.BatchSampler}).
 *
 * <p>Everything here works on plain Java arrays; nothing depends on the tensor classes.
 */
package dev.jgrad.nn.data;
