package io.sightline.server.lifecycle;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.scrape.ScrapeManager;
import io.sightline.scrape.ScrapeStats;
import io.sightline.server.BuildInfo;
import io.sightline.server.config.SightlineConfig;
import io.sightline.server.metrics.SelfMetrics;
import java.nio.file.Path;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the config's {@code scrape_configs} into the metrics store, and re-applies them at each reload. */
public final class ScrapeService implements Service {
    private static final Logger log = LoggerFactory.getLogger(ScrapeService.class);

    private final ScrapeManager manager;

    public ScrapeService(TsdbOpener storage) {
        this(storage, ScrapeManager.Options.defaults("Sightline/" + BuildInfo.version()));
    }

    public ScrapeService(TsdbOpener storage, ScrapeManager.Options options) {
        this.manager = new ScrapeManager(storage::storage, options);
    }

    public ScrapeManager manager() {
        return manager;
    }

    /** Relative file_sd paths are read from the config file's directory, as in Prometheus. */
    static Path baseDir(SightlineConfig c) {
        Path p = Path.of(c.source()).toAbsolutePath().getParent();
        return c.source().startsWith("(") || p == null ? Path.of("").toAbsolutePath() : p;
    }

    @Override
    public void start(SightlineConfig config, SelfMetrics metrics) {
        register(metrics.registry(), manager.stats());
        String error = reload(config);
        if (error != null) {
            throw new IllegalStateException(error);
        }
    }

    @Override
    public String reload(SightlineConfig config) {
        try {
            manager.apply(config.scrapeConfigs(), baseDir(config));
            log.atInfo().addKeyValue("jobs", config.scrapeConfigs().size()).log("scrape configuration applied");
            return null;
        } catch (IllegalArgumentException e) {
            log.atError().addKeyValue("reason", e.getMessage()).log("cannot apply the scrape configuration");
            return e.getMessage();
        }
    }

    private static void register(MeterRegistry r, ScrapeStats s) {
        counter(r, "sightline.scrape.scrapes", "Scrapes done, failed ones included.", s, ScrapeStats::scrapes);
        counter(r, "sightline.scrape.failed", "Scrapes that failed (request, body or sample limit).", s, ScrapeStats::failed);
        counter(r, "sightline.scrape.skipped", "Scrapes skipped because the previous one of the target still ran.", s,
                ScrapeStats::skipped);
        counter(r, "sightline.scrape.samples", "Samples stored from scrapes.", s, ScrapeStats::samples);
        counter(r, "sightline.scrape.sample.limit.exceeded", "Scrapes refused for exceeding sample_limit.", s,
                ScrapeStats::sampleLimitExceeded);
        counter(r, "sightline.scrape.samples.out.of.order", "Scraped samples the store refused as out of order.", s,
                ScrapeStats::outOfOrder);
        counter(r, "sightline.scrape.samples.duplicate", "Scraped samples the store refused as duplicate timestamps.", s,
                ScrapeStats::duplicate);
        counter(r, "sightline.scrape.samples.too.old", "Scraped samples the store refused as too old.", s, ScrapeStats::tooOld);
        counter(r, "sightline.scrape.samples.rejected.other", "Scraped samples refused for limits or invalid labels.", s,
                ScrapeStats::otherRejected);
        counter(r, "sightline.scrape.file.sd.errors", "file_sd files that could not be read (their old targets kept).", s,
                ScrapeStats::fileSdErrors);
    }

    private static void counter(MeterRegistry r, String name, String help, ScrapeStats s, ToDoubleFunction<ScrapeStats> f) {
        FunctionCounter.builder(name, s, f).description(help).register(r);
    }

    @Override
    public void close() {
        manager.close();
    }
}
