package io.sightline.ingest.otlp;

import io.sightline.common.Labels;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Running totals that turn OTLP delta points (delta sums and histograms, as sent by SDKs configured for
 * delta temporality) into the cumulative series Prometheus queries expect: each series' value is the
 * sum of the deltas received so far. Totals live in memory: after a restart they start again from zero,
 * which {@code rate()} and {@code increase()} read as a counter reset. Series not updated for
 * {@code idleMs} are forgotten (a later delta starts a new total), which bounds the memory.
 * Thread-safe.
 */
public final class DeltaAccumulator {
    private record Total(long t, double value) {}

    private final ConcurrentHashMap<Labels, Total> totals = new ConcurrentHashMap<>();
    private final long idleMs;
    private final int maxSeries;
    private volatile long lastSweep;

    /**
     * @param idleMs forget a series after this long without a delta
     * @param maxSeries refuse new series beyond this many (a delta for a known series is always taken)
     */
    public DeltaAccumulator(long idleMs, int maxSeries) {
        this.idleMs = idleMs;
        this.maxSeries = maxSeries;
    }

    /** What {@link #add} made of a delta. */
    public sealed interface Result permits Accepted, Refused {}

    /** The cumulative value to store at the delta's time. */
    public record Accepted(double cumulative) implements Result {}

    /** Why the delta was not counted. */
    public record Refused(String reason) implements Result {}

    /**
     * Adds a delta at time {@code t} (ms) at once. A delta at or before the series' last one is refused:
     * it would be counted twice or out of order. Requests that are stored before their deltas count use
     * a {@link #batch}.
     */
    public Result add(Labels series, long t, double delta) {
        sweep(t);
        Result[] out = new Result[1];
        totals.compute(series, (k, prev) -> {
            if (prev == null || t - prev.t() > idleMs) {
                if (prev == null && totals.size() >= maxSeries) {
                    out[0] = new Refused("too many delta series being accumulated (" + maxSeries + ")");
                    return null;
                }
                out[0] = new Accepted(delta);
                return new Total(t, delta);
            }
            if (t <= prev.t()) {
                out[0] = new Refused("delta point at " + t + " is not after the series' previous one at " + prev.t());
                return prev;
            }
            double sum = prev.value() + delta;
            out[0] = new Accepted(sum);
            return new Total(t, sum);
        });
        return out[0];
    }

    /**
     * Deltas of one request, added to the running totals only by {@link Batch#commit} once the request's
     * samples are stored: a request that fails to store (and is sent again by its exporter) leaves the
     * totals as they were. Not thread-safe; one per request.
     */
    public Batch batch() {
        return new Batch();
    }

    public final class Batch {
        /** What a delta of this batch made: the total it started from ({@code baseT} -1: a new total). */
        private record Staged(long baseT, double baseValue, long t, double cumulative) {}

        private final java.util.Map<Labels, Staged> staged = new java.util.HashMap<>();

        private Batch() {}

        /** As {@link DeltaAccumulator#add}, on the totals as this batch would leave them. */
        public Result add(Labels series, long t, double delta) {
            Staged s = staged.get(series);
            long prevT;
            double prevValue;
            long baseT;
            double baseValue;
            if (s != null) {
                prevT = s.t();
                prevValue = s.cumulative();
                baseT = s.baseT();
                baseValue = s.baseValue();
            } else {
                Total cur = totals.get(series);
                if (cur == null || t - cur.t() > idleMs) {
                    if (cur == null && totals.size() + staged.size() >= maxSeries) {
                        return new Refused("too many delta series being accumulated (" + maxSeries + ")");
                    }
                    staged.put(series, new Staged(-1, 0, t, delta));
                    return new Accepted(delta);
                }
                prevT = cur.t();
                prevValue = cur.value();
                baseT = cur.t();
                baseValue = cur.value();
            }
            if (t <= prevT) {
                return new Refused("delta point at " + t + " is not after the series' previous one at " + prevT);
            }
            double sum = prevValue + delta;
            staged.put(series, new Staged(baseT, baseValue, t, sum));
            return new Accepted(sum);
        }

        /**
         * Adds this batch's deltas to the totals. Where another request moved a total meanwhile, this
         * batch's deltas are added to it rather than overwriting it.
         */
        public void commit() {
            if (staged.isEmpty()) {
                return;
            }
            long newest = Long.MIN_VALUE;
            for (Staged st : staged.values()) {
                newest = Math.max(newest, st.t());
            }
            staged.forEach((series, st) -> totals.compute(series, (k, cur) -> {
                if (cur == null || (st.baseT() >= 0 && cur.t() == st.baseT()) || (st.baseT() < 0 && st.t() - cur.t() > idleMs)) {
                    return cur != null && st.baseT() < 0 && cur.t() >= st.t() ? cur : new Total(st.t(), st.cumulative());
                }
                if (cur.t() >= st.t()) {
                    return cur;
                }
                return new Total(st.t(), cur.value() + (st.cumulative() - st.baseValue()));
            }));
            sweep(newest);
            staged.clear();
        }
    }

    /** Series being accumulated. */
    public int size() {
        return totals.size();
    }

    private void sweep(long now) {
        if (now - lastSweep < idleMs / 4 + 1) {
            return;
        }
        lastSweep = now;
        totals.values().removeIf(v -> now - v.t() > idleMs);
    }
}
