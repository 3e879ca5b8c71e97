package io.sightline.tsdb;

/**
 * Behaviour shared by every {@link Storage} implementation.
 *
 * @param outOfOrderWindowMs how far behind the newest sample an out-of-order sample is still accepted;
 *     push senders (remote_write with retries, OTLP batches) need it. Default 1h.
 * @param limits bounds per series and in total
 * @param significantDigits values are stored rounded to this many significant digits
 *     ({@link SignificantDigits}); {@link SignificantDigits#EXACT} (the default) stores them bit for bit
 */
public record StorageOptions(long outOfOrderWindowMs, Limits limits, int significantDigits) {
    /**
     * How far behind the newest sample an in-order sample (newer than its series' last) is accepted even
     * with a zero out-of-order window: a sender that lags the others by minutes is not out of order.
     * Prometheus accepts the same (half its 2 h head block).
     */
    public static final long IN_ORDER_GRACE_MS = 3_600_000L;

    public static final StorageOptions DEFAULTS =
            new StorageOptions(3_600_000L, Limits.NONE, SignificantDigits.EXACT);

    public StorageOptions {
        if (outOfOrderWindowMs < 0) {
            throw new IllegalArgumentException("out_of_order_time_window must not be negative, got " + outOfOrderWindowMs);
        }
        if (limits == null) {
            throw new IllegalArgumentException("limits must not be null");
        }
        SignificantDigits.check(significantDigits);
    }

    public StorageOptions(long outOfOrderWindowMs, Limits limits) {
        this(outOfOrderWindowMs, limits, SignificantDigits.EXACT);
    }

    public StorageOptions withOutOfOrderWindowMs(long ms) {
        return new StorageOptions(ms, limits, significantDigits);
    }

    public StorageOptions withLimits(Limits l) {
        return new StorageOptions(outOfOrderWindowMs, l, significantDigits);
    }

    public StorageOptions withSignificantDigits(int digits) {
        return new StorageOptions(outOfOrderWindowMs, limits, digits);
    }

    /** The value as it is stored: rounded when {@link #significantDigits} asks for it. */
    public double storedValue(double v) {
        return SignificantDigits.round(v, significantDigits);
    }

    /**
     * Limits; 0 means unlimited. Breaking one rejects the sample with
     * {@link StorageException.LimitExceeded} naming the limit's config key.
     *
     * @param maxSeries series in the store ({@code max_series})
     * @param maxLabelNamesPerSeries labels per series, {@code __name__} included ({@code max_label_names_per_series})
     * @param maxLabelNameLength characters in a label name ({@code max_label_name_length})
     * @param maxLabelValueLength characters in a label value ({@code max_label_value_length})
     */
    public record Limits(long maxSeries, int maxLabelNamesPerSeries, int maxLabelNameLength, int maxLabelValueLength) {
        public static final Limits NONE = new Limits(0, 0, 0, 0);

        public Limits {
            if (maxSeries < 0 || maxLabelNamesPerSeries < 0 || maxLabelNameLength < 0 || maxLabelValueLength < 0) {
                throw new IllegalArgumentException("limits must not be negative");
            }
        }

        /**
         * Checks a series about to be created.
         *
         * @param seriesBefore series the store would hold without it
         * @throws StorageException.SampleRejected naming the label set problem or the limit broken
         */
        public void checkNewSeries(io.sightline.common.Labels labels, long seriesBefore)
                throws StorageException.SampleRejected {
            if (labels.isEmpty()) {
                throw new StorageException.InvalidLabels("cannot append sample: empty label set");
            }
            if (maxLabelNamesPerSeries > 0 && labels.size() > maxLabelNamesPerSeries) {
                throw new StorageException.LimitExceeded("max_label_names_per_series", "cannot append sample series="
                        + labels + ": " + labels.size() + " labels, more than max_label_names_per_series="
                        + maxLabelNamesPerSeries);
            }
            for (int i = 0; i < labels.size(); i++) {
                if (maxLabelNameLength > 0 && labels.name(i).length() > maxLabelNameLength) {
                    throw new StorageException.LimitExceeded("max_label_name_length", "cannot append sample series="
                            + labels + ": label name " + labels.name(i) + " is longer than max_label_name_length="
                            + maxLabelNameLength);
                }
                if (maxLabelValueLength > 0 && labels.value(i).length() > maxLabelValueLength) {
                    throw new StorageException.LimitExceeded("max_label_value_length", "cannot append sample series="
                            + labels + ": value of label " + labels.name(i) + " is longer than max_label_value_length="
                            + maxLabelValueLength);
                }
            }
            if (maxSeries > 0 && seriesBefore >= maxSeries) {
                throw new StorageException.LimitExceeded("max_series", "cannot append sample series=" + labels
                        + ": the store holds max_series=" + maxSeries + " series already");
            }
        }
    }
}
