package io.sightline.server.lifecycle;

import io.sightline.server.StartupException;
import io.sightline.server.config.ConfigException;
import io.sightline.server.config.HostPort;
import io.sightline.server.config.SightlineConfig;
import io.sightline.server.http.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Starts a real server in-process on a loopback port with its own data dir. */
public final class TestServers {
    private TestServers() {}

    /** With the real metrics engine and scraping, as the server runs them. */
    public static SightlineServer start(Path configFile, Path dataDir, List<Endpoint> endpoints) {
        return start(configFile, dataDir, 0, endpoints, null);
    }

    /** With {@code storage} as the storage, or the real engine when null. */
    public static SightlineServer start(Path configFile, Path dataDir, int port, List<Endpoint> endpoints,
            StorageOpener storage) {
        ConfigSource source = new ConfigSource(configFile, dataDir, new HostPort("127.0.0.1", port));
        try {
            SightlineConfig config = source.load();
            if (storage != null) {
                return SightlineServer.start(source, config,
                        new SightlineServer.Options(storage, m -> endpoints, Duration.ofSeconds(10)));
            }
            TsdbOpener opener = new TsdbOpener(config);
            ScrapeService scrapes = new ScrapeService(opener);
            AlertingService alerting = new AlertingService(opener);
            SocketListenersService sockets = new SocketListenersService(opener);
            java.util.concurrent.atomic.AtomicReference<SightlineServer> running =
                    new java.util.concurrent.atomic.AtomicReference<>();
            SightlineServer server = SightlineServer.start(source, config, new SightlineServer.Options(opener, m -> {
                List<Endpoint> all = new java.util.ArrayList<>(Endpoints.modules(opener, () -> {
                    SightlineServer s = running.get();
                    return s == null ? config : s.config();
                }, m, scrapes, alerting));
                all.addAll(endpoints);
                return all;
            }, Duration.ofSeconds(10), List.of(scrapes, alerting, sockets)));
            running.set(server);
            return server;
        } catch (ConfigException | StartupException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every sample stored for series matching {@code matcher}, as {@code labels timestamp value} lines, sorted. */
    public static List<String> stored(SightlineServer s, io.sightline.common.LabelMatcher matcher) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (var q = ((io.sightline.tsdb.Storage) s.storageHandle()).querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            var set = q.select(true, null, matcher);
            while (set.next()) {
                var it = set.at().iterator(null);
                while (it.next()) {
                    out.add(set.at().labels() + " " + it.timestamp() + " " + it.value());
                }
            }
        }
        return out;
    }

    public static String url(SightlineServer s, String path) {
        return "http://127.0.0.1:" + s.address().getPort() + path;
    }
}
