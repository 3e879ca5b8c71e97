package io.sightline.tsdb;

/** Hands out queriers. Thread-safe. */
public interface Queryable {
    /**
     * A querier over samples with {@code mint <= t <= maxt} (milliseconds, inclusive). It sees at least
     * every sample committed before this call. Close it when done.
     */
    Querier querier(long mint, long maxt) throws StorageException;
}
