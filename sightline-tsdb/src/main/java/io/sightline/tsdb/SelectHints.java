package io.sightline.tsdb;

import java.util.List;

/**
 * What a query will do with the selected data, as in Prometheus's {@code storage.SelectHints}: the time
 * range of the query (ms, inclusive), the step ({@code 0} for an instant query), the function applied to
 * the range and the aggregation grouping. Downsampled data is read only when the hints allow it.
 */
public record SelectHints(long start, long end, long stepMs, String func, long rangeMs, List<String> grouping,
        boolean by) {
    public SelectHints {
        grouping = grouping == null ? List.of() : List.copyOf(grouping);
    }

    /** Hints that say nothing but the range. */
    public static SelectHints range(long start, long end) {
        return new SelectHints(start, end, 0, null, 0, List.of(), false);
    }
}
