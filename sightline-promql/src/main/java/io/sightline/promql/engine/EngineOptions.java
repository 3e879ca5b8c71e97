package io.sightline.promql.engine;

import java.time.Duration;

/**
 * How the engine evaluates: lookback delta (how far back an instant selector looks for a sample),
 * the subquery step used when none is written, and per-query limits.
 *
 * @param maxSamples the most samples a query may hold in memory at once (0 = no limit)
 * @param maxSeries  the most series a query may read from storage, over all its selectors (0 = no limit)
 * @param timeout    the longest a query may run (zero = no limit; negative: none at all, the query times out
 *     before it starts, as a request's {@code timeout=0} does in Prometheus)
 * @param maxSourceResolutionMs the widest rollup windows the query may read in place of raw samples
 *     where the storage keeps rollups ({@code 0}: raw samples only; {@link #AUTO}: whatever the query's
 *     step and ranges allow), as Thanos's {@code max_source_resolution}
 */
public record EngineOptions(Duration lookbackDelta, Duration defaultSubqueryStep, long maxSamples, long maxSeries,
        Duration timeout, long maxSourceResolutionMs) {

    /** Rollups as wide as each selector allows. */
    public static final long AUTO = Long.MAX_VALUE;

    public EngineOptions {
        if (maxSourceResolutionMs < 0) {
            throw new IllegalArgumentException("max source resolution must not be negative");
        }
    }

    /** Options that read rollups where the query allows ({@link #AUTO}). */
    public EngineOptions(Duration lookbackDelta, Duration defaultSubqueryStep, long maxSamples, long maxSeries,
            Duration timeout) {
        this(lookbackDelta, defaultSubqueryStep, maxSamples, maxSeries, timeout, AUTO);
    }

    public static EngineOptions defaults() {
        return new EngineOptions(Duration.ofMinutes(5), Duration.ofMinutes(1), 50_000_000, 1_000_000,
                Duration.ofMinutes(2));
    }
}
