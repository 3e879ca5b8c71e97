package io.sightline.promql.engine;

import java.time.Duration;

/**
 * How the engine evaluates: lookback delta (how far back an instant selector looks for a sample),
 * the subquery step used when none is written, and per-query limits.
 *
 * @param maxSamples the most samples a query may hold in memory at once (0 = no limit)
 * @param maxSeries  the most series a query may read from storage, over all its selectors (0 = no limit)
 * @param timeout    the longest a query may run (zero = no limit)
 */
public record EngineOptions(Duration lookbackDelta, Duration defaultSubqueryStep, long maxSamples, long maxSeries,
        Duration timeout) {

    public static EngineOptions defaults() {
        return new EngineOptions(Duration.ofMinutes(5), Duration.ofMinutes(1), 50_000_000, 1_000_000,
                Duration.ofMinutes(2));
    }
}
