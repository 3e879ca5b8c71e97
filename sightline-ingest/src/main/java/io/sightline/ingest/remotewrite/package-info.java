/** Prometheus remote_write 1.0: the {@code prometheus.WriteRequest} protobuf, snappy-compressed. */
package io.sightline.ingest.remotewrite;
