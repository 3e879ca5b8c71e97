/**
 * Metric storage contracts in the shape of Prometheus's {@code storage/interface.go}: an
 * {@link io.sightline.tsdb.Appendable} hands out single-use {@link io.sightline.tsdb.Appender}s; a
 * {@link io.sightline.tsdb.Queryable} hands out {@link io.sightline.tsdb.Querier}s over a time range.
 * Ingestion and scraping see only {@code Appendable}; PromQL sees only {@code Queryable}.
 *
 * <p>Units everywhere: timestamps are milliseconds since the Unix epoch; ranges are inclusive at both
 * ends ({@code [mint, maxt]}), as in Prometheus.
 */
package io.sightline.tsdb;
