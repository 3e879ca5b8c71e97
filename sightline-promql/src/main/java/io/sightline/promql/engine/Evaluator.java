package io.sightline.promql.engine;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.promql.ast.Expr;
import io.sightline.promql.ast.ValueType;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.Series;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.StorageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates an expression at every step of {@code [start, end]} (inclusive, {@code interval} apart;
 * an instant query is one step). Every node yields a list of series holding a point at the steps where
 * it has a value, as Prometheus's evaluator does; scalars are one label-less series with a point at
 * every step. Subqueries run a nested evaluator over their own aligned steps.
 *
 * <p>Windows follow Prometheus 3: an instant selector takes the newest sample in
 * {@code (t - lookback, t]} unless it is a stale marker; a range selector takes the samples in
 * {@code (t - range, t]}, stale markers removed.
 */
final class Evaluator {

    final QueryContext ctx;
    final long start;
    final long end;
    final long interval;
    final int steps;

    Evaluator(QueryContext ctx, long start, long end, long interval) {
        this.ctx = ctx;
        this.start = start;
        this.end = end;
        this.interval = interval;
        long n = (end - start) / interval + 1;
        // A scalar alone holds a point per step, so more steps than the sample limit cannot succeed.
        long limit = ctx.options.maxSamples() > 0 ? ctx.options.maxSamples() : Integer.MAX_VALUE / 2;
        if (n > Math.min(limit, Integer.MAX_VALUE / 2)) {
            throw new QueryException(QueryException.Kind.TOO_LARGE,
                    "query processing would load too many samples into memory in subquery evaluation (" + n
                            + " steps)");
        }
        this.steps = (int) n;
    }

    long stepTime(int k) {
        return start + k * interval;
    }

    /** Evaluates a node to series over the steps; string literals are handled by the caller. */
    List<EvalSeries> eval(Expr e) {
        ctx.checkDeadline();
        if (steps > 1 && StepInvariance.worthHoisting(e)) {
            return repeated(new Evaluator(ctx, start, start, 1).eval(e));
        }
        List<EvalSeries> out;
        if (e instanceof Expr.NumberLiteral n) {
            out = List.of(constant(n.value()));
        } else if (e instanceof Expr.Paren p) {
            out = eval(p.expr());
        } else if (e instanceof Expr.Unary u) {
            out = unary(u);
        } else if (e instanceof Expr.VectorSelector vs) {
            out = vectorSelector(vs, false);
        } else if (e instanceof Expr.Call c) {
            out = Functions.call(this, c);
        } else if (e instanceof Expr.Aggregate a) {
            out = Aggregations.eval(this, a);
        } else if (e instanceof Expr.Binary b) {
            out = BinaryOps.eval(this, b);
        } else if (e instanceof Expr.MatrixSelector || e instanceof Expr.Subquery) {
            throw new IllegalStateException("BUG: range vector evaluated as instant vector: " + e);
        } else if (e instanceof Expr.StringLiteral) {
            throw new IllegalStateException("BUG: string literal evaluated as a vector");
        } else {
            throw new IllegalStateException("BUG: unknown node " + e);
        }
        long points = 0;
        for (EvalSeries s : out) {
            points += s.n;
        }
        ctx.hold(points, "expression evaluation");
        return out;
    }

    /** A step-invariant result (one point per series, at {@code start}) repeated at every step. */
    private List<EvalSeries> repeated(List<EvalSeries> once) {
        List<EvalSeries> out = new ArrayList<>(once.size());
        long points = 0;
        for (EvalSeries s : once) {
            if (s.n == 0) {
                continue;
            }
            EvalSeries r = new EvalSeries(s.labels, s.dropName, steps);
            for (int k = 0; k < steps; k++) {
                r.add(stepTime(k), s.vs[0]);
            }
            points += steps;
            ctx.hold(points, "expression evaluation");
            out.add(r);
        }
        return out;
    }

    EvalSeries constant(double v) {
        EvalSeries s = new EvalSeries(Labels.empty(), false, steps);
        for (int k = 0; k < steps; k++) {
            s.add(stepTime(k), v);
        }
        return s;
    }

