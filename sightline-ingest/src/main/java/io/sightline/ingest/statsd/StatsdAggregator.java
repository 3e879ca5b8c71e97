package io.sightline.ingest.statsd;

import io.sightline.common.GoFloat;
import io.sightline.common.Labels;
import io.sightline.ingest.SeriesSink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Turns StatsD events into Prometheus series, written at each flush with the flush's timestamp, with
 * statsd_exporter's semantics where it has them:
 * <ul>
 *   <li><b>Counters</b> keep their name (no {@code _total}, as statsd_exporter) and are totals since
 *       the series was first seen: each increment adds {@code value / rate}; they are never reset at a
 *       flush.</li>
 *   <li><b>Gauges</b> hold their last value; {@code +v}/{@code -v} change it (from 0 for a new gauge).</li>
 *   <li><b>Timers</b> ({@code ms}) are observations in milliseconds, stored in seconds; histograms
 *       ({@code h}) and distributions ({@code d}) are observations taken as sent, not converted. Each
 *       observation counts {@code 1 / rate} times. Depending on {@link Options#timerType}: a
 *       <i>summary</i> ({@code name{quantile="q"}} over the observations of the last flush interval,
 *       NaN when there were none, plus cumulative {@code name_sum} and {@code name_count}) or a
 *       <i>histogram</i> ({@code name_bucket{le}} cumulative counts up to each bound and {@code +Inf},
 *       {@code name_sum}, {@code name_count}).</li>
 *   <li><b>Sets</b> are gauges: the number of distinct members seen during the last interval (0 for an
 *       interval without any).</li>
 * </ul>
 * Every series seen is written at every flush until the process stops (statsd_exporter has no expiry
 * by default either). Memory is bounded: at most {@link Options#maxSeries} StatsD series (name and
 * tags; a summary or histogram counts once however many Prometheus series it writes), beyond which new
 * ones are refused ({@link Outcome#SERIES_LIMIT}); a summary keeps at most {@link #WINDOW_SAMPLES}
 * observations per interval (a uniform random sample beyond, reservoir sampling); a set counts at most
 * {@link #SET_MEMBERS} members per interval.
 *
 * <p>One name has one type: an event whose name is taken by another type, or whose series would
 * collide with a summary's or histogram's {@code _sum}, {@code _count}, {@code _bucket}, is refused
 * ({@link Outcome#TYPE_CONFLICT}); so is a timer tagged {@code le} or {@code quantile}
 * ({@link Outcome#RESERVED_LABEL}), whatever the timer type, so that switching it never changes what is
 * accepted.
 *
 * <p>Thread-safe: {@link #observe} (the receiving thread) and {@link #flush} (the flushing thread) may
 * run at once; a flush holds the lock only to snapshot the values, and writes to its sink outside it.
 */
public final class StatsdAggregator {
    /** Observations a summary keeps per flush interval for its quantiles. */
    public static final int WINDOW_SAMPLES = 1024;
    /** Distinct members a set counts per flush interval. */
    public static final int SET_MEMBERS = 10_000;

    private static final String[] TIMER_SUFFIXES = {"_sum", "_count", "_bucket"};

    /** How timers, histograms and distributions are written. */
    public enum TimerType { SUMMARY, HISTOGRAM }

    /**
     * @param quantiles of summaries, each in [0, 1], no repeats
     * @param buckets upper bounds of histograms, finite and strictly increasing ({@code +Inf} is implicit)
     * @param maxSeries StatsD series held at most, at least 1
     */
    public record Options(TimerType timerType, List<Double> quantiles, List<Double> buckets, int maxSeries) {
        public static final List<Double> DEFAULT_QUANTILES = List.of(0.5, 0.9, 0.99);
        /** Prometheus's default buckets (client_golang's {@code DefBuckets}), in seconds. */
        public static final List<Double> DEFAULT_BUCKETS =
                List.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0);
        public static final int DEFAULT_MAX_SERIES = 100_000;

        /** @throws IllegalArgumentException naming the setting and the value */
        public Options {
            quantiles = List.copyOf(quantiles);
            buckets = List.copyOf(buckets);
            if (timerType == null) {
                throw new IllegalArgumentException("cannot aggregate StatsD: timer type is missing");
            }
            if (quantiles.isEmpty()) {
                throw new IllegalArgumentException("cannot aggregate StatsD: no quantiles");
            }
            if (quantiles.stream().anyMatch(q -> !(q >= 0 && q <= 1)) || Set.copyOf(quantiles).size() != quantiles.size()) {
                throw new IllegalArgumentException("cannot aggregate StatsD: quantiles " + quantiles
                        + " must be in [0, 1] without repeats");
            }
            if (buckets.isEmpty()) {
                throw new IllegalArgumentException("cannot aggregate StatsD: no buckets");
            }
            for (int i = 0; i < buckets.size(); i++) {
                if (!Double.isFinite(buckets.get(i)) || (i > 0 && !(buckets.get(i) > buckets.get(i - 1)))) {
                    throw new IllegalArgumentException("cannot aggregate StatsD: buckets " + buckets
                            + " must be finite and strictly increasing");
                }
            }
            if (maxSeries < 1) {
                throw new IllegalArgumentException("cannot aggregate StatsD: max series " + maxSeries + " is below 1");
            }
        }

        public static Options defaults() {
            return new Options(TimerType.SUMMARY, DEFAULT_QUANTILES, DEFAULT_BUCKETS, DEFAULT_MAX_SERIES);
        }
    }

    /** What became of one event. */
    public enum Outcome {
        ACCEPTED("accepted"),
        TYPE_CONFLICT("type_conflict"),
        SERIES_LIMIT("series_limit"),
        RESERVED_LABEL("reserved_label");

        private final String tag;

        Outcome(String tag) {
            this.tag = tag;
        }

        /** The value of the {@code reason} label of the self-metrics. */
        public String tag() {
            return tag;
        }
    }

    private enum Kind { COUNTER, GAUGE, SET, OBSERVATION }

    private final Map<Labels, Entry> entries = new LinkedHashMap<>();
    private final Map<String, Kind> families = new HashMap<>();
    private final SplittableRandom random;
    private Options options;

    /** @param seed of the reservoir sampling of summaries */
    public StatsdAggregator(Options options, long seed) {
        this.options = options;
        this.random = new SplittableRandom(seed);
    }

    public synchronized Options options() {
        return options;
    }

    /**
     * Applies new options. When the timer type, quantiles or buckets change, every timer series starts
     * again from nothing (its counts would not fit the new shape: to {@code rate()} it reads as a reset);
     * counters, gauges and sets keep their values. A lower {@code maxSeries} drops nothing held, it only
     * refuses new series until there are fewer.
     */
    public synchronized void reconfigure(Options next) {
        boolean timersChange = next.timerType() != options.timerType() || !next.quantiles().equals(options.quantiles())
                || !next.buckets().equals(options.buckets());
        options = next;
        if (timersChange) {
            entries.values().removeIf(e -> e instanceof ObservationEntry);
            families.values().removeIf(k -> k == Kind.OBSERVATION);
        }
    }

    /** StatsD series held. */
    public synchronized int series() {
        return entries.size();
    }

    /** Adds one event. */
    public synchronized Outcome observe(StatsdEvent e) {
        Kind kind = switch (e.type()) {
            case COUNTER -> Kind.COUNTER;
            case GAUGE -> Kind.GAUGE;
            case SET -> Kind.SET;
            case TIMER, HISTOGRAM, DISTRIBUTION -> Kind.OBSERVATION;
        };
        Kind family = families.get(e.name());
        if (family != null && family != kind) {
            return Outcome.TYPE_CONFLICT;
        }
        Labels key = e.tags().toBuilder().set(Labels.METRIC_NAME, e.name()).build();
        Entry entry = entries.get(key);
        if (entry == null) {
            if (family == null && collides(e.name(), kind)) {
                return Outcome.TYPE_CONFLICT;
            }
            if (kind == Kind.OBSERVATION && (e.tags().has("le") || e.tags().has("quantile"))) {
                return Outcome.RESERVED_LABEL;
            }
            if (entries.size() >= options.maxSeries()) {
                return Outcome.SERIES_LIMIT;
            }
            entry = switch (kind) {
                case COUNTER -> new CounterEntry(key);
                case GAUGE -> new GaugeEntry(key);
                case SET -> new SetEntry(key);
                case OBSERVATION -> options.timerType() == TimerType.SUMMARY
                        ? new SummaryEntry(key, e.name(), e.tags(), options.quantiles())
                        : new HistogramEntry(key, e.name(), e.tags(), options.buckets());
            };
            entries.put(key, entry);
            families.put(e.name(), kind);
        }
        entry.add(e);
        return Outcome.ACCEPTED;
    }

    /** Whether a new family would share series names with another: {@code x} a summary, {@code x_sum} a counter. */
    private boolean collides(String name, Kind kind) {
        for (String suffix : TIMER_SUFFIXES) {
            if (kind == Kind.OBSERVATION && families.containsKey(name + suffix)) {
                return true;
            }
            if (kind != Kind.OBSERVATION && name.endsWith(suffix)
                    && families.get(name.substring(0, name.length() - suffix.length())) == Kind.OBSERVATION) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes every series with timestamp {@code t} and starts a new interval (summary windows and sets
     * are emptied).
     *
     * @return the number of samples written
     */
    public int flush(long t, SeriesSink sink) {
        List<Labels> labels;
        double[] values;
        synchronized (this) {
            Out out = new Out(entries.size() * 2);
            for (Entry e : entries.values()) {
                e.flush(out);
            }
            labels = out.labels;
            values = Arrays.copyOf(out.values, out.size);
        }
        long[] ts = {t};
        double[] vs = new double[1];
        for (int i = 0; i < values.length; i++) {
            vs[0] = values[i];
            sink.series(labels.get(i), ts, vs, 1);
        }
        return values.length;
    }

    /** Collects a flush's series under the lock. */
    private static final class Out {
        final List<Labels> labels;
        double[] values;
        int size;

        Out(int capacity) {
            labels = new ArrayList<>(capacity);
            values = new double[Math.max(16, capacity)];
        }

        void add(Labels l, double v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            labels.add(l);
            values[size++] = v;
        }
    }

    private abstract static class Entry {
        abstract void add(StatsdEvent e);

        abstract void flush(Out out);
    }

    private static final class CounterEntry extends Entry {
        final Labels labels;
        double total;

        CounterEntry(Labels labels) {
            this.labels = labels;
        }

        @Override
        void add(StatsdEvent e) {
            total += e.value() / e.sampleRate();
        }

        @Override
        void flush(Out out) {
            out.add(labels, total);
        }
    }

    private static final class GaugeEntry extends Entry {
        final Labels labels;
        double value;

        GaugeEntry(Labels labels) {
            this.labels = labels;
        }

        @Override
        void add(StatsdEvent e) {
            value = e.relative() ? value + e.value() : e.value();
        }

        @Override
        void flush(Out out) {
            out.add(labels, value);
        }
    }

    private static final class SetEntry extends Entry {
        final Labels labels;
        final Set<String> members = new HashSet<>();

        SetEntry(Labels labels) {
            this.labels = labels;
        }

        @Override
        void add(StatsdEvent e) {
            if (members.size() < SET_MEMBERS) {
                members.add(e.setMember());
            }
        }

        @Override
        void flush(Out out) {
            out.add(labels, members.size());
            members.clear();
        }
    }

    /** Timers, histograms and distributions: cumulative sum and count, written with a summary's or histogram's shape. */
    private abstract static class ObservationEntry extends Entry {
        final Labels sumLabels;
        final Labels countLabels;
        /** Timer observations in milliseconds as sent: divided once at a flush, 5050 ms read 5.05 s, not 5.050000000000001. */
        double sumMs;
        double sumOther;
        double count;

        ObservationEntry(String name, Labels tags) {
            sumLabels = tags.toBuilder().set(Labels.METRIC_NAME, name + "_sum").build();
            countLabels = tags.toBuilder().set(Labels.METRIC_NAME, name + "_count").build();
        }

        @Override
        final void add(StatsdEvent e) {
            boolean timer = e.type() == StatsdEvent.Type.TIMER;
            double v = timer ? e.value() / 1000 : e.value();
            double weight = 1 / e.sampleRate();
            if (timer) {
                sumMs += e.value() * weight;
            } else {
                sumOther += v * weight;
            }
            count += weight;
            observe(v, weight);
        }

        final double sum() {
            return sumMs / 1000 + sumOther;
        }

        abstract void observe(double v, double weight);
    }

    private final class SummaryEntry extends ObservationEntry {
        final Labels[] quantileLabels;
        final double[] quantiles;
        double[] window = new double[8];
        double[] weights = new double[8];
        int n;
        long seen;

        SummaryEntry(Labels key, String name, Labels tags, List<Double> qs) {
            super(name, tags);
            quantiles = qs.stream().mapToDouble(Double::doubleValue).toArray();
            quantileLabels = new Labels[quantiles.length];
            for (int i = 0; i < quantiles.length; i++) {
                quantileLabels[i] = key.toBuilder().set("quantile", GoFloat.g(quantiles[i])).build();
            }
        }

        @Override
        void observe(double v, double weight) {
            seen++;
            if (n < WINDOW_SAMPLES) {
                if (n == window.length) {
                    window = Arrays.copyOf(window, n * 2);
                    weights = Arrays.copyOf(weights, n * 2);
                }
                window[n] = v;
                weights[n] = weight;
                n++;
                return;
            }
            long j = random.nextLong(seen); // reservoir sampling (Algorithm R): each kept with p = n/seen
            if (j < WINDOW_SAMPLES) {
                window[(int) j] = v;
                weights[(int) j] = weight;
            }
        }

        @Override
        void flush(Out out) {
            double[] q = quantiles(window, weights, n, quantiles);
            for (int i = 0; i < q.length; i++) {
                out.add(quantileLabels[i], q[i]);
            }
            out.add(sumLabels, sum());
            out.add(countLabels, count);
            n = 0;
            seen = 0;
            if (window.length > 64) { // a quiet interval after a busy one gives the memory back
                window = new double[8];
                weights = new double[8];
            }
        }
    }

    /**
     * Weighted nearest-rank quantiles: for each {@code q}, the smallest observation whose cumulative
     * weight reaches {@code q} times the total (the minimum for {@code q = 0}); NaN without observations.
     */
    static double[] quantiles(double[] values, double[] weights, int n, double[] qs) {
        double[] out = new double[qs.length];
        if (n == 0) {
            Arrays.fill(out, Double.NaN);
            return out;
        }
        Integer[] order = new Integer[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            order[i] = i;
            total += weights[i];
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        for (int k = 0; k < qs.length; k++) {
            double target = qs[k] * total;
            double cumulative = 0;
            out[k] = values[order[n - 1]];
            for (int i = 0; i < n; i++) {
                cumulative += weights[order[i]];
                if (cumulative >= target) {
                    out[k] = values[order[i]];
                    break;
                }
            }
        }
        return out;
    }

    private static final class HistogramEntry extends ObservationEntry {
        final double[] bounds;
        final double[] counts;
        final Labels[] bucketLabels;

        HistogramEntry(Labels key, String name, Labels tags, List<Double> buckets) {
            super(name, tags);
            bounds = buckets.stream().mapToDouble(Double::doubleValue).toArray();
            counts = new double[bounds.length + 1];
            bucketLabels = new Labels[bounds.length + 1];
            Labels.Builder b = tags.toBuilder().set(Labels.METRIC_NAME, name + "_bucket");
            for (int i = 0; i <= bounds.length; i++) {
                bucketLabels[i] = b.set("le", i < bounds.length ? GoFloat.g(bounds[i]) : "+Inf").build();
            }
        }

        @Override
        void observe(double v, double weight) {
            int i = Arrays.binarySearch(bounds, v);
            counts[i >= 0 ? i : -i - 1] += weight; // the first bucket whose bound is >= v; past all: +Inf
        }

        @Override
        void flush(Out out) {
            double cumulative = 0;
            for (int i = 0; i < counts.length; i++) {
                cumulative += counts[i];
                out.add(bucketLabels[i], cumulative);
            }
            out.add(sumLabels, sum());
            out.add(countLabels, count);
        }
    }

    /** For tests: the families held and their kinds. */
    synchronized Map<String, String> families() {
        Map<String, String> out = new LinkedHashMap<>();
        families.forEach((name, kind) -> out.put(name, kind.name()));
        return out;
    }
}
