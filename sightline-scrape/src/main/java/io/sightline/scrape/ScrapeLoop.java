package io.sightline.scrape;

import io.sightline.common.Labels;
import io.sightline.common.relabel.RelabelConfig;
import io.sightline.common.relabel.Relabeler;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
import io.sightline.ingest.text.OpenMetricsParser;
import io.sightline.ingest.text.TextFormatParser;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes one target every interval, at a fixed offset within the interval derived from the target's
 * identity (so a job's targets are spread over the interval and a target keeps its phase across
 * restarts), and stores what it got in one commit:
 * <ul>
 *   <li>each sample with the target's labels merged in ({@code honor_labels} decides conflicts; by
 *       default the exposed label is kept as {@code exported_<name>}), then {@code metric_relabel_configs};</li>
 *   <li>the scrape's time as timestamp, unless the sample has one and {@code honor_timestamps} is on;</li>
 *   <li>a stale marker for each series of the previous scrape that this one lacks (series with their
 *       own timestamps are not tracked, as in Prometheus), and for all of them when the scrape fails;</li>
 *   <li>{@code up}, {@code scrape_duration_seconds}, {@code scrape_samples_scraped},
 *       {@code scrape_samples_post_metric_relabeling} and {@code scrape_series_added}.</li>
 * </ul>
 * A scrape over {@code sample_limit}, a malformed body or a failed request stores no sample of the
 * body: the scrape counts as failed ({@code up} 0). At most one scrape of a target runs at a time; a
 * tick that finds the previous scrape still running is skipped.
 */
final class ScrapeLoop {
    private static final Logger log = LoggerFactory.getLogger(ScrapeLoop.class);
    /** A tick that runs within this many ms of its slot stores the slot's time: regular timestamps compress best. */
    private static final long TIMESTAMP_TOLERANCE_MS = 25;

    private final Target target;
    private final ScrapePool pool;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final Object lock = new Object();
    private ScheduledFuture<?> task;
    private long nextSlotMs;
    private boolean stopped;
    /** Series of the last scrape that get stale markers when they go away. */
    private Set<Labels> tracked = Set.of();
    /** Every series of the last scrape, for {@code scrape_series_added}. */
    private Set<Labels> lastSeen = Set.of();
    private boolean reportWritten;

    ScrapeLoop(Target target, ScrapePool pool) {
        this.target = target;
        this.pool = pool;
    }

    Target target() {
        return target;
    }

    /** Carries staleness tracking over from the loop this one replaces (a reload of the same target). */
    void inherit(ScrapeLoop previous) {
        synchronized (previous.lock) {
            synchronized (lock) {
                tracked = previous.tracked;
                lastSeen = previous.lastSeen;
                reportWritten = previous.reportWritten;
            }
        }
    }

    /** The target's offset within its interval, in ms: stable for a given target identity. */
    static long offsetMs(Target t, long intervalMs, long seed) {
        long h = seed ^ t.labels().hashCode() * 0x9E3779B97F4A7C15L ^ t.url().toString().hashCode();
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return Math.floorMod(h, intervalMs);
    }

    void start(long seed) {
        long interval = target.interval().toMillis();
        long now = pool.clock().getAsLong();
        long offset = offsetMs(target, interval, seed);
        long delay = Math.floorMod(offset - now, interval);
        synchronized (lock) {
            nextSlotMs = now + delay;
            if (!pool.schedules()) {
                return;
            }
            task = pool.scheduler().scheduleAtFixedRate(this::tick, delay, interval, TimeUnit.MILLISECONDS);
        }
    }

