package io.sightline.tsdb;

/**
 * A cursor over series: call {@link #next()}, then {@link #at()} while it returned true. Single
 * consumer, not thread-safe. Valid until the querier that made it is closed.
 */
public interface SeriesSet {
    boolean next();

    /** The current series; only after {@link #next()} returned true. */
    Series at();

    /** An empty set. */
    static SeriesSet empty() {
        return new SeriesSet() {
            @Override
            public boolean next() {
                return false;
            }

            @Override
            public Series at() {
                throw new IllegalStateException("BUG: at() on an empty series set");
            }
        };
    }
}
