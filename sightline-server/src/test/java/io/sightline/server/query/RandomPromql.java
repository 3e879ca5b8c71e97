package io.sightline.server.query;

import java.util.List;
import java.util.Random;

/**
 * Seeded random PromQL over {@link PrometheusGoldenIT#dataset}'s metrics, for differential runs against
 * Prometheus. It stays clear of what 2.42 and 3.x answer differently on purpose (see that class): no
 * range reaches back into the data's first 5 minutes (one level of subqueries), subquery ranges are 1 ms
 * off the step grid, no {@code topk}/{@code bottomk} (ties), and no selector of several metric names:
 * Sightline removes names at
 * the end of evaluation as Prometheus 3's tests do ({@code promql-delayed-name-removal}), where 2.42
 * fails a function of such a selector with "vector cannot contain metrics with the same labelset".
 */
final class RandomPromql {
    private static final List<String> COUNTERS = List.of("http_requests_total", "http_requests_total{code=\"500\"}",
            "http_requests_total{method=~\"g.*\"}", "node_cpu_seconds_total{mode!=\"idle\"}",
            "node_cpu_seconds_total{cpu=\"1\"}", "latency_seconds_count", "latency_seconds_sum");
    private static final List<String> GAUGES = List.of("temperature", "temperature{room!=\"hall\"}", "up",
            "build_info", "up{instance=~\"i[12]\"}");
    private static final List<String> LABELS = List.of("instance", "job", "code", "method", "mode", "cpu", "room");
    private static final List<String> RANGES = List.of("1m", "2m", "5m", "10m");
    private static final List<String> COUNTER_FUNCTIONS = List.of("rate", "irate", "increase", "resets", "changes",
            "delta", "idelta", "deriv");
    private static final List<String> OVER_TIME = List.of("avg_over_time", "min_over_time", "max_over_time",
            "sum_over_time", "count_over_time", "last_over_time", "stddev_over_time", "stdvar_over_time",
            "present_over_time", "changes", "deriv");
    // No stddev/stdvar: over a NaN (sqrt(-1), ln(-1)...) alone in its group 2.42 answers 0, Prometheus 3 (its
    // test corpus, aggregators.test) and Sightline NaN. The fixed queries and the corpus cover them.
    private static final List<String> AGGREGATIONS = List.of("sum", "avg", "min", "max", "count", "group");
    // Not exp, sinh or cosh: Go's and Java's differ in the last bits of results as large as 1e12, which sin()
    // or % then turn into different answers (sin(sinh(x)): 0.7756743 against 0.7756731); the fixed queries
    // and the corpus test them.
    private static final List<String> MATH = List.of("abs", "ceil", "floor", "sqrt", "ln", "log2", "log10",
            "sgn", "timestamp", "-", "sin", "cos", "tan", "asin", "acos", "atan", "tanh", "asinh", "acosh",
            "atanh", "deg", "rad", "sort", "sort_desc", "absent");
    // Only of numbers: of NaN, Go's time arithmetic wraps around (year(NaN) is 292277026596 in 2.42);
    // Sightline answers NaN (docs/promql.md).
    private static final List<String> DATES = List.of("minute", "hour", "day_of_week", "day_of_month", "day_of_year",
            "days_in_month", "month", "year");
    private static final List<String> ARITHMETIC = List.of("+", "-", "*", "/", "%", "^");
    private static final List<String> COMPARISON = List.of("==", "!=", ">", "<", ">=", "<=");

    private final Random rnd;
    private boolean inSubquery;

    RandomPromql(long seed) {
        this.rnd = new Random(seed);
    }

    String next() {
        return vector(3);
    }

    private <T> T pick(List<T> l) {
        return l.get(rnd.nextInt(l.size()));
    }

