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
    AVG(null);

    private final Aggregate stored;

    Read(Aggregate stored) {
        this.stored = stored;
    }

    /** The stored aggregate this reads, or null for {@link #AVG} (read from sum and count). */
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
     * value of each window. Rates and deltas read the last value of each window: between windows they
     * see the same increase as the raw samples (a counter reset inside a window loses what was counted
     * between the window's last value before the reset and the reset).
     */
    public static Read forFunction(String func) {
        if (func == null) {
            return LAST;
        }
        return switch (func) {
            case "rate", "increase", "delta", "irate", "idelta", "deriv", "predict_linear", "last_over_time",
                    "present_over_time" -> LAST;
            case "min_over_time" -> MIN;
            case "max_over_time" -> MAX;
            case "sum_over_time" -> SUM;
            case "count_over_time" -> COUNT;
            case "avg_over_time" -> AVG;
            default -> null;
        };
    }
}
