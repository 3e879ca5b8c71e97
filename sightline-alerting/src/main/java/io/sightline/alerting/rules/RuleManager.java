package io.sightline.alerting.rules;

import io.sightline.promql.engine.Engine;
import io.sightline.tsdb.Storage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the {@code rule_files} and evaluates their groups on schedule: each group every interval (its
 * own or the default {@code evaluation_interval}), at a fixed offset within the interval derived from
 * the group's file and name, stamped with the slot's time. {@link #load} replaces the rules atomically:
 * if any file has a problem, nothing changes and the problems are thrown; groups that stay keep their
 * alerts. Groups run one at a time on one thread, so a slow group delays others rather than piling up.
 * Thread-safe.
 */
public final class RuleManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RuleManager.class);

    private final Supplier<Storage> storage;
    private final Supplier<Engine> engine;
    private final RuleFileParser parser;
    private final TemplateExpander templates;
    private final LongSupplier clock;
    private final boolean schedule;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Running> groups = new LinkedHashMap<>();
    private volatile java.util.function.BiConsumer<GroupEvaluator, Long> listener = (ev, t) -> { };

    private record Running(GroupEvaluator evaluator, ScheduledFuture<?> task) {}

    /**
     * @param storage where rules read and write; null while it opens (evaluations are skipped)
     * @param engine the PromQL engine to evaluate with, read at each evaluation (its limits follow reloads)
     * @param schedule false to evaluate only when told (tests)
     */
    public RuleManager(Supplier<Storage> storage, Supplier<Engine> engine, RuleFileParser parser, TemplateExpander templates,
            LongSupplier clock, boolean schedule) {
        this.storage = storage;
        this.engine = engine;
        this.parser = parser;
        this.templates = templates;
        this.clock = clock;
        this.schedule = schedule;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rule-eval");
            t.setDaemon(true);
            return t;
        });
    }

    /** The files the globs match, in order; a glob may only be in the last path element. */
    public static List<Path> files(List<String> globs, Path baseDir) {
        List<Path> out = new ArrayList<>();
        for (String g : globs) {
            Path p = baseDir.resolve(g).normalize();
            String name = p.getFileName().toString();
            if (!name.contains("*") && !name.contains("?") && !name.contains("[")) {
                out.add(p);
                continue;
            }
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + name);
            List<Path> found = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(p.getParent())) {
                for (Path f : ds) {
                    if (m.matches(f.getFileName()) && Files.isRegularFile(f)) {
                        found.add(f);
                    }
                }
            } catch (IOException e) {
                // no such directory: the glob matches nothing, as in Prometheus
            }
            found.sort(null);
            out.addAll(found);
        }
        return out;
    }

    /**
     * Reads all rule files and replaces the running groups.
     *
     * @param defaultIntervalMs {@code global.evaluation_interval}
     * @throws RuleFileException with every problem of every file; the running rules are kept
     */
    public synchronized void load(List<String> globs, Path baseDir, long defaultIntervalMs) throws RuleFileException {
        load(globs, baseDir, defaultIntervalMs, List.of());
    }

    /**
     * As {@link #load(List, Path, long)}, with groups of the server's own (the watchdog) evaluated first.
     */
    public synchronized void load(List<String> globs, Path baseDir, long defaultIntervalMs, List<RuleGroup> builtin)
            throws RuleFileException {
        List<RuleGroup> all = new ArrayList<>();
        for (RuleGroup g : builtin) {
            all.add(g.intervalMs() > 0 ? g : new RuleGroup(g.file(), g.name(), defaultIntervalMs, g.limit(),
                    g.queryOffsetMs(), g.labels(), g.rules()));
        }
        List<String> problems = new ArrayList<>();
        for (Path f : files(globs, baseDir)) {
            try {
                for (RuleGroup g : parser.parse(f)) {
                    all.add(g.intervalMs() > 0 ? g : new RuleGroup(g.file(), g.name(), defaultIntervalMs, g.limit(),
                            g.queryOffsetMs(), g.labels(), g.rules()));
                }
            } catch (RuleFileException e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) {
            throw new RuleFileException(problems);
        }
        Map<String, Running> next = new LinkedHashMap<>();
        for (RuleGroup g : all) {
            String key = g.file() + "\u0000" + g.name();
            Running old = groups.get(key);
            if (old != null && old.evaluator.group().equals(g)) {
                next.put(key, old);
                continue;
            }
            GroupEvaluator ev = new GroupEvaluator(g, engine.get(), templates);
            if (old != null) {
                old.task.cancel(false);
                ev.inherit(old.evaluator);
            }
            next.put(key, new Running(ev, start(ev)));
        }
        for (Map.Entry<String, Running> e : groups.entrySet()) {
            if (!next.containsKey(e.getKey())) {
                e.getValue().task.cancel(false);
            }
        }
        groups.clear();
        groups.putAll(next);
        log.atInfo().addKeyValue("groups", groups.size())
                .addKeyValue("rules", all.stream().mapToInt(g -> g.rules().size()).sum()).log("rules loaded");
    }

    private ScheduledFuture<?> start(GroupEvaluator ev) {
        if (!schedule) {
            return scheduler.schedule(() -> { }, 0, TimeUnit.MILLISECONDS);
        }
        long interval = ev.group().intervalMs();
        long offset = Math.floorMod((ev.group().file() + "\u0000" + ev.group().name()).hashCode() * 0x9E3779B97F4A7C15L, interval);
        long now = clock.getAsLong();
        long delay = Math.floorMod(offset - now, interval);
        long[] slot = {now + delay};
        return scheduler.scheduleAtFixedRate(() -> {
            long t = slot[0];
            slot[0] += interval;
            long actual = clock.getAsLong();
            if (actual - t > interval) {
                t = actual - Math.floorMod(actual - t, interval); // skipped slots after a pause: the latest one
                slot[0] = t + interval;
            }
            evaluate(ev, t);
        }, delay, interval, TimeUnit.MILLISECONDS);
    }

    private void evaluate(GroupEvaluator ev, long t) {
        Storage s = storage.get();
        if (s == null) {
            return;
        }
        try {
            ev.evaluate(t, s);
            listener.accept(ev, t);
        } catch (RuntimeException e) {
            log.atError().setCause(e).addKeyValue("group", ev.group().name()).log("rule group evaluation failed");
        }
    }

    /** Evaluates every group now at {@code t}, in order (tests, and `promtool test`-like use). */
    public synchronized void evaluateAll(long t) {
        for (Running r : groups.values()) {
            evaluate(r.evaluator, t);
        }
    }

    /** Called after each group evaluation (on the evaluation thread), e.g. to send the alerts on. */
    public void onEvaluated(java.util.function.BiConsumer<GroupEvaluator, Long> listener) {
        this.listener = listener;
    }

    /** The running groups, in file order. */
    public synchronized List<GroupEvaluator> groups() {
        List<GroupEvaluator> out = new ArrayList<>();
        groups.values().forEach(r -> out.add(r.evaluator));
        return out;
    }

    @Override
    public synchronized void close() {
        groups.values().forEach(r -> r.task.cancel(false));
        groups.clear();
        scheduler.shutdownNow();
    }
}