    private void tick() {
        long slot;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            slot = nextSlotMs;
            nextSlotMs += target.interval().toMillis();
        }
        if (!inFlight.compareAndSet(false, true)) {
            pool.stats().skipped.increment();
            return;
        }
        long now = pool.clock().getAsLong();
        long ts = Math.abs(now - slot) <= TIMESTAMP_TOLERANCE_MS ? slot : now;
        try {
            scrapeOnce(ts).whenComplete((r, e) -> inFlight.set(false));
        } catch (RuntimeException e) {
            inFlight.set(false);
            log.atError().setCause(e).addKeyValue("target", target.url()).log("scrape could not start");
        }
    }

    /** Fetches, parses and stores one scrape with timestamp {@code ts}; completes when stored. */
    CompletableFuture<Void> scrapeOnce(long ts) {
        long t0 = System.nanoTime();
        ScrapeConfig cfg = pool.config();
        return pool.client().fetch(target.url(), target.timeout(), cfg.enableCompression(), cfg.bodySizeLimit())
                .handleAsync((resp, err) -> {
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    store(ts, seconds, resp, err);
                    return null;
                }, pool.workers());
    }

    private void store(long ts, double seconds, ScrapeClient.Response resp, Throwable err) {
        ScrapeConfig cfg = pool.config();
        synchronized (lock) {
            if (stopped) {
                return;
            }
            Storage storage = pool.storage();
            if (storage == null) {
                return;
            }
            String error = null;
            Appender app = storage.appender();
            Sink sink = null;
            if (err != null) {
                Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
                error = cause instanceof ScrapeClient.ScrapeFailure ? cause.getMessage() : String.valueOf(cause);
            } else {
                sink = new Sink(app, ts, cfg);
                try {
                    String text = new String(resp.body(), StandardCharsets.UTF_8);
                    if (isOpenMetrics(resp.contentType())) {
                        OpenMetricsParser.parse(text, Long.MIN_VALUE, sink);
                    } else {
                        TextFormatParser.parse(text, Long.MIN_VALUE, sink);
                    }
                } catch (MalformedRequestException e) {
                    error = e.getMessage();
                } catch (RuntimeException e) {
                    error = "cannot parse the body: " + e;
                }
                if (error == null && cfg.sampleLimit() > 0 && sink.postRelabel > cfg.sampleLimit()) {
                    error = "sample limit exceeded: " + sink.postRelabel + " samples after metric relabeling, sample_limit is "
                            + cfg.sampleLimit();
                    pool.stats().sampleLimitExceeded.increment();
                }
            }
            long scraped = sink == null ? 0 : sink.scraped;
            long post = sink == null ? 0 : sink.postRelabel;
            Set<Labels> nowTracked = Set.of();
            Set<Labels> nowSeen = Set.of();
            long added = 0;
            if (error != null) {
                app.rollback();
                app = storage.appender();
                scraped = error.startsWith("sample limit") ? scraped : 0;
            } else {
                nowTracked = sink.tracked;
                nowSeen = sink.seen;
                added = sink.added;
            }
            for (Labels gone : tracked) {
                if (!nowTracked.contains(gone)) {
                    append(app, gone, ts, StaleNaN.VALUE);
                }
            }
            Labels base = target.publicLabels();
            append(app, report(base, "up"), ts, error == null ? 1 : 0);
            append(app, report(base, "scrape_duration_seconds"), ts, seconds);
            append(app, report(base, "scrape_samples_scraped"), ts, scraped);
            append(app, report(base, "scrape_samples_post_metric_relabeling"), ts, error == null ? post : 0);
            append(app, report(base, "scrape_series_added"), ts, added);
            try {
                app.commit();
            } catch (StorageException e) {
                error = "cannot store the scrape: " + e.getMessage();
                log.atWarn().addKeyValue("target", target.url()).addKeyValue("reason", e.getMessage())
                        .log("a scrape could not be stored");
                target.report(ts, seconds, error, 0);
                return;
            }
            reportWritten = true;
            tracked = nowTracked;
            lastSeen = nowSeen;
            if (error == null) {
                target.metadata(sink.metadata);
                pool.stats().samples.add(post);
            } else {
                pool.stats().failed.increment();
            }
            pool.stats().scrapes.increment();
            target.report(ts, seconds, error, error == null ? post : 0);
        }
    }

    /**
     * Stops scraping. With {@code staleMarkers}, every series of the last scrape and the report series
     * get a stale marker now (the target went away); without, the series simply end (shutdown, or a
     * reload that hands the target to a new loop).
     */
    void stop(boolean staleMarkers) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            stopped = true;
            if (task != null) {
                task.cancel(false);
            }
            if (!staleMarkers) {
                return;
            }
            Storage storage = pool.storage();
            if (storage == null) {
                return;
            }
            long ts = Math.max(pool.clock().getAsLong(), target.lastScrapeMs() + 1);
            Appender app = storage.appender();
            for (Labels s : tracked) {
                append(app, s, ts, StaleNaN.VALUE);
            }
            if (reportWritten) {
                Labels base = target.publicLabels();
                for (String name : new String[] {"up", "scrape_duration_seconds", "scrape_samples_scraped",
                    "scrape_samples_post_metric_relabeling", "scrape_series_added"}) {
                    append(app, report(base, name), ts, StaleNaN.VALUE);
                }
            }
            try {
                app.commit();
            } catch (StorageException e) {
                log.atWarn().addKeyValue("target", target.url()).addKeyValue("reason", e.getMessage())
                        .log("stale markers for a removed target could not be stored");
            }
            tracked = Set.of();
        }
    }

    private static Labels report(Labels base, String name) {
        return base.toBuilder().set(Labels.METRIC_NAME, name).build();
    }

    private void append(Appender app, Labels labels, long ts, double v) {
        append(app, labels, 0, ts, v);
    }

    /** A sample with its start time ({@code st}, ms; 0: none). */
    private void append(Appender app, Labels labels, long st, long ts, double v) {
        try {
            app.append(0, labels, st, ts, v);
        } catch (StorageException.SampleRejected e) {
            pool.stats().rejected(e);
        }
    }

    static boolean isOpenMetrics(String contentType) {
        String t = contentType.toLowerCase(Locale.ROOT);
        int semi = t.indexOf(';');
        return (semi < 0 ? t : t.substring(0, semi)).strip().equals("application/openmetrics-text");
    }

    /**
     * Prometheus's {@code mutateSampleLabels}: target labels merged into a scraped label set, then the
     * metric relabel rules. Null if the rules drop the sample.
     */
    static Labels sampleLabels(Labels scraped, Labels targetLabels, boolean honorLabels, List<RelabelConfig> rules) {
        Labels.Builder b = scraped.toBuilder();
        if (honorLabels) {
            targetLabels.forEach((name, value) -> {
                if (!scraped.has(name)) {
                    b.set(name, value);
                }
            });
        } else {
            List<String[]> conflicts = new ArrayList<>();
            targetLabels.forEach((name, value) -> {
                String exposed = scraped.get(name);
                if (exposed != null && !exposed.isEmpty()) {
                    conflicts.add(new String[] {name, exposed});
                }
                b.set(name, value);
            });
            if (!conflicts.isEmpty()) {
                conflicts.sort((x, y) -> Integer.compare(x[0].length(), y[0].length()));
                Set<String> taken = new HashSet<>();
                for (String[] c : conflicts) {
                    String name = c[0];
                    do {
                        name = "exported_" + name;
                    } while (scraped.has(name) || targetLabels.has(name) || taken.contains(name));
                    taken.add(name);
                    c[0] = name;
                }
                for (String[] c : conflicts) {
                    b.set(c[0], c[1]);
                }
            }
        }
        Labels out = b.build();
        return rules.isEmpty() ? out : Relabeler.process(out, rules);
    }

    /** Appends one scrape's samples, collecting what the loop needs to know of them. */
    private final class Sink implements SeriesSink {
        final Appender app;
        final long ts;
        final ScrapeConfig cfg;
        final Set<Labels> tracked = new HashSet<>();
        final Set<Labels> seen = new HashSet<>();
        final Map<String, Target.Metadata> metadata = new HashMap<>();
        long scraped;
        long postRelabel;
        long added;

        Sink(Appender app, long ts, ScrapeConfig cfg) {
            this.app = app;
            this.ts = ts;
            this.cfg = cfg;
        }

        @Override
        public void series(Labels labels, long[] timestamps, double[] values, int count) {
            series(labels, timestamps, values, null, count);
        }

        /** With OpenMetrics' {@code _created} as the samples' start times (see {@code ParsedBody}). */
        @Override
        public void series(Labels labels, long[] timestamps, double[] values, long[] starts, int count) {
            Labels merged = null;
            boolean resolved = false;
            for (int i = 0; i < count; i++) {
                scraped++;
                if (!resolved) {
                    merged = sampleLabels(labels, target.publicLabels(), cfg.honorLabels(), cfg.metricRelabelConfigs());
                    resolved = true;
                }
                if (merged == null || merged.isEmpty()) {
                    continue;
                }
                postRelabel++;
                if (cfg.sampleLimit() > 0 && postRelabel > cfg.sampleLimit()) {
                    continue; // the scrape fails; keep counting for the message
                }
                boolean explicit = timestamps[i] != Long.MIN_VALUE && cfg.honorTimestamps();
                long t = explicit ? timestamps[i] : ts;
                if (seen.add(merged) && !lastSeen.contains(merged)) {
                    added++;
                }
                if (!explicit) {
                    tracked.add(merged);
                }
                append(app, merged, starts == null ? 0 : starts[i], t, values[i]);
            }
        }

        @Override
        public void invalid(String series, String reason, int samples) {
            scraped += samples;
        }

        @Override
        public void metadata(String family, String type, String help, String unit) {
            // The metadata API says "unknown" for the text format's "untyped", as Prometheus does.
            metadata.put(family, new Target.Metadata(type.equals("untyped") ? "unknown" : type, help, unit));
        }
    }
}
