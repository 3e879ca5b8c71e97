package io.sightline.tsdb;

/**
 * Figures about a store.
 *
 * @param series series with at least one sample
 * @param minTime oldest sample timestamp (ms), or {@link Long#MAX_VALUE} when empty
 * @param maxTime newest sample timestamp (ms), or {@link Long#MIN_VALUE} when empty
 * @param samplesAppended samples accepted since the store was opened
 * @param samplesDroppedAtCommit samples accepted by {@code append} but unacceptable at commit, because
 *     another appender committed conflicting data in between
 */
public record StorageStats(long series, long minTime, long maxTime, long samplesAppended, long samplesDroppedAtCommit) {}
