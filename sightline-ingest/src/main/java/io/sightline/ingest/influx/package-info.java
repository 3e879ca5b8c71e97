/** The InfluxDB line protocol (v1 {@code /write}, v2 {@code /api/v2/write}) mapped to Prometheus series. */
package io.sightline.ingest.influx;
