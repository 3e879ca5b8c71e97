package io.sightline.server.lifecycle;

import io.sightline.server.config.ConfigException;
import io.sightline.server.config.ConfigLoader;
import io.sightline.server.config.HostPort;
import io.sightline.server.config.SightlineConfig;
import java.nio.file.Path;

/**
 * Where the config comes from: a file (or the embedded defaults) with command-line overrides applied on
 * top, so that a reload re-reads the file and keeps the flags' precedence.
 *
 * @param file the config file, or null for the defaults
 * @param dataDir {@code --data-dir}, or null
 * @param httpAddress {@code --http-address}, or null
 */
public record ConfigSource(Path file, Path dataDir, HostPort httpAddress) {
    public SightlineConfig load() throws ConfigException {
        SightlineConfig config = file == null ? ConfigLoader.defaults() : ConfigLoader.load(file);
        if (dataDir != null) {
            config = config.withDataDir(dataDir);
        }
        if (httpAddress != null) {
            config = config.withHttpAddress(httpAddress);
        }
        return config;
    }
}
