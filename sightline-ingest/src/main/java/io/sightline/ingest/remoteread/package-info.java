/**
 * Prometheus remote read ({@code prometheus.ReadRequest} / {@code ReadResponse}, snappy-compressed):
 * decoding queries and encoding sample responses.
 */
package io.sightline.ingest.remoteread;
