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
     * Adds a delta at time {@code t} (ms). A delta at or before the series' last one is refused: it
     * would be counted twice or out of order.
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
