/** The Prometheus text exposition format (version 0.0.4): scrape bodies and {@code /api/v1/import/prometheus}. */
package io.sightline.ingest.text;
