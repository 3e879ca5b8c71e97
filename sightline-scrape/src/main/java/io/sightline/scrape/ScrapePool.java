package io.sightline.scrape;

import io.sightline.common.Labels;
import io.sightline.tsdb.Storage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The targets of one job ({@code scrape_configs} entry) and their loops. Discovery hands it target
 * groups by source; {@link #sync} starts loops for new targets, keeps those of unchanged ones and
 * stops removed ones with stale markers. Thread-safe: its methods are synchronized.
 */
final class ScrapePool {
    private static final Logger log = LoggerFactory.getLogger(ScrapePool.class);

    private final ScrapeManager manager;
    private volatile ScrapeConfig config;
    private volatile ScrapeClient client;
    private final Map<String, TargetGroup> groups = new LinkedHashMap<>();
    private final Map<Labels, ScrapeLoop> loops = new LinkedHashMap<>();
    /**
     * Loops stopped by a reconfigure whose targets may come back, by the labels their series carry: a
     * target whose interval or path changed continues the same series without stale markers.
     */
    private final Map<Labels, ScrapeLoop> replaced = new LinkedHashMap<>();
    private volatile List<Target> active = List.of();
    private volatile List<Labels> dropped = List.of();
    private boolean stopped;

    ScrapePool(ScrapeManager manager, ScrapeConfig config, ScrapeClient client) {
        this.manager = manager;
        this.config = config;
        this.client = client;
    }

    ScrapeConfig config() {
        return config;
    }

    ScrapeClient client() {
        return client;
    }

    Storage storage() {
        return manager.storage();
    }

    ScheduledExecutorService scheduler() {
        return manager.scheduler();
    }

    ExecutorService workers() {
        return manager.workers();
    }

    LongSupplier clock() {
        return manager.clock();
    }

    boolean schedules() {
        return manager.schedules();
    }

    ScrapeStats stats() {
        return manager.stats();
    }

    /** Targets being scraped, in discovery order. */
    List<Target> active() {
        return active;
    }

    /** Discovered label sets that relabeling dropped. */
    List<Labels> dropped() {
        return dropped;
    }

    /**
     * Replaces the job's settings and forgets its discovered groups; the caller then feeds discovery
     * again with {@link #update} and ends with {@link #settle}. Loops of targets that are found again
     * restart with the new settings and keep their staleness tracking.
     */
    synchronized void reconfigure(ScrapeConfig next, ScrapeClient nextClient) {
        this.config = next;
        this.client = nextClient;
        for (ScrapeLoop l : loops.values()) {
            l.stop(false);
            replaced.put(l.target().publicLabels(), l);
        }
        loops.clear();
        groups.clear();
    }

    /** After a reconfigure: targets not found again are gone, their series end with stale markers now. */
    synchronized void settle() {
        for (ScrapeLoop old : replaced.values()) {
            ScrapeLoop ghost = new ScrapeLoop(old.target(), this);
            ghost.inherit(old);
            ghost.stop(true);
        }
        replaced.clear();
    }

    /** Replaces the groups of one discovery source and applies the result. */
    synchronized void update(String source, List<TargetGroup> sourceGroups) {
        groups.keySet().removeIf(k -> k.startsWith(source + "\u0000"));
        for (TargetGroup g : sourceGroups) {
            groups.put(source + "\u0000" + g.source(), g);
        }
        sync();
    }

    private void sync() {
        if (stopped) {
            return;
        }
        ScrapeConfig cfg = config;
        Map<Labels, Target> wanted = new LinkedHashMap<>();
        List<Labels> drop = new ArrayList<>();
        for (TargetGroup g : groups.values()) {
            for (Labels t : g.targets()) {
                TargetLabels.Result r = TargetLabels.populate(cfg, g.labels(), t);
                if (r.error() != null) {
                    log.atWarn().addKeyValue("job", cfg.jobName()).addKeyValue("target", r.discovered())
                            .addKeyValue("reason", r.error()).log("cannot scrape a discovered target");
                    continue;
                }
                if (r.dropped()) {
                    drop.add(r.discovered());
                    continue;
                }
                wanted.putIfAbsent(r.labels(), new Target(cfg.jobName(), r.labels(), r.discovered(), cfg.params()));
            }
        }
        // Removed targets: their series end with stale markers now.
        for (var it = loops.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                e.getValue().stop(true);
                it.remove();
            }
        }
        List<Target> now = new ArrayList<>();
        for (var e : wanted.entrySet()) {
            ScrapeLoop loop = loops.get(e.getKey());
            if (loop == null) {
                loop = new ScrapeLoop(e.getValue(), this);
                ScrapeLoop previous = replaced.remove(e.getValue().publicLabels());
                if (previous != null) {
                    loop.inherit(previous);
                }
                loops.put(e.getKey(), loop);
                loop.start(manager.seed());
            }
            now.add(loop.target());
        }
        active = List.copyOf(now);
        dropped = List.copyOf(drop);
    }

    /** Stops every loop; with {@code staleMarkers} their series end now (the job was removed). */
    synchronized void stop(boolean staleMarkers) {
        stopped = true;
        for (ScrapeLoop l : loops.values()) {
            l.stop(staleMarkers);
        }
        loops.clear();
        active = List.of();
    }

    /** The loop of a target, for tests. */
    synchronized ScrapeLoop loop(Target t) {
        return loops.get(t.labels());
    }
}
