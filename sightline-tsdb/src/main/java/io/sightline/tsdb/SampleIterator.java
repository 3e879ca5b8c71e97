package io.sightline.tsdb;

/**
 * Iterates a series' samples in increasing timestamp order. Single consumer, not thread-safe.
 * Positioned before the first sample until {@link #next()} or {@link #seek(long)} returns true.
 */
public interface SampleIterator {
    /** Moves to the next sample; false when there is none (then it stays exhausted). */
    boolean next();

    /**
     * Moves to the first sample with timestamp {@code >= t}, never backwards: if the current sample
     * already satisfies it, stays. False when there is none.
     */
    boolean seek(long t);

    /** The current sample's timestamp (ms); only after {@code next} or {@code seek} returned true. */
    long timestamp();

    /** The current sample's value, bit-exact (stale markers included). */
    double value();

    /**
     * The current sample's start timestamp in milliseconds, 0 where unknown; only meaningful where
     * {@link #hasStartTimestamps()} (see {@link StartTimes}).
     */
    default long startTimestamp() {
        return 0;
    }

    /** Whether this iterator reads start timestamps (its series had some in the selected range). */
    default boolean hasStartTimestamps() {
        return false;
    }

    /**
     * Reads up to {@code max} samples into {@code ts} and {@code vs} from index {@code off}, exactly as
     * that many calls of {@link #next()} would, and returns how many it read. Fewer than {@code max}
     * means the iterator is exhausted; otherwise it is positioned at the last sample read. Iterators
     * over arrays or decoded chunks override it to copy in bulk, without a call per sample.
     */
    default int nextBatch(long[] ts, double[] vs, int off, int max) {
        int k = 0;
        while (k < max && next()) {
            ts[off + k] = timestamp();
            vs[off + k] = value();
            k++;
        }
        return k;
    }
}
