package io.sightline.tsdb.rollup;

/**
 * What a reader of rollups gets per window: one of the stored {@link Aggregate}s, or the average (sum
 * over count). Chosen from the function a query applies ({@link #forFunction}).
 */
public enum Read {
    COUNT(Aggregate.COUNT),
    LAST(Aggregate.LAST),
    MAX(Aggregate.MAX),
    MIN(Aggregate.MIN),
    SUM(Aggregate.SUM),
    /** The mean of each window: its sum over its count, read as two and combined. */
    AVG(null),
    /**
     * For rates of counters: the last values, and where a window ends below the one before (a reset
     * inside it), first the window's maximum one millisecond earlier, so that the increase up to the
     * reset is counted too ({@link CounterIterator}).
     */
    COUNTER(null);

    private final Aggregate stored;

    Read(Aggregate stored) {
        this.stored = stored;
    }

    /**
     * The stored aggregate this reads, or null for {@link #AVG} (read from sum and count) and
     * {@link #COUNTER} (from last and max).
     */
    public Aggregate stored() {
        return stored;
    }

    /** Reading an aggregate as it is stored. */
    public static Read of(Aggregate a) {
        return switch (a) {
            case COUNT -> COUNT;
            case LAST -> LAST;
            case MAX -> MAX;
            case MIN -> MIN;
            case SUM -> SUM;
        };
    }

    /**
     * Which rollup answers a PromQL function over a selector, or null when only raw samples answer it
     * (functions that look at each sample: {@code changes}, {@code resets}, {@code quantile_over_time},
     * {@code stddev_over_time}, {@code timestamp}, ...). {@code null} means a plain selector: the last
     * value of each window. Deltas and derivatives read the last value of each window; {@code rate} and
     * {@code increase} read {@link #COUNTER}, which also counts the increase before a reset inside a
     * window (up to the window's maximum).
     */
    public static Read forFunction(String func) {
        if (func == null) {
            return LAST;
        }
        return switch (func) {
            case "rate", "increase" -> COUNTER;
            case "delta", "irate", "idelta", "deriv", "predict_linear", "last_over_time", "present_over_time" -> LAST;
            case "min_over_time" -> MIN;
            case "max_over_time" -> MAX;
            case "sum_over_time" -> SUM;
            case "count_over_time" -> COUNT;
            case "avg_over_time" -> AVG;
            default -> null;
        };
    }
}
