package io.sightline.promql.engine;

import io.sightline.common.Labels;
import io.sightline.promql.ast.Expr;
import io.sightline.promql.ast.ValueType;
import io.sightline.promql.parser.Parser;
import io.sightline.tsdb.Queryable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Runs PromQL queries against a {@link Queryable}, with Prometheus 3 semantics (left-open windows,
 * delayed removal of metric names). Thread-safe and stateless apart from its options: each query
 * gets its own evaluator.
 */
public final class Engine {

    private final EngineOptions options;

    public Engine(EngineOptions options) {
        this.options = options;
    }

    public EngineOptions options() {
        return options;
    }

    /** Parses and evaluates {@code query} at {@code timeMs}. Throws ParseException or QueryException. */
    public QueryResult instantQuery(Queryable storage, String query, long timeMs) {
        return instantQuery(storage, Parser.parse(query), query, timeMs);
    }

    public QueryResult instantQuery(Queryable storage, Expr expr, String queryText, long timeMs) {
        try {
            return instant(storage, expr, queryText, timeMs);
        } catch (io.sightline.common.LabelMatcher.MatchTooExpensive e) {
            throw QueryException.execution(e.getMessage());
        }
    }

    private QueryResult instant(Queryable storage, Expr expr, String queryText, long timeMs) {
        long began = System.nanoTime();
        Annotations ann = new Annotations(queryText);
        QueryContext ctx = new QueryContext(storage, options, ann, timeMs, timeMs, 0);
        ctx.checkStart();
        Evaluator ev = new Evaluator(ctx, timeMs, timeMs, 1);
        QueryResult.Value value;
        Expr inner = unwrap(expr);
        long[] sortNanos = {0};
        if (expr.type() == ValueType.STRING) {
            value = new QueryResult.Str(timeMs, ((Expr.StringLiteral) inner).value());
        } else if (expr.type() == ValueType.MATRIX) {
            List<EvalSeries> series = cleanup(ev.rangeAtInstant(expr));
            value = toMatrix(series, sortNanos);
        } else if (expr.type() == ValueType.SCALAR) {
            List<EvalSeries> series = ev.eval(expr);
            double v = series.isEmpty() || series.get(0).n == 0 ? Double.NaN : series.get(0).vs[0];
            value = new QueryResult.Scalar(timeMs, v);
        } else {
            List<EvalSeries> series = cleanup(ev.eval(expr));
            List<QueryResult.Sample> samples = new ArrayList<>(series.size());
            for (EvalSeries s : series) {
                if (s.n > 0) {
                    samples.add(new QueryResult.Sample(s.labels, s.ts[0], s.vs[0]));
                }
            }
            value = new QueryResult.Vector(samples);
        }
        return new QueryResult(value, ann, new QueryResult.Stats(ctx.samplesLoaded, ctx.peakSamples,
                System.nanoTime() - began, sortNanos[0], 0));
    }

    public QueryResult rangeQuery(Queryable storage, String query, long startMs, long endMs, long stepMs) {
        return rangeQuery(storage, Parser.parse(query), query, startMs, endMs, stepMs);
    }

    public QueryResult rangeQuery(Queryable storage, Expr expr, String queryText, long startMs, long endMs,
            long stepMs) {
        if (stepMs <= 0) {
            throw new QueryException(QueryException.Kind.BAD_DATA,
                    "zero or negative query resolution step widths are not accepted. Try a positive integer");
        }
        if (endMs < startMs) {
            throw new QueryException(QueryException.Kind.BAD_DATA, "end timestamp must not be before start time");
        }
        if (expr.type() != ValueType.SCALAR && expr.type() != ValueType.VECTOR) {
            throw new QueryException(QueryException.Kind.BAD_DATA, "invalid expression type \""
                    + expr.type().text() + "\" for range query, must be Scalar or instant Vector");
        }
        long began = System.nanoTime();
        Annotations ann = new Annotations(queryText);
        QueryContext ctx = new QueryContext(storage, options, ann, startMs, endMs, stepMs);
        ctx.checkStart();
        Evaluator ev = new Evaluator(ctx, startMs, endMs, stepMs);
        List<EvalSeries> series;
        try {
            series = cleanup(ev.eval(expr));
        } catch (io.sightline.common.LabelMatcher.MatchTooExpensive e) {
            throw QueryException.execution(e.getMessage());
        }
        long[] sortNanos = {0};
        QueryResult.Matrix m = toMatrix(series, sortNanos);
        return new QueryResult(m, ann, new QueryResult.Stats(ctx.samplesLoaded, ctx.peakSamples,
                System.nanoTime() - began, sortNanos[0], 0));
    }

    private static Expr unwrap(Expr e) {
        while (e instanceof Expr.Paren p) {
            e = p.expr();
        }
        return e;
    }

    /** Removes names marked for removal; two series left with one label set is an error, as in Prometheus. */
    static List<EvalSeries> cleanup(List<EvalSeries> series) {
        boolean any = false;
        for (EvalSeries s : series) {
            if (s.dropName && s.labels.has(Labels.METRIC_NAME)) {
                any = true;
                break;
            }
        }
        if (!any) {
            return mergeSameLabels(series);
        }
        List<EvalSeries> renamed = new ArrayList<>(series.size());
        for (EvalSeries s : series) {
            Labels l = s.dropName ? s.labels.toBuilder().remove(Labels.METRIC_NAME).build() : s.labels;
            renamed.add(new EvalSeries(l, false, s.ts, s.vs, s.n));
        }
        return mergeSameLabels(renamed);
    }

    /**
     * Merges series that share a label set into one (points in time order), as Prometheus does after
     * names are removed or labels rewritten; two points at one time cannot be merged and fail the query.
     */
    static List<EvalSeries> mergeSameLabels(List<EvalSeries> series) {
        java.util.Map<Labels, EvalSeries> merged = new java.util.LinkedHashMap<>();
        boolean any = false;
        for (EvalSeries s : series) {
            EvalSeries prev = merged.get(s.labels);
            if (prev == null) {
                merged.put(s.labels, s);
                continue;
            }
            any = true;
            java.util.TreeMap<Long, Double> points = new java.util.TreeMap<>();
            for (EvalSeries x : List.of(prev, s)) {
                for (int i = 0; i < x.n; i++) {
                    if (points.put(x.ts[i], x.vs[i]) != null) {
                        throw QueryException.execution("vector cannot contain metrics with the same labelset");
                    }
                }
            }
            EvalSeries m = new EvalSeries(s.labels, prev.dropName && s.dropName, points.size());
            points.forEach(m::add);
            merged.put(s.labels, m);
        }
        return any ? new ArrayList<>(merged.values()) : series;
    }

    /** The series with points, ordered by labels; the time the ordering took into {@code sortNanos[0]}. */
    private static QueryResult.Matrix toMatrix(List<EvalSeries> series, long[] sortNanos) {
        List<QueryResult.Series> out = new ArrayList<>(series.size());
        for (EvalSeries s : series) {
            if (s.n > 0) {
                out.add(new QueryResult.Series(s.labels, java.util.Arrays.copyOf(s.ts, s.n),
                        java.util.Arrays.copyOf(s.vs, s.n)));
            }
        }
        long began = System.nanoTime();
        out.sort(Comparator.comparing(QueryResult.Series::metric));
        sortNanos[0] = System.nanoTime() - began;
        return new QueryResult.Matrix(out);
    }
}
