package io.sightline.server.lifecycle;

/**
 * Opens the storage engines inside the locked data directory; may take long (WAL replay), which is
 * why the server answers {@code /-/healthy} before and {@code /-/ready} only after. The returned handle
 * is closed on shutdown, after in-flight requests finish.
 */
@FunctionalInterface
public interface StorageOpener {
    /**
     * @param metrics where the storage registers its figures
     * @throws io.sightline.server.StartupException for a cause the user can fix, with its message
     */
    AutoCloseable open(DataDirectory dir, io.sightline.server.metrics.SelfMetrics metrics) throws Exception;
}
