package io.sightline.tsdb;

import io.sightline.common.LabelMatcher;
import java.util.List;

/**
 * Reads series over the time range it was created for. Thread-safe for concurrent {@code select} calls;
 * everything it returns is valid until {@link #close()}, which must be called exactly once.
 */
public interface Querier extends AutoCloseable {
    /**
     * The series matching all {@code matchers} (at least one must not match the empty string, as in
     * Prometheus, so that a selector never means "every series") with at least one sample in range.
     *
     * @param sorted whether the set must be ordered by labels
     * @param hints what the caller will do with the data (may be null); implementations may use it to
     *     read less, and return rollups instead of raw samples only as far as
     *     {@link SelectHints#maxResolutionMs()} allows
     * @throws IllegalArgumentException if no matcher can narrow the selection
     */
    SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers);

    /** Sorted, distinct label names of the series that match (all series when no matchers). */
    List<String> labelNames(LabelMatcher... matchers);

    /** Sorted, distinct values of {@code name} among the series that match (all when no matchers). */
    List<String> labelValues(String name, LabelMatcher... matchers);

    @Override
    void close();

    /**
     * Checks what {@link #select} requires of its matchers.
     *
     * @throws IllegalArgumentException if every matcher matches the empty string
     */
    static void requireNarrowing(LabelMatcher... matchers) {
        for (LabelMatcher m : matchers) {
            if (!m.matchesEmpty()) {
                return;
            }
        }
        throw new IllegalArgumentException("cannot select series: at least one matcher must not match the empty"
                + " string (e.g. a metric name), got " + java.util.Arrays.toString(matchers));
    }
}
