package io.sightline.scrape;

import io.sightline.common.Labels;
import io.sightline.common.http.HttpClientConfig;
import io.sightline.tsdb.Storage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@code scrape_configs}: one pool per job, fed by its static targets and file_sd files, on one
 * scheduler thread and a small worker pool (parsing and storing; as many threads as cores, since a
 * scrape is CPU work once its body is in). {@link #apply} takes a new config (start and reload):
 * unchanged jobs keep running untouched, changed ones restart their loops keeping staleness
 * tracking, removed ones stop and end their series with stale markers. {@link #close} stops everything
 * without stale markers, as Prometheus does at shutdown, so series continue after a restart.
 * Thread-safe.
 */
public final class ScrapeManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ScrapeManager.class);

    /**
     * @param userAgent sent with every scrape
     * @param filePollMs how often file_sd files are checked for changes
     * @param seed mixed into each target's offset in its interval (e.g. a hash of the host name) so that
     *     two servers scraping the same targets do not do so at the same instant
     * @param clock wall time in ms; scrapes are timestamped with it
     * @param schedule false to run no loop on its own (tests drive scrapes one by one)
     */
    public record Options(String userAgent, long filePollMs, long seed, LongSupplier clock, boolean schedule) {
        public static Options defaults(String userAgent) {
            return new Options(userAgent, 1000, hostSeed(), System::currentTimeMillis, true);
        }

        private static long hostSeed() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName().hashCode();
            } catch (java.io.IOException e) {
                return 0;
            }
        }
    }

    private final Supplier<Storage> storage;
    private final Options options;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;
    private final ScrapeStats stats = new ScrapeStats();
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private boolean closed;

    /** A job's pool and its discovery. */
    private static final class Job {
        final ScrapePool pool;
        ScrapeConfig config;
        Path baseDir;
        List<FileSd> files = List.of();
        ScheduledFuture<?> poller;

        Job(ScrapePool pool, ScrapeConfig config) {
            this.pool = pool;
            this.config = config;
        }
    }

    /**
     * @param storage the store samples go to; null while it opens (scrapes then store nothing)
     */
    public ScrapeManager(Supplier<Storage> storage, Options options) {
        this.storage = storage;
        this.options = options;
        AtomicInteger n = new AtomicInteger();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "scrape-scheduler"));
        this.workers = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()),
                r -> daemon(r, "scrape-" + n.incrementAndGet()));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    Storage storage() {
        return storage.get();
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    ExecutorService workers() {
        return workers;
    }

    LongSupplier clock() {
        return options.clock();
    }

    long seed() {
        return options.seed();
    }

    boolean schedules() {
        return options.schedule();
    }

    /** The loop scraping {@code t}, or null; for tests that drive scrapes themselves. */
    synchronized ScrapeLoop loop(Target t) {
        Job j = jobs.get(t.job());
        return j == null ? null : j.pool.loop(t);
    }

    public ScrapeStats stats() {
        return stats;
    }

    /**
     * Applies a config's scrape jobs.
     *
     * @param baseDir where relative file_sd paths are read from (the config file's directory)
     * @throws IllegalArgumentException if a job's TLS files cannot be used; nothing is changed then
     */
    public synchronized void apply(List<ScrapeConfig> configs, Path baseDir) {
        if (closed) {
            return;
        }
        Map<String, ScrapeClient> clients = new LinkedHashMap<>();
        for (ScrapeConfig c : configs) {
            Job j = jobs.get(c.jobName());
            clients.put(c.jobName(), j != null && j.pool.client().config().equals(c.http()) ? j.pool.client()
                    : new ScrapeClient(c.http() == null ? HttpClientConfig.NONE : c.http(), workers, options.userAgent()));
        }
        Map<String, ScrapeConfig> wanted = new LinkedHashMap<>();
        configs.forEach(c -> wanted.put(c.jobName(), c));
        for (var it = jobs.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                stopDiscovery(e.getValue());
                e.getValue().pool.stop(true);
                it.remove();
                log.atInfo().addKeyValue("job", e.getKey()).log("scrape job removed");
            }
        }
        for (ScrapeConfig c : configs) {
            Job j = jobs.get(c.jobName());
            if (j != null && j.config.equals(c) && baseDir.equals(j.baseDir)) {
                continue;
            }
            if (j == null) {
                j = new Job(new ScrapePool(this, c, clients.get(c.jobName())), c);
                jobs.put(c.jobName(), j);
            } else {
                stopDiscovery(j);
                j.pool.reconfigure(c, clients.get(c.jobName()));
                j.config = c;
            }
            j.baseDir = baseDir;
            startDiscovery(j, baseDir);
            j.pool.settle();
        }
    }

    private void startDiscovery(Job j, Path baseDir) {
        ScrapeConfig c = j.config;
        List<TargetGroup> statics = new ArrayList<>();
        for (int i = 0; i < c.staticConfigs().size(); i++) {
            StaticConfig s = c.staticConfigs().get(i);
            List<Labels> targets = s.targets().stream().map(t -> Labels.of("__address__", t)).toList();
            statics.add(new TargetGroup(Integer.toString(i), targets, s.labels()));
        }
        j.pool.update("static", statics);
        List<FileSd> files = new ArrayList<>();
        for (FileSdConfig f : c.fileSdConfigs()) {
            files.add(new FileSd(f, baseDir, stats));
        }
        j.files = files;
        for (int i = 0; i < files.size(); i++) {
            pollFile(j, i, files.get(i));
        }
        if (!files.isEmpty()) {
            j.poller = scheduler.scheduleWithFixedDelay(() -> {
                for (int i = 0; i < j.files.size(); i++) {
                    pollFile(j, i, j.files.get(i));
                }
            }, options.filePollMs(), options.filePollMs(), TimeUnit.MILLISECONDS);
        }
    }

    private void pollFile(Job j, int index, FileSd sd) {
        try {
            List<TargetGroup> groups = sd.poll(options.clock().getAsLong());
            if (groups != null) {
                j.pool.update("file_sd_" + index, groups);
            }
        } catch (RuntimeException e) {
            log.atError().setCause(e).addKeyValue("job", j.config.jobName()).log("file_sd poll failed");
        }
    }

    private static void stopDiscovery(Job j) {
        if (j.poller != null) {
            j.poller.cancel(false);
            j.poller = null;
        }
        j.files = List.of();
    }

    /** The state of every job, for {@code /api/v1/targets}. */
    public synchronized List<PoolView> pools() {
        List<PoolView> out = new ArrayList<>();
        for (Job j : jobs.values()) {
            out.add(new PoolView(j.config.jobName(), j.pool.active(), j.pool.dropped()));
        }
        return out;
    }

    /** One job's targets: scraped ones and the discovered label sets relabeling dropped. */
    public record PoolView(String job, List<Target> active, List<Labels> dropped) {}

    /** Stops all scraping; series are not marked stale (they continue after a restart). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Job j : jobs.values()) {
            stopDiscovery(j);
            j.pool.stop(false);
        }
        jobs.clear();
        scheduler.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