    /** A scalar argument as one value per step (NaN where the scalar has none). */
    double[] scalarPerStep(Expr e) {
        double[] out = new double[steps];
        java.util.Arrays.fill(out, Double.NaN);
        for (EvalSeries s : eval(e)) {
            for (int i = 0; i < s.n; i++) {
                out[(int) ((s.ts[i] - start) / interval)] = s.vs[i];
            }
        }
        return out;
    }

    private List<EvalSeries> unary(Expr.Unary u) {
        List<EvalSeries> in = eval(u.expr());
        if (!u.negate()) {
            return in;
        }
        boolean vector = u.expr().type() == ValueType.VECTOR;
        List<EvalSeries> out = new ArrayList<>(in.size());
        for (EvalSeries s : in) {
            double[] vs = new double[s.n];
            for (int i = 0; i < s.n; i++) {
                vs[i] = -s.vs[i];
            }
            out.add(new EvalSeries(s.labels, s.dropName || vector, s.ts, vs, s.n));
        }
        return out;
    }

    // ---- storage access

    /**
     * Streams the raw samples of each selected series between two bounds (inclusive) to
     * {@code consumer}, one series at a time in a reused buffer: the consumer must copy what it keeps.
     * Only one series' samples are in memory at once, whatever the range.
     */
    void select(Expr.VectorSelector vs, long mint, long maxt, boolean dropStale,
            java.util.function.Consumer<EvalSeries> consumer) {
        select(vs, SelectHints.range(mint, maxt), dropStale, consumer);
    }

    /** Like {@link #select(Expr.VectorSelector, long, long, boolean, java.util.function.Consumer)}, with hints. */
    void select(Expr.VectorSelector vs, SelectHints hints, boolean dropStale,
            java.util.function.Consumer<EvalSeries> consumer) {
        long mint = hints.start();
        long maxt = hints.end();
        if (mint > maxt) {
            return;
        }
        try (Querier q = ctx.queryable.querier(mint, maxt)) {
            SeriesSet set = q.select(false, hints, vs.matchers().toArray(new LabelMatcher[0]));
            SampleIterator reuse = null;
            EvalSeries buf = new EvalSeries(Labels.empty(), false, 64);
            while (set.next()) {
                ctx.checkDeadline();
                ctx.selectedSeries();
                reuse = read(set.at(), mint, maxt, dropStale, buf, reuse);
                ctx.samplesLoaded += buf.n;
                ctx.hold(buf.n, "query execution");
                consumer.accept(buf);
            }
        } catch (StorageException e) {
            throw QueryException.execution("cannot read storage: " + e.getMessage());
        }
    }

    /**
     * Per-series work that may run on another thread: from one series' raw samples to a result, or null.
     * {@code spare} is null or a result of this transform that its consumer is done with: the transform may
     * refill it (see {@link EvalSeries#reuse}) instead of allocating.
     */
    interface SeriesTransform<R> {
        R apply(EvalSeries raw, EvalSeries spare);
    }

    /**
     * A consumer of series that is done with each when {@code accept} returns (it keeps its labels at most, never
     * its arrays or the object): the series' producer may then reuse it for a later series. An aggregation folding
     * series into its groups is one; a consumer collecting series into a list is not.
     */
    interface Folding extends java.util.function.Consumer<EvalSeries> {}

    /** Series handed to the workers at a time; results still reach the sink in storage order. */
    private static final int BATCH = 256;

