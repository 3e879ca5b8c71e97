package io.sightline.tsdb.rollup;

/**
 * What a rollup keeps of the samples in a window. Each is stored as a series of its own in a rollup
 * block, the raw series' labels plus {@link #LABEL}{@code =<name>}.
 */
public enum Aggregate {
    /** Number of samples (stale markers excluded). */
    COUNT("count"),
    /** The last sample's value, a stale marker included: a series that ended still ends. */
    LAST("last"),
    /** Largest value; NaN only if every value was NaN (as {@code max_over_time}). */
    MAX("max"),
    /** Smallest value; NaN only if every value was NaN (as {@code min_over_time}). */
    MIN("min"),
    /** Sum of the values (stale markers excluded). */
    SUM("sum");

    /** The label that tells a rollup block's aggregate series apart; never shown to readers. */
    public static final String LABEL = "__rollup__";

    private final String label;

    Aggregate(String label) {
        this.label = label;
    }

    /** The value of {@link #LABEL} for this aggregate. */
    public String label() {
        return label;
    }

    /** How rollups of this aggregate combine into coarser windows: counts and sums add up. */
    Aggregate combinedBy() {
        return this == COUNT ? SUM : this;
    }
}
