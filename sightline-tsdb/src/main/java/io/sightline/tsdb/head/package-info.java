/**
 * The head: the in-memory, WAL-backed part of the durable engine that takes every write. Split by
 * concern as in Prometheus's {@code tsdb/head*.go}: {@link io.sightline.tsdb.head.MemSeries} (one
 * series' chunks), {@link io.sightline.tsdb.head.Postings} (the inverted index),
 * {@link io.sightline.tsdb.head.HeadAppender} (validation and commit),
 * {@link io.sightline.tsdb.head.HeadQuerier} (reads) and {@link io.sightline.tsdb.head.TsdbStorage}
 * (lifecycle and WAL replay).
 */
package io.sightline.tsdb.head;