    /**
     * Like {@link #select(Expr.VectorSelector, long, long, boolean, java.util.function.Consumer)}, but
     * decoding and {@code transform} run on the query workers when the query spans enough time to be
     * worth it (range queries, long windows); {@code sink} gets the non-null results one by one, in
     * storage order, on this thread. So results do not depend on the number of cores. With {@code recycle},
     * the sink keeps nothing of a result once {@code accept} returns, and a result that is an
     * {@link EvalSeries} comes back to {@code transform} as the spare of a later series: the transform
     * returns that spare refilled, a new object or null, never its raw input (a reused buffer) nor an
     * object shared with anything else.
     */
    <R> void selectMapped(Expr.VectorSelector vs, SelectHints hints, boolean dropStale,
            SeriesTransform<R> transform, java.util.function.Consumer<R> sink, boolean recycle) {
        long mint = hints.start();
        long maxt = hints.end();
        boolean parallel = QueryWorkers.PARALLELISM > 1 && (steps > 1 || maxt - mint > 3_600_000L);
        if (!parallel || mint > maxt) {
            EvalSeries[] spare = new EvalSeries[1];
            select(vs, hints, dropStale, raw -> {
                R r = transform.apply(raw, spare[0]);
                if (r != null) {
                    sink.accept(r);
                    if (recycle && r instanceof EvalSeries done) {
                        spare[0] = done;
                    }
                }
            });
            return;
        }
        try (Querier q = ctx.queryable.querier(mint, maxt)) {
            SeriesSet set = q.select(false, hints, vs.matchers().toArray(new LabelMatcher[0]));
            List<Series> batch = new ArrayList<>(BATCH);
            // Per slice, for the whole select: a raw buffer (grown to the longest series once, not once per
            // batch) and an iterator, reused series after series (transforms copy what they keep).
            EvalSeries[] raws = new EvalSeries[QueryWorkers.PARALLELISM];
            SampleIterator[] iterators = new SampleIterator[QueryWorkers.PARALLELISM];
            // For a consumer that keeps nothing: the result it got for item i of the last batch, refilled for
            // item i of the next one, so a select allocates one batch of results whatever its number of series.
            EvalSeries[] spare = recycle ? new EvalSeries[BATCH] : null;
            boolean more = true;
            while (more) {
                more = set.next();
                if (more) {
                    ctx.selectedSeries();
                    batch.add(set.at());
                }
                if (batch.size() == BATCH || (!more && !batch.isEmpty())) {
                    ctx.checkDeadline();
                    List<Series> work = List.copyOf(batch);
                    batch.clear();
                    Object[] results = new Object[work.size()];
                    int[] loaded = new int[work.size()];
                    QueryWorkers.run(work.size(), (slice, from, to) -> {
                        EvalSeries raw = raws[slice];
                        if (raw == null) {
                            raw = raws[slice] = new EvalSeries(Labels.empty(), false, 64);
                        }
                        for (int i = from; i < to; i++) {
                            ctx.checkDeadline();
                            iterators[slice] = read(work.get(i), mint, maxt, dropStale, raw, iterators[slice]);
                            loaded[i] = raw.n;
                            results[i] = transform.apply(raw, spare == null ? null : spare[i]);
                        }
                    });
                    for (int i = 0; i < results.length; i++) {
                        ctx.samplesLoaded += loaded[i];
                        ctx.hold(loaded[i], "query execution");
                        if (results[i] != null) {
                            @SuppressWarnings("unchecked")
                            R r = (R) results[i];
                            sink.accept(r);
                            if (spare != null && r instanceof EvalSeries done) {
                                spare[i] = done;
                            }
                        }
                    }
                }
            }
        } catch (StorageException e) {
            throw QueryException.execution("cannot read storage: " + e.getMessage());
        }
    }

    /** One series' samples in [mint, maxt], into {@code buf} (emptied first); returns the iterator, to reuse. */
    private static SampleIterator read(Series s, long mint, long maxt, boolean dropStale, EvalSeries buf,
            SampleIterator reuse) {
        buf.labels = s.labels();
        buf.resolutionMs = s.resolutionMs();
        buf.n = 0;
        buf.st = null;
        SampleIterator it = s.iterator(reuse);
        if (it.hasStartTimestamps()) {
            readWithStarts(it, mint, maxt, dropStale, buf);
            return it;
        }
        if (!it.seek(mint)) {
            return it;
        }
        long t0 = it.timestamp();
        if (t0 > maxt) {
            return it;
        }
        double v0 = it.value();
        if (!(dropStale && StaleNaN.is(v0))) {
            buf.add(t0, v0);
        }
        // The rest in batches straight into the buffer, then kept in place: up to maxt, stale markers dropped.
        while (true) {
            int from = buf.n;
            int want = buf.reserve(READ_BATCH);
            int got = it.nextBatch(buf.ts, buf.vs, from, want);
            long[] ts = buf.ts;
            double[] vs = buf.vs;
            int w = from;
            int end = from + got;
            int i = from;
            for (; i < end; i++) {
                long t = ts[i];
                if (t > maxt) {
                    break;
                }
                double v = vs[i];
                if (dropStale && StaleNaN.is(v)) {
                    continue;
                }
                ts[w] = t;
                vs[w] = v;
                w++;
            }
            buf.n = w;
            if (got < want || i < end) {
                return it;
            }
        }
    }

