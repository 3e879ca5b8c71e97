package io.sightline.tsdb;

import java.util.List;

/**
 * What a query will do with the selected data, as in Prometheus's {@code storage.SelectHints}: the time
 * range of the query (ms, inclusive), the step ({@code 0} for an instant query), the function applied to
 * the range and the aggregation grouping. Downsampled data is read only when the hints allow it.
 *
 * @param maxResolutionMs the widest rollup window the caller can use in place of raw samples ({@code 0}:
 *     raw samples only). A storage that keeps rollups may then answer with one sample per window of at
 *     most this width, chosen by {@code func}, and says so in {@link Series#resolutionMs()}. A caller sets
 *     it only where a window that wide changes no more than the detail it asked for, e.g. a range query's
 *     step no finer than the window, and a function range at least several windows long.
 * @param presenceOnly the caller uses only which raw samples there are and which of them are stale markers, not
 *     their values (as {@code count} and {@code group} over a selector, {@code count_over_time}): a storage may
 *     then return any other raw sample's value as {@code 0} and skip decoding it. A stale marker is still returned
 *     as one, and no sample becomes one. Rollups (see {@code maxResolutionMs}) are returned with their values.
 */
public record SelectHints(long start, long end, long stepMs, String func, long rangeMs, List<String> grouping,
        boolean by, long maxResolutionMs, boolean presenceOnly) {
    public SelectHints {
        grouping = grouping == null ? List.of() : List.copyOf(grouping);
        if (maxResolutionMs < 0) {
            throw new IllegalArgumentException("maxResolutionMs must not be negative, got " + maxResolutionMs);
        }
    }

    /** These hints, with the values wanted ({@link #presenceOnly} off). */
    public SelectHints withValues() {
        return presenceOnly ? new SelectHints(start, end, stepMs, func, rangeMs, grouping, by, maxResolutionMs, false)
                : this;
    }

    /** Hints that say nothing but the range. */
    public static SelectHints range(long start, long end) {
        return new SelectHints(start, end, 0, null, 0, List.of(), false, 0, false);
    }
}
