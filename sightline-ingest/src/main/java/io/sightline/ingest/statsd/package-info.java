/**
 * StatsD and DogStatsD: the line format ({@code name:value|type|@rate|#tags}) and the aggregation that
 * turns its events into Prometheus series at each flush, as statsd_exporter does. The UDP listener and
 * the flush schedule live in {@code sightline-server}.
 */
package io.sightline.ingest.statsd;
