/** Sightline's self-metrics: a Micrometer registry exposed at {@code /metrics} in Prometheus format. */
package io.sightline.server.metrics;
