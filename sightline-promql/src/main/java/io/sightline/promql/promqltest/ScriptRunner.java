package io.sightline.promql.promqltest;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.promql.ast.AstWalk;
import io.sightline.promql.ast.Expr;
import io.sightline.promql.engine.Engine;
import io.sightline.promql.engine.EngineOptions;
import io.sightline.promql.engine.QueryException;
import io.sightline.promql.engine.QueryResult;
import io.sightline.promql.parser.ParseException;
import io.sightline.promql.parser.Parser;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.StorageException;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.StartTimes;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.memory.MemoryStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Runs PromQL test scripts (Prometheus's {@code promqltest} format) against our engine over the
 * in-memory reference storage, with the settings Prometheus's own run assumes: lookback 5m, at most
 * 10,000 samples per query, 100 s timeout, subquery step 1m. Like upstream, every successful instant
 * eval is re-run with {@code @} pinned on its selectors at other evaluation times, and as a range
 * query whose middle step must give the same result.
 *
 * <p>Cases that need native histograms (expected histogram samples, or a query selecting series
 * loaded with histogram samples) are counted as skipped, with the reason.
 */
public final class ScriptRunner {

    private static final double EPSILON = 1e-6;
    private static final double MIN_NORMAL = Double.MIN_NORMAL;
    private static final Set<String> AT_UNSAFE = Set.of("days_in_month", "day_of_month", "day_of_week",
            "day_of_year", "hour", "minute", "month", "year", "predict_linear", "time", "timestamp", "start", "end",
            "range", "step");

    public record Failure(String file, int line, String expr, String message) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + expr + "\n    " + message.replace("\n", "\n    ");
        }
    }

    public record FileResult(String file, int passed, int failed, int skipped, List<Failure> failures,
            Map<String, Integer> skipReasons) {}

    private final Engine engine = new Engine(new EngineOptions(Duration.ofMinutes(5), Duration.ofMinutes(1), 10_000, 0,
            Duration.ofSeconds(100)));

    private Storage storage;
    private final List<Labels> histogramSeries = new ArrayList<>();

    public FileResult run(Path file) throws IOException {
        return run(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    public FileResult run(String name, String text) {
        TestScript script = TestScript.parse(text);
        reset();
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        List<Failure> failures = new ArrayList<>();
        Map<String, Integer> skipReasons = new HashMap<>();
        for (TestScript.Command c : script.commands) {
            if (c instanceof TestScript.Clear) {
                reset();
            } else if (c instanceof TestScript.Load l) {
                load(l);
            } else if (c instanceof TestScript.Eval e) {
                String skip = skipReason(e);
                if (skip != null) {
                    skipped++;
                    skipReasons.merge(skip, 1, Integer::sum);
                    continue;
                }
                String problem;
                try {
                    problem = eval(e);
                } catch (RuntimeException ex) {
                    problem = "unexpected " + ex;
                    java.io.StringWriter sw = new java.io.StringWriter();
                    ex.printStackTrace(new java.io.PrintWriter(sw));
                    problem += "\n" + sw.toString().lines().limit(8).reduce("", (a, b) -> a + "\n" + b);
                }
                if (problem == null) {
                    passed++;
                } else {
                    failed++;
                    failures.add(new Failure(name, e.line(), e.expr(), problem));
                }
            }
        }
        return new FileResult(name, passed, failed, skipped, failures, skipReasons);
    }

    private void reset() {
        if (storage != null) {
            try {
                storage.close();
            } catch (StorageException e) {
                throw new IllegalStateException("cannot close the in-memory store: " + e.getMessage(), e);
            }
        }
        // Scripts load series one after another from time 0, so nothing is "too old" here. Samples' start times
        // (lines "series@st ...") go to a companion store, as in the server's engine (see StartTimes).
        StorageOptions options = new StorageOptions(Long.MAX_VALUE / 4, StorageOptions.Limits.NONE);
        storage = StartTimes.storage(new MemoryStorage(options), new MemoryStorage(options));
        histogramSeries.clear();
    }

    private void load(TestScript.Load l) {
        // Like upstream, a series listed twice in one load keeps its last line.
        Map<Labels, TestScript.SeriesLine> lines = new java.util.LinkedHashMap<>();
        // A line "series@st offsets" gives the start time of each of the series' samples as an offset from its time.
        Map<Labels, List<Long>> startOffsets = new HashMap<>();
        for (TestScript.SeriesLine s : l.series()) {
            if (s.series().endsWith("@st")) {
                String series = s.series().substring(0, s.series().length() - 3);
                startOffsets.put(Parser.parseSeries(series), s.startOffsets());
                continue;
            }
            lines.put(Parser.parseSeries(s.series()), s);
        }
        Appender app = storage.appender();
        try {
            for (Map.Entry<Labels, TestScript.SeriesLine> entry : lines.entrySet()) {
                Labels labels = entry.getKey();
                TestScript.SeriesLine s = entry.getValue();
                List<Long> offsets = startOffsets.getOrDefault(labels, List.of());
                boolean hist = false;
                for (int i = 0; i < s.values().size(); i++) {
                    SeriesValues.Value v = s.values().get(i);
                    long t = i * l.intervalMs();
                    long st = i < offsets.size() && offsets.get(i) != null ? t + offsets.get(i) : 0;
                    if (v.histogram()) {
                        hist = true;
                    } else if (v.stale()) {
                        app.append(0, labels, st, t, StaleNaN.VALUE);
                    } else if (!v.omitted()) {
                        app.append(0, labels, st, t, v.v());
                    }
                }
                if (hist) {
                    histogramSeries.add(labels);
                }
                String metric = labels.metricName();
                if (l.withNhcb() && metric.endsWith("_bucket") && labels.has("le")) {
                    // load_with_nhcb also stores the classic histogram as a native one under the base name.
                    histogramSeries.add(labels.toBuilder().remove("le")
                            .set(Labels.METRIC_NAME, metric.substring(0, metric.length() - "_bucket".length()))
                            .build());
                }
            }
            app.commit();
        } catch (StorageException ex) {
            app.rollback();
            throw new IllegalStateException("line " + l.line() + ": cannot load: " + ex.getMessage(), ex);
        }
    }

    private String skipReason(TestScript.Eval e) {
        for (TestScript.SeriesLine s : e.expected()) {
            if (s.values().stream().anyMatch(SeriesValues.Value::histogram)) {
                return "expects native histogram samples";
            }
        }
        if (histogramSeries.isEmpty()) {
            return null;
        }
        Expr expr;
        try {
            expr = Parser.parse(e.expr());
        } catch (ParseException ex) {
            return null;
        }
        List<List<LabelMatcher>> selectors = new ArrayList<>();
        AstWalk.selectors(expr, selectors);
        for (List<LabelMatcher> ms : selectors) {
            for (Labels h : histogramSeries) {
                if (ms.stream().allMatch(m -> m.matches(h))) {
                    return "reads native histogram samples";
                }
            }
        }
        return null;
    }

    /** Runs one eval; returns null when it holds, else what went wrong. */
    private String eval(TestScript.Eval e) {
        boolean expectFail = e.expects("fail");
        Expr expr;
        QueryResult res;
        try {
            expr = Parser.parse(e.expr());
            res = e.range() ? engine.rangeQuery(storage, expr, e.expr(), e.startMs(), e.endMs(), e.stepMs())
                    : engine.instantQuery(storage, expr, e.expr(), e.atMs());
        } catch (ParseException | QueryException ex) {
            if (!expectFail) {
                return "query failed: " + ex.getMessage();
            }
            return checkFailure(e, ex);
        }
        if (expectFail) {
            return "expected the query to fail, but it returned " + describe(res.value());
        }
        String problem = checkAnnotations(e, res);
        if (problem != null) {
            return problem;
        }
        problem = compare(e, res.value(), e.range() ? e.startMs() : e.atMs());
        if (problem != null || e.range()) {
            return problem;
        }
        for (Map.Entry<Long, Expr> variant : atVariants(expr, e.atMs()).entrySet()) {
            QueryResult vr;
            try {
                vr = engine.instantQuery(storage, variant.getValue(), e.expr(), variant.getKey());
            } catch (ParseException | QueryException ex) {
                return "with @ " + e.atMs() / 1000.0 + " pinned, evaluated at " + variant.getKey() + "ms: " + ex.getMessage();
            }
            problem = compare(e, vr.value(), variant.getKey());
            if (problem != null) {
                return "with @ " + e.atMs() / 1000.0 + " pinned, evaluated at " + variant.getKey() + "ms: " + problem;
            }
        }
        return checkRangeMode(e, expr, res);
    }

    private String checkFailure(TestScript.Eval e, RuntimeException ex) {
        String full = ex.getMessage();
        String reason = ex instanceof ParseException pe ? pe.reason() : full;
        for (TestScript.Expect x : e.expects()) {
            if (!x.type().equals("fail") || x.matchType() == null) {
                continue;
            }
            boolean ok = x.matchType().equals("msg") ? x.text().equals(full) || x.text().equals(reason)
                    : Pattern.compile(x.text()).matcher(full).find();
            if (!ok) {
                return "expected failure " + x.matchType() + " \"" + x.text() + "\", got \"" + full + "\"";
            }
        }
        return null;
    }

    private String checkAnnotations(TestScript.Eval e, QueryResult res) {
        String p = checkAnnotationKind(e, "warn", res.annotations().warnings());
        return p != null ? p : checkAnnotationKind(e, "info", res.annotations().infos());
    }

    private String checkAnnotationKind(TestScript.Eval e, String kind, List<String> actual) {
        if (e.expects("no_" + kind) && !actual.isEmpty()) {
            return "expected no " + kind + " annotations, got " + actual;
        }
        List<TestScript.Expect> expects = e.expects().stream().filter(x -> x.type().equals(kind)).toList();
        if (expects.isEmpty()) {
            return null;
        }
        if (actual.isEmpty()) {
            return "expected " + kind + " annotations, got none";
        }
        Set<String> matched = new HashSet<>();
        for (TestScript.Expect x : expects) {
            boolean any = false;
            for (String a : actual) {
                if (x.matchType() == null || matches(x, a)) {
                    any = true;
                    matched.add(a);
                }
            }
            if (!any) {
                return "expected a " + kind + " annotation matching " + x.matchType() + " \"" + x.text() + "\", got "
                        + actual;
            }
        }
        for (String a : actual) {
            if (!matched.contains(a)) {
                return "unexpected " + kind + " annotation: " + a;
            }
        }
        return null;
    }

    private static boolean matches(TestScript.Expect x, String text) {
        return x.matchType().equals("msg") ? x.text().equals(text) : Pattern.compile(x.text()).matcher(text).find();
    }

    /** Upstream's re-runs with {@code @ t} pinned on every selector, at other evaluation times. */
    private Map<Long, Expr> atVariants(Expr expr, long t) {
        Map<Long, Expr> out = new java.util.LinkedHashMap<>();
        if (AstWalk.callsAny(expr, AT_UNSAFE)) {
            return out;
        }
        Expr pinned = AstWalk.pinAt(expr, t);
        long[] times = t == 0 ? new long[] {0, -1000, 1000} : new long[] {-10 * t, 0, t / 5, t, 10 * t};
        for (long et : times) {
            out.put(et, pinned);
        }
        return out;
    }

    /** Upstream's check that the same query as a range query t-1m..t+1m gives the instant result at t. */
    private String checkRangeMode(TestScript.Eval e, Expr expr, QueryResult instant) {
        if (e.expects("ordered") || instant.type() == io.sightline.promql.ast.ValueType.STRING
                || instant.type() == io.sightline.promql.ast.ValueType.MATRIX
                || AstWalk.callsAny(expr, Set.of("start", "end", "range", "step"))
                || e.expr().toLowerCase(java.util.Locale.ROOT).matches("(?s).*\\b(start|end|range|step)\\(\\s*\\).*")) {
            return null;
        }
        long t = e.atMs();
        QueryResult r;
        try {
            r = engine.rangeQuery(storage, expr, e.expr(), t - 60_000, t + 60_000, 60_000);
        } catch (ParseException | QueryException ex) {
            return "in range mode: " + ex.getMessage();
        }
        List<QueryResult.Sample> mid = new ArrayList<>();
        for (QueryResult.Series s : ((QueryResult.Matrix) r.value()).series()) {
            for (int i = 0; i < s.timestamps().length; i++) {
                if (s.timestamps()[i] == t) {
                    mid.add(new QueryResult.Sample(s.metric(), t, s.values()[i]));
                }
            }
        }
        QueryResult.Value v = instant.type() == io.sightline.promql.ast.ValueType.SCALAR
                ? new QueryResult.Scalar(t, mid.isEmpty() ? Double.NaN : mid.get(0).v())
                : new QueryResult.Vector(mid);
        String p = compare(e, v, t);
        return p == null ? null : "in range mode (middle step): " + p;
    }

    private String compare(TestScript.Eval e, QueryResult.Value value, long t) {
        if (value instanceof QueryResult.Str s) {
            if (e.expectedString() == null) {
                return "got string \"" + s.v() + "\", expected no string";
            }
            return e.expectedString().equals(s.v()) ? null
                    : "expected string \"" + e.expectedString() + "\", got \"" + s.v() + "\"";
        }
        if (e.expectedString() != null) {
            return "expected string \"" + e.expectedString() + "\", got " + describe(value);
        }
        if (value instanceof QueryResult.Scalar sc) {
            if (e.expected().size() != 1 || e.expected().get(0).values().size() != 1) {
                return "expected " + e.expected().size() + " result lines, got scalar " + sc.v();
            }
            double want = e.expected().get(0).values().get(0).v();
            return almostEqual(want, sc.v()) ? null : "expected scalar " + want + ", got " + sc.v();
        }
        if (value instanceof QueryResult.Vector vec) {
            if (e.rangeVector()) {
                return "expected a range vector, got " + describe(value);
            }
            return compareVector(e, vec.samples());
        }
        QueryResult.Matrix m = (QueryResult.Matrix) value;
        if (!e.range() && !e.rangeVector()) {
            return "got a range vector result for an instant query without \"expect range vector\"";
        }
        long start = e.range() ? e.startMs() : e.rvStart();
        long step = e.range() ? e.stepMs() : e.rvStep();
        return compareMatrix(e, m.series(), start, step);
    }

    private String compareVector(TestScript.Eval e, List<QueryResult.Sample> actual) {
        Map<Labels, Double> want = new java.util.LinkedHashMap<>();
        for (TestScript.SeriesLine l : e.expected()) {
            Labels labels = l.series().isEmpty() ? Labels.empty() : Parser.parseSeries(l.series());
            if (l.values().size() != 1) {
                return "line " + l.line() + ": an instant result takes one value per series";
            }
            want.put(labels, l.values().get(0).v());
        }
        if (actual.size() != want.size()) {
            return "expected " + want.size() + " samples, got " + actual.size() + ": " + actual;
        }
        List<Labels> order = new ArrayList<>(want.keySet());
        for (int i = 0; i < actual.size(); i++) {
            QueryResult.Sample s = actual.get(i);
            Double w = want.get(s.metric());
            if (w == null) {
                return "unexpected sample " + s.metric() + " " + s.v() + "; expected " + want;
            }
            if (e.expects("ordered") && !order.get(i).equals(s.metric())) {
                return "expected " + order.get(i) + " at position " + i + ", got " + s.metric();
            }
            if (!almostEqual(w, s.v())) {
                return "expected " + s.metric() + " = " + w + ", got " + s.v();
            }
        }
        return null;
    }

    private String compareMatrix(TestScript.Eval e, List<QueryResult.Series> actual, long start, long step) {
        Map<Labels, TestScript.SeriesLine> want = new java.util.LinkedHashMap<>();
        for (TestScript.SeriesLine l : e.expected()) {
            want.put(l.series().isEmpty() ? Labels.empty() : Parser.parseSeries(l.series()), l);
        }
        if (actual.size() != want.size()) {
            List<Labels> got = actual.stream().map(QueryResult.Series::metric).toList();
            return "expected " + want.size() + " series, got " + actual.size() + ": " + got;
        }
        for (QueryResult.Series s : actual) {
            TestScript.SeriesLine l = want.get(s.metric());
            if (l == null) {
                return "unexpected series " + s.metric() + "; expected " + want.keySet();
            }
            List<long[]> wantTs = new ArrayList<>();
            List<Double> wantVs = new ArrayList<>();
            for (int i = 0; i < l.values().size(); i++) {
                SeriesValues.Value v = l.values().get(i);
                if (!v.omitted()) {
                    wantTs.add(new long[] {start + i * step});
                    wantVs.add(v.stale() ? StaleNaN.VALUE : v.v());
                }
            }
            if (wantTs.size() != s.timestamps().length) {
                return "series " + s.metric() + ": expected " + wantTs.size() + " points, got "
                        + s.timestamps().length + ": " + pointsText(s);
            }
            for (int i = 0; i < wantTs.size(); i++) {
                if (wantTs.get(i)[0] != s.timestamps()[i] || !almostEqual(wantVs.get(i), s.values()[i])) {
                    return "series " + s.metric() + ": expected " + wantVs.get(i) + " @" + wantTs.get(i)[0]
                            + " at point " + i + ", got " + pointsText(s);
                }
            }
        }
        return null;
    }

    private static String pointsText(QueryResult.Series s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.timestamps().length; i++) {
            sb.append(s.values()[i]).append('@').append(s.timestamps()[i]).append(' ');
        }
        return sb.toString().strip();
    }

    private static String describe(QueryResult.Value v) {
        if (v instanceof QueryResult.Scalar s) {
            return "scalar " + s.v();
        }
        if (v instanceof QueryResult.Str s) {
            return "string \"" + s.v() + "\"";
        }
        if (v instanceof QueryResult.Vector vec) {
            return "vector " + vec.samples();
        }
        return "matrix of " + ((QueryResult.Matrix) v).series().size() + " series";
    }

    /** Prometheus's almost.Equal with the test tolerance; NaN equals NaN, a stale marker only itself. */
    static boolean almostEqual(double a, double b) {
        if (StaleNaN.is(a) || StaleNaN.is(b)) {
            return StaleNaN.is(a) && StaleNaN.is(b);
        }
        if (Double.isNaN(a) && Double.isNaN(b)) {
            return true;
        }
        if (a == b) {
            return true;
        }
        double absSum = Math.abs(a) + Math.abs(b);
        double diff = Math.abs(a - b);
        if (a == 0 || b == 0 || absSum < MIN_NORMAL) {
            return diff < EPSILON * MIN_NORMAL;
        }
        return diff / Math.min(absSum, Double.MAX_VALUE) < EPSILON;
    }
}
