package io.sightline.tsdb;

import io.sightline.common.LabelMatcher;

/**
 * A metric store: appenders, queriers, deletion and figures. Every implementation passes the contract
 * suite in {@code sightline-testkit} ({@code StorageContract}).
 *
 * <p><b>Which samples are accepted.</b> Let {@code maxT} be the newest timestamp committed to the store,
 * {@code W} the out-of-order window ({@link StorageOptions#outOfOrderWindowMs()}) and {@code G}
 * {@link StorageOptions#IN_ORDER_GRACE_MS}. For a sample at {@code t} of series {@code s}:
 * <ol>
 *   <li>{@code t < maxT - max(W, G)}: rejected as {@link StorageException.TooOldSample};</li>
 *   <li>{@code s} has a sample at {@code t}: ignored if the value has the same bits, otherwise
 *       rejected as {@link StorageException.DuplicateSample};</li>
 *   <li>{@code t} is after every sample of {@code s} (or {@code s} is new): accepted;</li>
 *   <li>otherwise (out of order): accepted if {@code t >= maxT - W}, else rejected as
 *       {@link StorageException.OutOfOrderSample}.</li>
 * </ol>
 * A new series must also fit the limits ({@link StorageOptions.Limits}). "Has a sample" counts the
 * committed samples and those appended earlier to the same appender. If another appender commits in
 * between, a sample that has become unacceptable is dropped at commit and counted in
 * {@link StorageStats#samplesDroppedAtCommit()}.
 *
 * <p>Thread-safe. {@link #close()} waits for nothing: close appenders and queriers first.
 */
public interface Storage extends Appendable, Queryable, AutoCloseable {
    /**
     * Deletes the samples with {@code mint <= t <= maxt} of every series matching all matchers; series
     * left with no samples disappear from queries and label lookups.
     */
    void delete(long mint, long maxt, LabelMatcher... matchers) throws StorageException;

    /** Current figures; cheap enough to call per scrape of {@code /metrics}. */
    StorageStats stats();

    @Override
    void close() throws StorageException;
}
