package io.sightline.promql.engine;

import io.sightline.promql.ast.DurationExpr;
import io.sightline.promql.ast.Expr;
import io.sightline.tsdb.Queryable;

/**
 * What every evaluator of one query shares: the storage, the query's own start, end and step
 * (for {@code @ start()}, {@code step()}...), limits and the annotations being collected.
 * Single-threaded, like the query.
 */
final class QueryContext {

    final Queryable queryable;
    final EngineOptions options;
    final Annotations annotations;
    final long queryStart;
    final long queryEnd;
    final long queryStep;
    final long lookbackMs;
    private final long deadlineNanos;
    long samplesLoaded;
    long peakSamples;
    long seriesSelected;

    QueryContext(Queryable queryable, EngineOptions options, Annotations annotations, long queryStart,
            long queryEnd, long queryStep) {
        this.queryable = queryable;
        this.options = options;
        this.annotations = annotations;
        this.queryStart = queryStart;
        this.queryEnd = queryEnd;
        this.queryStep = queryStep;
        this.lookbackMs = options.lookbackDelta().toMillis();
        this.deadlineNanos = options.timeout().isZero() ? Long.MAX_VALUE
                : options.timeout().isNegative() ? Long.MIN_VALUE : System.nanoTime() + options.timeout().toNanos();
    }

    /** The widest rollup window a selector may read when its step and range allow {@code wanted}. */
    long maxResolution(long wanted) {
        return Math.max(0, Math.min(wanted, options.maxSourceResolutionMs()));
    }

    /** Offsets and ranges beyond this (about 100,000 years) are refused rather than overflow time arithmetic. */
    static final long MAX_DURATION_MS = 3_153_600_000_000_000L;

    long duration(DurationExpr d) {
        if (d == null) {
            return 0;
        }
        double seconds = d.seconds(queryStep, queryEnd - queryStart);
        if (Double.isNaN(seconds) || Math.abs(seconds * 1000.0) > MAX_DURATION_MS) {
            throw new QueryException(QueryException.Kind.BAD_DATA, "duration is out of range: " + seconds + "s");
        }
        return Math.round(seconds * 1000.0);
    }

    /** The pinned evaluation time of an {@code @} modifier, in milliseconds. */
    long at(Expr.At at) {
        return switch (at.kind()) {
            case START -> queryStart;
            case END -> queryEnd;
            case TIMESTAMP -> at.timestampMs();
        };
    }

    /** Before evaluation: a query whose time is already up does not start. */
    void checkStart() {
        if (System.nanoTime() > deadlineNanos) {
            throw new QueryException(QueryException.Kind.TIMEOUT, "query timed out in query execution");
        }
    }

    void checkDeadline() {
        if (System.nanoTime() > deadlineNanos) {
            throw new QueryException(QueryException.Kind.TIMEOUT, "query timed out in expression evaluation");
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new QueryException(QueryException.Kind.CANCELED, "query was canceled in expression evaluation");
        }
    }

    /** Counts a series read from storage against the per-query series limit. */
    void selectedSeries() {
        seriesSelected++;
        if (options.maxSeries() > 0 && seriesSelected > options.maxSeries()) {
            throw new QueryException(QueryException.Kind.TOO_LARGE, "query selects more than " + options.maxSeries()
                    + " series; narrow the selectors or raise query.max_series");
        }
    }

    /** Accounts for {@code n} samples held at once by one step of evaluation. */
    void hold(long n, String where) {
        if (n > peakSamples) {
            peakSamples = n;
        }
        if (options.maxSamples() > 0 && n > options.maxSamples()) {
            throw new QueryException(QueryException.Kind.TOO_LARGE,
                    "query processing would load too many samples into memory in " + where);
        }
    }
}
