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
}
