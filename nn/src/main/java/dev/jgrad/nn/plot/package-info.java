/**
 * Headless PNG line charts on XChart ({@link dev.jgrad.nn.plot.LineChart}), used for
 * training curves and numerical-stability reports.
 */
package dev.jgrad.nn.plot;
