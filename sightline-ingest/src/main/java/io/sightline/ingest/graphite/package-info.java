/**
 * Graphite's plaintext protocol ({@code path value [timestamp]} lines, Graphite 1.1 tags) mapped to
 * Prometheus samples; the TCP listener that uses it lives in {@code sightline-server}.
 */
package io.sightline.ingest.graphite;
