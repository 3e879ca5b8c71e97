/**
 * Downsampling: rollups of raw samples into 5-minute and 1-hour windows (count, sum, min, max and last
 * value per window), written as blocks of their own, kept longer than raw samples, and read instead of
 * them when a query's {@link io.sightline.tsdb.SelectHints} allow it. The format is described in
 * {@code sightline-tsdb/docs/format/rollups.md}.
 */
package io.sightline.tsdb.rollup;
