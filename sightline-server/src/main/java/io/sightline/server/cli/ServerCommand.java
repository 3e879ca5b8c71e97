package io.sightline.server.cli;

import ch.qos.logback.classic.Level;
import io.sightline.server.StartupException;
import io.sightline.server.config.ConfigException;
import io.sightline.server.config.HostPort;
import io.sightline.server.config.SightlineConfig;
import io.sightline.server.lifecycle.AlertingService;
import io.sightline.server.lifecycle.ConfigSource;
import io.sightline.server.lifecycle.Endpoints;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.ScrapeService;
import io.sightline.server.lifecycle.SocketListenersService;
import io.sightline.server.lifecycle.TsdbOpener;
import io.sightline.server.logging.LogFormat;
import io.sightline.server.logging.LogSetup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code sightline server}: runs until SIGTERM or SIGINT, which stop it gracefully (exit 0); SIGHUP
 * reloads the config.
 */
@Command(name = "server", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Start the Sightline server with its embedded defaults, or with a config file.")
final class ServerCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServerCommand.class);

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML config file (a superset of prometheus.yml). Default: none, embedded defaults.")
    Path configFile;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where data is stored. Default: ./data, or storage.path.")
    Path dataDir;

    @Option(names = "--http-address", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "Listen address for the API, ingest and UI. Default: 0.0.0.0:8321, or listeners.http.address.")
    HostPort httpAddress;

    @Option(names = "--log-format", paramLabel = "FORMAT", converter = LogFormatConverter.class, defaultValue = "logfmt",
            description = "logfmt or json. Default: ${DEFAULT-VALUE}.")
    LogFormat logFormat;

    @Option(names = "--log-level", paramLabel = "LEVEL", converter = LevelConverter.class, defaultValue = "info",
            description = "debug, info, warn or error. Default: ${DEFAULT-VALUE}.")
    Level logLevel;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "30s", description = "How long in-flight requests may run after SIGTERM. Default: ${DEFAULT-VALUE}.")
    Duration shutdownTimeout;

    @Override
    public Integer call() throws StartupException, ConfigException {
        LogSetup.configure(logFormat, logLevel);
        ConfigSource source = new ConfigSource(configFile, dataDir, httpAddress);
        SightlineConfig config = source.load();
        CountDownLatch stop = new CountDownLatch(1);
        AtomicReference<SightlineServer> running = new AtomicReference<>();
        // Before start: a SIGHUP's default action would end the JVM, and a supervisor may send one at any time.
        Signal.handle(new Signal("TERM"), sig -> stop.countDown());
        Signal.handle(new Signal("INT"), sig -> stop.countDown());
        Signal.handle(new Signal("HUP"), sig -> {
            SightlineServer s = running.get();
            if (s != null) {
                s.reload();
            } else {
                log.warn("SIGHUP received while starting; ignored");
            }
        });
        TsdbOpener opener = new TsdbOpener(config);
        ScrapeService scrapes = new ScrapeService(opener);
        AlertingService alerting = new AlertingService(opener);
        SocketListenersService sockets = new SocketListenersService(opener);
        SightlineServer server = SightlineServer.start(source, config,
                new SightlineServer.Options(opener, metrics -> Endpoints.modules(opener, () -> {
                    SightlineServer s = running.get();
                    return s == null ? config : s.config();
                }, metrics, scrapes, alerting), shutdownTimeout, List.of(scrapes, alerting, sockets)));
        running.set(server);
        // Any other exit (System.exit elsewhere) still closes storage and releases the lock.
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "sightline-shutdown"));
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("shutting down: finishing in-flight requests");
        server.close();
        LogSetup.shutdown();
        return 0;
    }

    static final class HostPortConverter implements CommandLine.ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class LogFormatConverter implements CommandLine.ITypeConverter<LogFormat> {
        @Override
        public LogFormat convert(String value) {
            try {
                return LogFormat.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("\"" + value + "\" is not logfmt or json");
            }
        }
    }

    static final class LevelConverter implements CommandLine.ITypeConverter<Level> {
        @Override
        public Level convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "debug" -> Level.DEBUG;
                case "info" -> Level.INFO;
                case "warn" -> Level.WARN;
                case "error" -> Level.ERROR;
                default -> throw new CommandLine.TypeConversionException(
                        "\"" + value + "\" is not one of debug, info, warn, error");
            };
        }
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return io.sightline.common.PromDuration.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
