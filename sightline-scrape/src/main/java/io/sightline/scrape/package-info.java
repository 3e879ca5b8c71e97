/**
 * Pull ingestion with Prometheus's semantics: targets from {@code static_configs} and
 * {@code file_sd_configs}, target relabeling, one scrape loop per target on a spread schedule, the
 * exposition formats negotiated by {@code Accept}, sample relabeling, {@code up} and the other
 * {@code scrape_*} series, and staleness markers for series and targets that go away.
 */
package io.sightline.scrape;
