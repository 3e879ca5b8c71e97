package io.sightline.tsdb;

/**
 * A cursor over series: call {@link #next()}, then {@link #at()} while it returned true. Single
 * consumer, not thread-safe. Valid until the querier that made it is closed.
 */
public interface SeriesSet {
    boolean next();

    /** The current series; only after {@link #next()} returned true. */
    Series at();

    /** A set over a list, in list order. */
    static SeriesSet of(java.util.List<? extends Series> list) {
        return new SeriesSet() {
            private int i = -1;

            @Override
            public boolean next() {
                if (i < list.size()) {
                    i++;
                }
                return i < list.size();
            }

            @Override
            public Series at() {
                return list.get(i);
            }
        };
    }

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