    /** As {@link #read}, for a series with start timestamps: sample by sample, each one's start time into buf.st. */
    private static void readWithStarts(SampleIterator it, long mint, long maxt, boolean dropStale, EvalSeries buf) {
        long[] st = buf.stSpare != null && buf.stSpare.length >= buf.ts.length ? buf.stSpare : new long[buf.ts.length];
        for (boolean more = it.seek(mint); more && it.timestamp() <= maxt; more = it.next()) {
            double v = it.value();
            if (dropStale && StaleNaN.is(v)) {
                continue;
            }
            long start = it.startTimestamp();
            buf.add(it.timestamp(), v);
            if (st.length < buf.ts.length) {
                st = java.util.Arrays.copyOf(st, buf.ts.length);
            }
            st[buf.n - 1] = start;
        }
        buf.st = st;
        buf.stSpare = st;
    }

    /** Samples read from storage per call while loading a series. */
    private static final int READ_BATCH = 512;

    /** Like {@link #select(Expr.VectorSelector, long, long, boolean, java.util.function.Consumer)}, keeping copies. */
    List<EvalSeries> selectAll(Expr.VectorSelector vs, long mint, long maxt, boolean dropStale) {
        List<EvalSeries> out = new ArrayList<>();
        long[] total = {0};
        select(vs, mint, maxt, dropStale, b -> {
            total[0] += b.n;
            ctx.hold(total[0], "query execution");
            out.add(new EvalSeries(b.labels, false, java.util.Arrays.copyOf(b.ts, b.n),
                    java.util.Arrays.copyOf(b.vs, b.n), b.n));
        });
        return out;
    }

    /** The time a selector reads at for step time {@code t}. */
    long refTime(long t, Expr.At at, long offsetMs) {
        return (at != null ? ctx.at(at) : t) - offsetMs;
    }

    /**
     * An instant vector selector at every step. With {@code sampleTimes}, values are the sampled
     * points' own timestamps in seconds (for {@code timestamp()}).
     */
    List<EvalSeries> vectorSelector(Expr.VectorSelector vs, boolean sampleTimes) {
        return vectorSelector(vs, sampleTimes ? Read.SAMPLE_TIMES : Read.VALUES);
    }

    /** What a vector selector's points say: the sampled values, their timestamps or their start times (seconds). */
    enum Read {
        VALUES, SAMPLE_TIMES, START_TIMES
    }

    /**
     * {@code start_timestamp(vs)}: at every step, the start time (in seconds; 0 where unknown) of the sample the
     * selector reads there, from storage that keeps start times (see {@code io.sightline.tsdb.StartTimes}).
     */
    List<EvalSeries> startTimes(Expr.VectorSelector vs) {
        return vectorSelector(vs, Read.START_TIMES);
    }

    private List<EvalSeries> vectorSelector(Expr.VectorSelector vs, Read read) {
        long offset = ctx.duration(vs.offset());
        long first = refTime(start, vs.at(), offset);
        long last = refTime(end, vs.at(), offset);
        if (vs.smoothed() && read != Read.START_TIMES) {
            return smoothedSelector(vs, offset, first, last);
        }
        List<EvalSeries> out = new ArrayList<>();
        long[] points = {0};
        vectorSelectorStream(vs, read, false, o -> {
            points[0] += o.n;
            ctx.hold(points[0], "query execution");
            out.add(o);
        });
        return out;
    }

