/**
 * The Prometheus text formats: the exposition format 0.0.4 (scrape bodies and
 * {@code /api/v1/import/prometheus}) and OpenMetrics 1.0.0 text. Each parses a whole body or nothing.
 */
package io.sightline.ingest.text;
