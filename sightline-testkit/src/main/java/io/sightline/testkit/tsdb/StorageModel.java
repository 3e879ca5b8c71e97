package io.sightline.testkit.tsdb;

import io.sightline.common.Labels;
import io.sightline.tsdb.StorageOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * An independent, deliberately naive model of the acceptance rules of {@link io.sightline.tsdb.Storage},
 * for property tests: feed it the same appends, in the same order, one appender at a time, and it says
 * which are accepted and what a query must return.
 */
public final class StorageModel {
    /** What the model expects of one append. */
    public enum Outcome { ACCEPTED, IGNORED_DUPLICATE, DUPLICATE, OUT_OF_ORDER, TOO_OLD }

    private final long window;
    private final Map<Labels, TreeMap<Long, Long>> committed = new HashMap<>();
    private Map<Labels, TreeMap<Long, Long>> batch = new HashMap<>();
    private long maxT = Long.MIN_VALUE;

    public StorageModel(StorageOptions options) {
        this.window = options.outOfOrderWindowMs();
    }

    public Outcome append(Labels labels, long t, double v) {
        long bits = Double.doubleToRawLongBits(v);
        if (maxT != Long.MIN_VALUE && t < maxT - Math.max(window, StorageOptions.IN_ORDER_GRACE_MS)) {
            return Outcome.TOO_OLD;
        }
        TreeMap<Long, Long> c = committed.getOrDefault(labels, new TreeMap<>());
        TreeMap<Long, Long> b = batch.getOrDefault(labels, new TreeMap<>());
        Long existing = c.containsKey(t) ? c.get(t) : b.get(t);
        if (existing != null) {
            return existing == bits ? Outcome.IGNORED_DUPLICATE : Outcome.DUPLICATE;
        }
        long last = Math.max(c.isEmpty() ? Long.MIN_VALUE : c.lastKey(), b.isEmpty() ? Long.MIN_VALUE : b.lastKey());
        boolean inOrder = t > last;
        boolean oooOk = window > 0 && (maxT == Long.MIN_VALUE || t >= maxT - window);
        if (!inOrder && !oooOk) {
            return Outcome.OUT_OF_ORDER;
        }
        batch.computeIfAbsent(labels, k -> new TreeMap<>()).put(t, bits);
        return Outcome.ACCEPTED;
    }

    public void commit() {
        batch.forEach((l, samples) -> {
            committed.computeIfAbsent(l, k -> new TreeMap<>()).putAll(samples);
            maxT = Math.max(maxT, samples.lastKey());
        });
        batch = new HashMap<>();
    }

    public void rollback() {
        batch = new HashMap<>();
    }

    /** Committed samples of a series with {@code mint <= t <= maxt}, as timestamp to value bits. */
    public TreeMap<Long, Long> samples(Labels labels, long mint, long maxt) {
        TreeMap<Long, Long> all = committed.get(labels);
        return all == null ? new TreeMap<>() : new TreeMap<>(all.subMap(mint, true, maxt, true));
    }

    public Iterable<Labels> series() {
        return committed.keySet();
    }

    public void delete(long mint, long maxt, java.util.function.Predicate<Labels> match) {
        committed.forEach((l, s) -> {
            if (match.test(l)) {
                s.subMap(mint, true, maxt, true).clear();
            }
        });
    }
}