    /**
     * An instant vector selector's series, handed over one at a time: each a new object the consumer may keep, unless
     * the consumer is {@link Folding}.
     */
    void vectorSelectorStream(Expr.VectorSelector vs, boolean sampleTimes, java.util.function.Consumer<EvalSeries> c) {
        vectorSelectorStream(vs, sampleTimes, false, c);
    }

    /**
     * As {@link #vectorSelectorStream(Expr.VectorSelector, boolean, java.util.function.Consumer)}; with
     * {@code presenceOnly} the points' values may be {@code 0} instead of theirs (see
     * {@link SelectHints#presenceOnly()}), for a caller that only counts them.
     */
    void vectorSelectorStream(Expr.VectorSelector vs, boolean sampleTimes, boolean presenceOnly,
            java.util.function.Consumer<EvalSeries> c) {
        vectorSelectorStream(vs, sampleTimes ? Read.SAMPLE_TIMES : Read.VALUES, presenceOnly, c);
    }

    private void vectorSelectorStream(Expr.VectorSelector vs, Read read, boolean presenceOnly,
            java.util.function.Consumer<EvalSeries> c) {
        boolean rawOnly = read != Read.VALUES; // times of raw samples: never rollups, never presence alone
        long offset = ctx.duration(vs.offset());
        long first = refTime(start, vs.at(), offset);
        long last = refTime(end, vs.at(), offset);
        if (vs.smoothed() && read != Read.START_TIMES) {
            smoothedSelector(vs, offset, first, last).forEach(c);
            return;
        }
        // A range query may read rollups of windows up to its step instead of raw samples; a series of
        // rollups is looked up over at least one window (one sample per window).
        long maxResolution = steps > 1 && !rawOnly ? ctx.maxResolution(interval) : 0;
        long mint = first - Math.max(ctx.lookbackMs, maxResolution) + 1;
        String func = switch (read) {
            case VALUES -> null;
            case SAMPLE_TIMES -> "timestamp";
            case START_TIMES -> "start_timestamp";
        };
        SelectHints hints = new SelectHints(mint, last, steps > 1 ? interval : 0, func, 0, List.of(), false,
                maxResolution, presenceOnly && !rawOnly);
        boolean presence = presenceOnly && !rawOnly;
        selectMapped(vs, hints, false, (l, spare) -> {
            long lookback = Math.max(ctx.lookbackMs, l.resolutionMs);
            if (presence) {
                return presentSteps(l, vs.at(), offset, lookback, spare);
            }
            EvalSeries s = EvalSeries.reuse(spare, l.labels, false, Math.min(steps, Math.max(l.n, 1)));
            int j = 0;
            for (int k = 0; k < steps; k++) {
                long t = stepTime(k);
                long ref = refTime(t, vs.at(), offset);
                while (j < l.n && l.ts[j] <= ref) {
                    j++;
                }
                int idx = j - 1;
                if (idx >= 0 && l.ts[idx] > ref - lookback && !StaleNaN.is(l.vs[idx])) {
                    s.add(t, switch (read) {
                        case VALUES -> l.vs[idx];
                        case SAMPLE_TIMES -> l.ts[idx] / 1000.0;
                        case START_TIMES -> l.st == null ? 0 : l.st[idx] / 1000.0;
                    });
                }
            }
            return s.n > 0 ? s : null;
        }, c, c instanceof Folding);
    }

    /** The steps at which a selector's series has a point (not a stale marker) within the lookback, as bits. */
    private EvalSeries presentSteps(EvalSeries l, Expr.At at, long offset, long lookback, EvalSeries spare) {
        long[] bits;
        if (spare != null && spare.present != null) {
            bits = spare.present;
            java.util.Arrays.fill(bits, 0);
        } else {
            bits = new long[(steps + 63) >>> 6];
        }
        long[] ts = l.ts;
        double[] vs = l.vs;
        int count = 0;
        int j = 0;
        for (int k = 0; k < steps; k++) {
            long ref = refTime(stepTime(k), at, offset);
            while (j < l.n && ts[j] <= ref) {
                j++;
            }
            int idx = j - 1;
            if (idx >= 0 && ts[idx] > ref - lookback && !StaleNaN.is(vs[idx])) {
                bits[k >>> 6] |= 1L << k;
                count++;
            }
        }
        if (count == 0) {
            return null;
        }
        if (spare != null && spare.present == bits) {
            spare.labels = l.labels;
            spare.n = count;
            return spare;
        }
        return EvalSeries.presence(l.labels, bits, count);
    }

