package io.sightline.tsdb;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import java.util.List;
import java.util.function.Supplier;

/**
 * Start timestamps of samples (OpenTelemetry's {@code start_time_unix_nano}, remote write 2's
 * {@code created_timestamp}, Prometheus 3's "ST"): when the counter a sample reads began counting. They
 * are kept in a companion store beside the samples: the same series (same labels) holding, at each
 * sample's timestamp, the start time in milliseconds as its value. Only series that were sent with start
 * times have a companion series, so a store that never got one costs nothing; the companion is an
 * ordinary store, so it is as durable, crash-safe, compacted and retained as the samples.
 *
 * <p>A start time is a refinement: {@code rate}, {@code increase}, {@code irate} and {@code resets} use it
 * to see resets that values alone hide, and {@code start_timestamp()} shows it. A sample without one (0)
 * is read as Prometheus reads it: unknown.
 */
public final class StartTimes {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StartTimes.class);

    private StartTimes() {}

    /** The functions that read start times (a select for another function never touches the companion). */
    private static final java.util.Set<String> READERS = java.util.Set.of("rate", "increase", "irate", "resets",
            "start_timestamp");

    /** Whether a select with these hints should return start times. */
    private static boolean wanted(SelectHints hints) {
        return hints != null && hints.func() != null && READERS.contains(hints.func());
    }

    /**
     * An appender writing samples to {@code samples} and, for samples that carry a start time, the start time
     * to the companion's appender (opened on the first such sample). The companion commits first: a crash between
     * the two commits leaves start times without samples, which reads ignore, never samples whose start time
     * was acknowledged and lost. A start time the companion refuses (a different one at a timestamp that has one)
     * is dropped; the sample is kept.
     */
    public static Appender appender(Appender samples, Supplier<Appender> starts) {
        return new StartAppender(samples, starts);
    }

    /**
     * A querier over {@code samples} whose selects for a function that reads start times ({@code rate},
     * {@code increase}, {@code irate}, {@code resets}, {@code start_timestamp}) return series that carry them, joined
     * by labels from the companion's querier (opened on first use, closed with this one). Other selects, and series
     * read from rollups, are the samples' own.
     */
    public static Querier querier(Querier samples, Supplier<Querier> starts) {
        return new StartQuerier(samples, starts);
    }

    /** A store of samples with start times, from two stores (tests and the script runner: two in-memory ones). */
    public static Storage storage(Storage samples, Storage starts) {
        return new Storage() {
            @Override
            public Appender appender() {
                return StartTimes.appender(samples.appender(), starts::appender);
            }

            @Override
            public Querier querier(long mint, long maxt) throws StorageException {
                return StartTimes.querier(samples.querier(mint, maxt), () -> {
                    try {
                        return starts.querier(mint, maxt);
                    } catch (StorageException e) {
                        throw new java.io.UncheckedIOException(new java.io.IOException(e.getMessage(), e));
                    }
                });
            }

            @Override
            public void delete(long mint, long maxt, LabelMatcher... matchers) throws StorageException {
                samples.delete(mint, maxt, matchers);
                starts.delete(mint, maxt, matchers);
            }

            @Override
            public StorageStats stats() {
                return samples.stats();
            }

            @Override
            public void close() throws StorageException {
                try {
                    samples.close();
                } finally {
                    starts.close();
                }
            }
        };
    }

    private static final class StartAppender implements Appender {
        private final Appender samples;
        private final Supplier<Appender> startsSupplier;
        private Appender starts;
        private boolean startsFailed;

        StartAppender(Appender samples, Supplier<Appender> starts) {
            this.samples = samples;
            this.startsSupplier = starts;
        }

        @Override
        public long append(long ref, Labels labels, long t, double v) throws StorageException.SampleRejected {
            return samples.append(ref, labels, t, v);
        }

        @Override
        public long append(long ref, Labels labels, long st, long t, double v)
                throws StorageException.SampleRejected {
            long r = samples.append(ref, labels, t, v);
            if (st != 0 && !startsFailed) {
                if (starts == null) {
                    try {
                        starts = startsSupplier.get();
                    } catch (RuntimeException e) {
                        // The samples matter more than their start times: they are stored, which queries read as
                        // samples of unknown start, and the next batch tries the companion again.
                        startsFailed = true;
                        LOG.atWarn().setCause(e).log("start timestamps not stored: their store cannot be opened");
                        return r;
                    }
                }
                try {
                    starts.append(0, labels, t, (double) st);
                } catch (StorageException.SampleRejected e) {
                    // a start time differing from the one already kept at t: the sample stands without it
                }
            }
            return r;
        }

        @Override
        public void commit() throws StorageException {
            if (starts != null) {
                try {
                    starts.commit();
                } catch (StorageException | RuntimeException e) {
                    samples.rollback();
                    throw e;
                }
            }
            samples.commit();
        }

        @Override
        public void rollback() {
            try {
                if (starts != null) {
                    starts.rollback();
                }
            } finally {
                samples.rollback();
            }
        }
    }

    private static final class StartQuerier implements Querier {
        private final Querier samples;
        private final Supplier<Querier> startsSupplier;
        private Querier starts;

        StartQuerier(Querier samples, Supplier<Querier> starts) {
            this.samples = samples;
            this.startsSupplier = starts;
        }

        @Override
        public SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers) {
            if (!wanted(hints)) {
                return samples.select(sorted, hints, matchers);
            }
            Querier q;
            synchronized (this) {
                if (starts == null) {
                    starts = startsSupplier.get();
                }
                q = starts;
            }
            // Samples first: the companion commits first, so every sample this select sees has its start time in the
            // companion's select that follows.
            SeriesSet set = samples.select(true, hints, matchers);
            SeriesSet withStarts = q.select(true, SelectHints.range(hints.start(), hints.end()), matchers);
            return withStarts.next() ? new Joined(set, withStarts) : set;
        }

        @Override
        public List<String> labelNames(LabelMatcher... matchers) {
            return samples.labelNames(matchers);
        }

        @Override
        public List<String> labelValues(String name, LabelMatcher... matchers) {
            return samples.labelValues(name, matchers);
        }

        @Override
        public void close() {
            try {
                samples.close();
            } finally {
                synchronized (this) {
                    if (starts != null) {
                        starts.close();
                    }
                }
            }
        }
    }

    /** Samples' series in label order, each joined with the companion series of the same labels if there is one. */
    private static final class Joined implements SeriesSet {
        private final SeriesSet samples;
        /** Positioned on its next unjoined series; null once exhausted. */
        private SeriesSet starts;
        private Series at;

        Joined(SeriesSet samples, SeriesSet startsPositioned) {
            this.samples = samples;
            this.starts = startsPositioned;
        }

        @Override
        public boolean next() {
            if (!samples.next()) {
                at = null;
                return false;
            }
            Series s = samples.at();
            at = s;
            if (s.resolutionMs() != 0) {
                return true;
            }
            while (starts != null) {
                int c = starts.at().labels().compareTo(s.labels());
                if (c == 0) {
                    at = new WithStarts(s, starts.at());
                    break;
                }
                if (c > 0) {
                    break;
                }
                if (!starts.next()) {
                    starts = null;
                }
            }
            return true;
        }

        @Override
        public Series at() {
            return at;
        }
    }

    private record WithStarts(Series samples, Series starts) implements Series {
        @Override
        public Labels labels() {
            return samples.labels();
        }

        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            return new StartIterator(samples.iterator(null), starts.iterator(null));
        }
    }

    /** A series' samples, each with the start time the companion holds at its timestamp (0 where none). */
    static final class StartIterator implements SampleIterator {
        private final SampleIterator samples;
        private final SampleIterator starts;
        private boolean startsLeft = true;
        private boolean startsBegun;

        StartIterator(SampleIterator samples, SampleIterator starts) {
            this.samples = samples;
            this.starts = starts;
        }

        @Override
        public boolean next() {
            return samples.next();
        }

        @Override
        public boolean seek(long t) {
            return samples.seek(t);
        }

        @Override
        public long timestamp() {
            return samples.timestamp();
        }

        @Override
        public double value() {
            return samples.value();
        }

        @Override
        public boolean hasStartTimestamps() {
            return true;
        }

        @Override
        public long startTimestamp() {
            long t = samples.timestamp();
            if (!startsLeft) {
                return 0;
            }
            if (!startsBegun || starts.timestamp() < t) {
                startsBegun = true;
                if (!starts.seek(t)) {
                    startsLeft = false;
                    return 0;
                }
            }
            return starts.timestamp() == t ? (long) starts.value() : 0;
        }
    }
}
