package io.sightline.server.lifecycle;

import io.sightline.server.config.SightlineConfig;
import io.sightline.server.metrics.SelfMetrics;

/**
 * A part of the server that runs on its own beside the request handlers (scraping, later rule
 * evaluation): started once storage is open, told of each successful reload, closed before storage.
 */
public interface Service extends AutoCloseable {
    void start(SightlineConfig config, SelfMetrics metrics);

    /**
     * Applies a reloaded config.
     *
     * @return null when applied, else why not (the service keeps what it ran before)
     */
    String reload(SightlineConfig config);

    @Override
    void close();
}