    /**
     * The series of an instant-vector expression one at a time. Selectors and range functions are
     * computed series by series straight from storage, so an aggregation over them never holds all its
     * input; anything else is evaluated whole first.
     */
    void stream(Expr e, java.util.function.Consumer<EvalSeries> c) {
        stream(e, false, c);
    }

    /**
     * As {@link #stream(Expr, java.util.function.Consumer)}; with {@code presenceOnly} a selector's points may carry
     * {@code 0} instead of their values, for an aggregation that only counts them ({@code count}, {@code group}).
     * A {@link Folding} consumer may be handed the same object again, refilled.
     */
    void stream(Expr e, boolean presenceOnly, java.util.function.Consumer<EvalSeries> c) {
        if (e instanceof Expr.Paren p) {
            stream(p.expr(), presenceOnly, c);
        } else if (e instanceof Expr.VectorSelector vs) {
            vectorSelectorStream(vs, false, presenceOnly, c);
        } else if (e instanceof Expr.Call call && RangeEval.streams(call)) {
            RangeEval.stream(this, call, c);
        } else {
            eval(e).forEach(c);
        }
    }

    private List<EvalSeries> smoothedSelector(Expr.VectorSelector vs, long offset, long first, long last) {
        List<EvalSeries> out = new ArrayList<>();
        for (EvalSeries src : selectAll(vs, first - ctx.lookbackMs + 1, last + ctx.lookbackMs, true)) {
            EvalSeries s = new EvalSeries(src.labels, false, Math.min(steps, 16));
            for (int k = 0; k < steps; k++) {
                long t = stepTime(k);
                double v = ExtendedRanges.smoothedValue(src, refTime(t, vs.at(), offset), ctx.lookbackMs);
                if (!RangeFunctions.isNone(v)) {
                    s.add(t, v);
                }
            }
            if (s.n > 0) {
                out.add(s);
            }
        }
        return out;
    }

    // ---- range vectors (matrix selectors and subqueries)

    /**
     * The points behind a range-vector expression and how to find the window for a step:
     * {@code (ref - range, ref]} where {@code ref} is the step time, or the {@code @} time, minus the
     * offset. A matrix selector's series are streamed from storage one at a time (each in a reused
     * buffer: copy what you keep); a subquery's are already evaluated.
     */
    final class RangeSource {
        final long rangeMs;
        final long offsetMs;
        final Expr.At at;
        final Expr.RangeMode mode;
        private final List<EvalSeries> evaluated;
        private final Expr.VectorSelector selector;
        private final SelectHints hints;

        private RangeSource(long rangeMs, long offsetMs, Expr.At at, Expr.RangeMode mode, List<EvalSeries> evaluated,
                Expr.VectorSelector selector, SelectHints hints) {
            this.rangeMs = rangeMs;
            this.offsetMs = offsetMs;
            this.at = at;
            this.mode = mode;
            this.evaluated = evaluated;
            this.selector = selector;
            this.hints = hints;
        }

        void forEach(java.util.function.Consumer<EvalSeries> consumer) {
            if (evaluated != null) {
                evaluated.forEach(consumer);
            } else {
                select(selector, hints, true, consumer);
            }
        }

        /** {@code transform} per series (on the query workers when worth it), results to {@code sink} in order. */
        <R> void forEachMapped(SeriesTransform<R> transform, java.util.function.Consumer<R> sink, boolean recycle) {
            if (evaluated != null) {
                for (EvalSeries s : evaluated) {
                    R r = transform.apply(s, null);
                    if (r != null) {
                        sink.accept(r);
                    }
                }
            } else {
                selectMapped(selector, hints, true, transform, sink, recycle);
            }
        }
    }

