/**
 * Headless PNG line charts on XChart ({@link dev.jgrad.train.plot.LineChart}), used for
 * training curves and numerical-stability reports.
 */
package dev.jgrad.train.plot;