    private String grouping() {
        StringBuilder sb = new StringBuilder(rnd.nextBoolean() ? " by (" : " without (");
        int n = rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 ? ", " : "").append(pick(LABELS));
        }
        return sb.append(") ").toString();
    }

    private String number() {
        return switch (rnd.nextInt(5)) {
            case 0 -> "0";
            case 1 -> "1";
            case 2 -> "2";
            case 3 -> "0.5";
            default -> Integer.toString(rnd.nextInt(1000));
        };
    }

    private String offset() {
        return switch (rnd.nextInt(8)) {
            case 0 -> " offset " + pick(List.of("1m", "5m", "-1m"));
            case 1 -> pick(List.of(" @ start()", " @ end()"));
            default -> "";
        };
    }

    String vector(int depth) {
        int choice = depth <= 0 ? rnd.nextInt(3) : rnd.nextInt(20);
        return switch (choice) {
            case 0 -> pick(GAUGES) + offset();
            case 1 -> pick(COUNTER_FUNCTIONS) + "(" + pick(COUNTERS) + "[" + pick(RANGES) + "]" + offset() + ")";
            case 2 -> pick(OVER_TIME) + "(" + pick(GAUGES) + "[" + pick(RANGES) + "]" + offset() + ")";
            case 3 -> pick(AGGREGATIONS) + grouping() + "(" + vector(depth - 1) + ")";
            case 4 -> "quantile" + grouping() + "(" + pick(List.of("0", "0.5", "0.9", "1")) + ", " + vector(depth - 1)
                    + ")";
            case 5 -> pick(MATH) + "(" + vector(depth - 1) + ")";
            case 6 -> vector(depth - 1) + " " + pick(ARITHMETIC) + " " + number();
            case 7 -> vector(depth - 1) + " " + pick(COMPARISON) + (rnd.nextBoolean() ? " bool " : " ") + number();
            case 8 -> binary(depth);
            case 9 -> "histogram_quantile(" + pick(List.of("0.5", "0.9", "0.99")) + ", sum by (le"
                    + (rnd.nextBoolean() ? ", instance" : "") + ") (rate(latency_seconds_bucket[" + pick(RANGES)
                    + "])))";
            case 10 -> subquery(depth);
            case 11 -> pick(List.of("clamp_min", "clamp_max")) + "(" + vector(depth - 1) + ", " + number() + ")";
            case 12 -> "clamp(" + vector(depth - 1) + ", " + number() + ", " + number() + ")";
            case 13 -> "round(" + vector(depth - 1) + (rnd.nextBoolean() ? ", " + pick(List.of("0.1", "5", "0.25"))
                    : "") + ")";
            case 14 -> "label_replace(" + vector(depth - 1) + ", \"" + pick(List.of("x", "instance", "job"))
                    + "\", \"" + pick(List.of("$1", "a-$1", "")) + "\", \"" + pick(LABELS) + "\", \""
                    + pick(List.of("(.*)", "i(.)", "(.+)x")) + "\")";
            case 15 -> switch (rnd.nextInt(3)) {
                case 0 -> "predict_linear(" + pick(GAUGES) + "[" + pick(RANGES) + "], " + pick(List.of("60", "-30"))
                        + ")";
                case 1 -> "holt_winters(" + pick(GAUGES) + "[" + pick(RANGES) + "], 0.5, " + pick(List.of("0.1",
                        "0.9")) + ")";
                default -> "quantile_over_time(" + pick(List.of("0.5", "0.99")) + ", " + pick(GAUGES) + "["
                        + pick(RANGES) + "])";
            };
            case 16 -> "count_values(\"v\", " + pick(List.of("up", "ceil(temperature)", "changes(up[10m])")) + ")";
            case 17 -> vector(depth - 1) + " " + pick(COMPARISON) + " bool " + "(" + vector(depth - 1) + ")";
            case 18 -> rnd.nextBoolean() ? pick(List.of("absent_over_time", "present_over_time")) + "("
                    + pick(GAUGES) + "[" + pick(RANGES) + "])"
                    : pick(DATES) + "(" + pick(List.of("", pick(GAUGES), "timestamp(" + pick(GAUGES) + ")",
                            "exp(round(changes(" + pick(COUNTERS) + "[10m])))", "-" + pick(GAUGES) + " * 1e9")) + ")";
            // Not % or ^: time() % x turns x's last-bit differences (2.42 averages without Kahan's
            // compensation) into differences of 1e-8 relative.
            default -> "vector(" + pick(List.of("time()", "scalar(" + vector(depth - 1) + ")", "1")) + ") "
                    + pick(List.of("+", "-", "*", "/")) + " " + vector(depth - 1);
        };
    }

    /**
     * One level of subqueries at most: with its 10 minutes, a 10-minute range and a 5-minute offset inside,
     * nothing reaches back past 25 minutes from the first evaluation, 30 minutes into the data.
     */
    private String subquery(int depth) {
        if (inSubquery) {
            return pick(GAUGES);
        }
        inSubquery = true;
        String inner = vector(depth - 1);
        inSubquery = false;
        return pick(List.of("max_over_time", "avg_over_time", "min_over_time", "count_over_time")) + "((" + inner
                + ")[" + pick(List.of("5m1ms", "10m1ms")) + ":" + pick(List.of("1m", "30s")) + "])";
    }

    private String binary(int depth) {
        String op = rnd.nextInt(3) == 0 ? pick(List.of("and", "or", "unless")) : pick(ARITHMETIC);
        String matching = switch (rnd.nextInt(4)) {
            case 0 -> "";
            case 1 -> " on (" + pick(LABELS) + ")";
            case 2 -> " ignoring (" + pick(LABELS) + ")";
            default -> op.length() <= 2 && !op.equals("or") ? " on (instance) group_left" : "";
        };
        return "(" + vector(depth - 1) + ") " + op + matching + " (" + vector(depth - 1) + ")";
    }
}