    RangeSource rangeSource(Expr e) {
        return rangeSource(e, null);
    }

    /**
     * How many rollup windows a function's range must span at least: rates and derivatives need two
     * points in each range; aggregations over time read the one window's aggregate.
     */
    static int rollupsPerRange(String func) {
        return switch (func) {
            case "rate", "increase", "delta", "irate", "idelta", "deriv", "predict_linear" -> 2;
            default -> 1;
        };
    }

    /**
     * The range vector {@code e} as read by {@code func} (null: its raw points). A function that a
     * rollup answers may read rollups of windows as wide as its range allows ({@link #rollupsPerRange})
     * and no wider than the step of a range query, where the storage has them.
     */
    RangeSource rangeSource(Expr e, String func) {
        if (e instanceof Expr.Paren p) {
            return rangeSource(p.expr(), func);
        }
        if (e instanceof Expr.MatrixSelector ms) {
            Expr.VectorSelector vs = ms.selector();
            long range = ctx.duration(ms.range());
            if (range <= 0) {
                throw QueryException.execution("range must be greater than 0, got " + range + "ms");
            }
            long offset = ctx.duration(vs.offset());
            long first = refTime(start, vs.at(), offset);
            long last = refTime(end, vs.at(), offset);
            long mint = first - range + 1;
            long maxt = last;
            if (ms.mode() != Expr.RangeMode.PLAIN) {
                // The extended modes look one lookback further back (and, for smoothed, ahead) for
                // the samples they interpolate from.
                mint -= ctx.lookbackMs;
                if (ms.mode() == Expr.RangeMode.SMOOTHED) {
                    maxt += ctx.lookbackMs;
                }
            }
            long maxResolution = 0;
            if (func != null && ms.mode() == Expr.RangeMode.PLAIN) {
                maxResolution = ctx.maxResolution(Math.min(range / rollupsPerRange(func),
                        steps > 1 ? interval : Long.MAX_VALUE));
            }
            // count_over_time and present_over_time of raw samples count them, stale markers dropped, and never
            // look at a value: storage may skip decoding them. (Rollups, whose counts count_over_time sums, are
            // read with their values whatever the hints say.)
            boolean presenceOnly = ms.mode() == Expr.RangeMode.PLAIN
                    && ("count_over_time".equals(func) || "present_over_time".equals(func));
            SelectHints hints = new SelectHints(mint, maxt, steps > 1 ? interval : 0, func, range, List.of(), false,
                    maxResolution, presenceOnly);
            return new RangeSource(range, offset, vs.at(), ms.mode(), null, vs, hints);
        }
        if (e instanceof Expr.Subquery sq) {
            return subquery(sq);
        }
        throw new IllegalStateException("BUG: not a range vector: " + e);
    }

    private RangeSource subquery(Expr.Subquery sq) {
        long offset = ctx.duration(sq.offset());
        long range = ctx.duration(sq.range());
        long step = sq.step() == null ? ctx.options.defaultSubqueryStep().toMillis() : ctx.duration(sq.step());
        if (range <= 0) {
            throw QueryException.execution("subquery range must be greater than 0");
        }
        if (step <= 0) {
            throw QueryException.execution("subquery step must be greater than 0");
        }
        long outerFirst = refTime(start, sq.at(), offset);
        long outerLast = refTime(end, sq.at(), offset);
        long mint = outerFirst - range;
        long innerStart = step * (mint / step);
        if (innerStart <= mint) {
            innerStart += step;
        }
        List<EvalSeries> series;
        if (innerStart > outerLast) {
            series = List.of();
        } else {
            Evaluator inner = new Evaluator(ctx, innerStart, outerLast, step);
            series = inner.eval(sq.expr());
            for (EvalSeries s : series) {
                s.dropName = false;
            }
        }
        return new RangeSource(range, offset, sq.at(), Expr.RangeMode.PLAIN, series, null, null);
    }

