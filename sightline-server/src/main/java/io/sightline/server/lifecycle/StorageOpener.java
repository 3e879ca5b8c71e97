package io.sightline.server.lifecycle;

/**
 * Opens the storage engines inside the locked data directory; may take long (WAL replay), which is
 * why the server answers {@code /-/healthy} before and {@code /-/ready} only after. The returned handle
 * is closed on shutdown, after in-flight requests finish.
 */
@FunctionalInterface
public interface StorageOpener {
    AutoCloseable open(DataDirectory dir) throws Exception;
}
