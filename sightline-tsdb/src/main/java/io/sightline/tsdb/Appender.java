package io.sightline.tsdb;

import io.sightline.common.Labels;

/**
 * A batch of samples that becomes visible and durable together at {@link #commit()}.
 *
 * <p>Lifecycle: single use. Call {@link #append} any number of times, then exactly one of
 * {@link #commit()} or {@link #rollback()}; the appender is unusable afterwards. Not thread-safe: one
 * thread at a time.
 *
 * <p>A sample that cannot be stored is rejected at {@code append} with a typed
 * {@link StorageException.SampleRejected} subclass, and the appender stays usable for the others; so a
 * request with one bad series still stores the rest. When {@code commit} returns, every accepted sample
 * is visible to queriers created afterwards and, for durable storage, survives a crash of the process.
 */
public interface Appender {
    /**
     * Adds one float sample.
     *
     * @param ref a series reference returned by an earlier {@code append} on the same storage, or 0;
     *     only a hint to skip the label lookup: a stale or foreign ref is ignored, never trusted
     * @param labels the series' labels; must not be empty
     * @param t the sample's timestamp in milliseconds since the epoch
     * @param v the value; NaN, infinities and the stale marker ({@link StaleNaN}) are stored bit-exactly, other
     *     values too unless {@link StorageOptions#significantDigits()} asks to round them
     * @return the series reference, to pass as {@code ref} next time
     * @throws StorageException.SampleRejected if this sample cannot be stored (the others can)
     * @throws IllegalStateException if the appender was already committed or rolled back
     */
    long append(long ref, Labels labels, long t, double v) throws StorageException.SampleRejected;

    /**
     * Adds one float sample with its start timestamp {@code st} (ms; 0: unknown): when the counter it reads
     * began counting, as OpenTelemetry and remote write 2 send it (see {@link StartTimes}). A store that keeps
     * start times ({@code TsdbStorage}, {@link StartTimes#storage}) keeps it; this default, for stores that keep
     * none, stores the sample alone, which queries read as a sample of unknown start.
     */
    default long append(long ref, Labels labels, long st, long t, double v) throws StorageException.SampleRejected {
        return append(ref, labels, t, v);
    }

    /**
     * Makes the accepted samples visible and durable.
     *
     * @throws StorageException if they could not be written; then none of them is visible
     */
    void commit() throws StorageException;

    /** Discards the samples added so far. */
    void rollback();
}