    /** For an instant query of a range-vector expression: the raw points of each series in the window. */
    List<EvalSeries> rangeAtInstant(Expr e) {
        RangeSource src = rangeSource(e);
        long ref = refTime(start, src.at, src.offsetMs);
        List<EvalSeries> out = new ArrayList<>();
        long[] held = {0}; // the points of the result so far, all held until the answer is written
        if (src.mode != Expr.RangeMode.PLAIN) {
            src.forEach(s -> {
                EvalSeries w = ExtendedRanges.boundaryPoints(s, src.mode, ref - src.rangeMs, ref, ctx.lookbackMs);
                if (w != null) {
                    held[0] += w.n;
                    ctx.hold(held[0], "query execution");
                    out.add(w);
                }
            });
            return out;
        }
        src.forEach(s -> {
            int lo = s.ceil(ref - src.rangeMs + 1, 0);
            int hi = s.ceil(ref + 1, lo);
            if (hi > lo) {
                held[0] += hi - lo;
                ctx.hold(held[0], "query execution");
                EvalSeries w = new EvalSeries(s.labels, s.dropName, hi - lo);
                for (int i = lo; i < hi; i++) {
                    w.add(s.ts[i], s.vs[i]);
                }
                out.add(w);
            }
        });
        return out;
    }

    // ---- per-step evaluation of vector functions, aggregations and operators

    /** Computes the output vector of one step from the arguments' vectors at that step. */
    interface StepFunction {
        void apply(long t, int step, List<List<StepSample>> args, List<StepSample> out);
    }

    /**
     * Evaluates {@code fn} at each step over the already evaluated arguments, collecting its outputs
     * into series by label set. Two outputs with the same labels at one step are an error, as in
     * Prometheus. Output series keep the order in which they first appear.
     */
    List<EvalSeries> rangeEval(List<List<EvalSeries>> args, StepFunction fn) {
        int[][] cursors = new int[args.size()][];
        for (int a = 0; a < args.size(); a++) {
            cursors[a] = new int[args.get(a).size()];
        }
        Map<Labels, EvalSeries> outSeries = new LinkedHashMap<>();
        List<List<StepSample>> stepArgs = new ArrayList<>(args.size());
        for (int a = 0; a < args.size(); a++) {
            stepArgs.add(new ArrayList<>());
        }
        List<StepSample> out = new ArrayList<>();
        List<EvalSeries> extra = new ArrayList<>();
        for (int k = 0; k < steps; k++) {
            if ((k & 255) == 0) {
                ctx.checkDeadline();
            }
            long t = stepTime(k);
            for (int a = 0; a < args.size(); a++) {
                List<EvalSeries> arg = args.get(a);
                List<StepSample> vec = stepArgs.get(a);
                vec.clear();
                int[] cur = cursors[a];
                for (int si = 0; si < arg.size(); si++) {
                    EvalSeries s = arg.get(si);
                    int c = cur[si];
                    while (c < s.n && s.ts[c] < t) {
                        c++;
                    }
                    if (c < s.n && s.ts[c] == t) {
                        vec.add(new StepSample(s.labels, s.vs[c], s.dropName));
                        c++;
                    }
                    cur[si] = c;
                }
            }
            out.clear();
            fn.apply(t, k, stepArgs, out);
            for (StepSample smp : out) {
                EvalSeries s = outSeries.get(smp.labels);
                if (s == null) {
                    s = new EvalSeries(smp.labels, smp.dropName, Math.min(steps, 16));
                    outSeries.put(smp.labels, s);
                } else if (s.n > 0 && s.ts[s.n - 1] == t) {
                    if (steps > 1) {
                        throw QueryException.execution("vector cannot contain metrics with the same labelset");
                    }
                    // One step (instant): keep both, in order; cleanup decides once names are gone.
                    EvalSeries dup = new EvalSeries(smp.labels, smp.dropName, 1);
                    dup.add(t, smp.v);
                    extra.add(dup);
                    continue;
                }
                s.add(t, smp.v);
            }
        }
        List<EvalSeries> result = new ArrayList<>(outSeries.values());
        result.addAll(extra);
        return result;
    }
}
