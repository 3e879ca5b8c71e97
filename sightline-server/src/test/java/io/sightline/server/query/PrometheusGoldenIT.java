package io.sightline.server.query;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.server.DebianPrometheus;
import io.sightline.server.TestHttp;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import io.sightline.testkit.remotewrite.WriteRequestBuilder;
import io.sightline.tsdb.StaleNaN;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Golden comparison with Debian's Prometheus (2.42): the same remote_write requests go to both, then a
 * battery of instant and range queries runs through both HTTP APIs; label sets, timestamps and values
 * (1e-9 relative) must be identical.
 *
 * <p>Deliberate differences avoided by construction, because the corpus follows Prometheus 3 and Debian
 * ships 2.42: sample timestamps sit 3.5 s off the query grid, so 2.x's closed windows
 * ({@code [t-range, t]}) and 3.x's left-open ones ({@code (t-range, t]}) select the same samples;
 * functions 2.42 lacks (limitk, mad_over_time, anchored ranges...) are not in the battery;
 * {@code holt_winters} (2.x's name) is accepted by Sightline as an alias of
 * {@code double_exponential_smoothing}. Three differences are real and left out of the battery:
 * <ul>
 *   <li>rate/increase of a window that starts well before a counter's first sample: 3.x caps the
 *       extrapolation to the window start at half a sample interval before clamping it at the
 *       counter's zero point, 2.x clamps first (e.g. 0.3947/s here vs 0.4580/s in 2.42);
 *   <li>subquery and range windows whose start falls exactly on a point: 3.x leaves it out, 2.x keeps
 *       it, so subquery ranges here are 1 ms off the step grid;
 *   <li>topk/bottomk between equal values: both pick one of the tied series, not always the same one.
 * </ul>
 * Queries start 25 minutes into the data so no window reaches before the first samples.
 */
@Tag("slow")
class PrometheusGoldenIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static final List<String> QUERIES = List.of(
            "http_requests_total",
            "http_requests_total{code=~\"5..\"}",
            "http_requests_total{code = \"500\", method !~ \"p.*\"}",
            "http_requests_total{code!=\"200\", method=\"get\"}",
            "rate(http_requests_total[5m])",
            "irate(http_requests_total[5m])",
            "increase(http_requests_total[10m])",
            "sum by (code) (rate(http_requests_total[5m]))",
            "sum without (instance) (rate(http_requests_total[5m]))",
            "avg by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m]))",
            "sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m]))",
            "max by (instance) (temperature)",
            "min(temperature)",
            "count by (job) (up)",
            "count_values(\"value\", up)",
            "stddev(temperature)",
            "stdvar by (room) (temperature)",
            "quantile(0.9, temperature)",
            "topk(3, node_cpu_seconds_total)",
            "bottomk(2, temperature)",
            "group by (job) (up)",
            "histogram_quantile(0.9, sum by (le) (rate(latency_seconds_bucket[5m])))",
            "histogram_quantile(0.5, rate(latency_seconds_bucket[5m]))",
            "rate(latency_seconds_sum[5m]) / rate(latency_seconds_count[5m])",
            "http_requests_total / on(instance) group_left(version) build_info",
            "http_requests_total * ignoring(code, method) group_left build_info",
            "rate(http_requests_total{code=\"500\"}[5m]) / ignoring(code) rate(http_requests_total{code=\"200\"}[5m])",
            "temperature > 20",
            "temperature > bool 20",
            "20 < temperature",
            "up == 0",
            "up and on(instance) temperature",
            "temperature or up",
            "up unless on(instance) (temperature > 21)",
            "-temperature",
            "abs(temperature - 21)",
            "ceil(temperature) + floor(temperature) - round(temperature, 0.5)",
            "clamp(temperature, 19, 22)",
            "clamp_min(temperature, 20)",
            "exp(temperature / 10) + ln(abs(temperature)) + sqrt(abs(temperature))",
            "temperature % 3 + temperature ^ 2 + temperature atan2 3",
            "delta(temperature[10m])",
            "idelta(temperature[10m])",
            "deriv(temperature[10m])",
            "predict_linear(temperature[15m], 3600)",
            "holt_winters(temperature[15m], 0.5, 0.5)",
            "changes(up[30m])",
            "resets(http_requests_total[1h])",
            "avg_over_time(temperature[10m])",
            "sum_over_time(temperature[10m])",
            "min_over_time(temperature[10m]) + max_over_time(temperature[10m])",
            "count_over_time(up[10m])",
            "last_over_time(temperature[10m])",
            "quantile_over_time(0.75, temperature[30m])",
            "stddev_over_time(temperature[30m])",
            "present_over_time(up[5m])",
            "absent(nonexistent_metric{job=\"x\"})",
            "absent_over_time(up[5m])",
            "timestamp(temperature)",
            "time() - timestamp(up)",
            "label_replace(up, \"host\", \"$1\", \"instance\", \"i(.*)\")",
            "label_join(up, \"id\", \"-\", \"job\", \"instance\")",
            "vector(1) + scalar(count(up))",
            "max_over_time(rate(http_requests_total[5m])[20m1ms:1m])",
            "avg_over_time(temperature[30m1ms:2m] offset 5m)",
            "temperature offset 10m",
            "temperature offset -2m",
            "rate(http_requests_total[5m] offset 15m)",
            "sum(http_requests_total) by (method) > bool 1000",
            "sort_desc(sum by (instance) (http_requests_total))",
            "day_of_week() + hour() + minute() + month()",
            "1 + 2 * 3 ^ 2 - 4 / 2",
            "(temperature > 20) * on() group_left() vector(2)");

    @Test
    void sameDataSameAnswers_asPrometheus() throws Exception {
        long end = (System.currentTimeMillis() / 60_000) * 60_000 - 60_000;
        long start = end - 3_600_000;
        byte[] body = Snappy.compress(dataset(start, end));
        try (SightlineServer sightline = TestServers.start(null, tmp.resolve("sightline"), List.of());
                DebianPrometheus prometheus = DebianPrometheus.start(tmp, "global:\n  scrape_interval: 1m\n",
                        "--web.enable-remote-write-receiver")) {
            String prom = prometheus.url();
            assertThat(write(prom + "/api/v1/write", body)).as("Prometheus accepted the data").isEqualTo(204);
            assertThat(write(url(sightline, "/api/v1/write"), body)).as("Sightline accepted the data").isEqualTo(204);
            String ours = url(sightline, "");
            int compared = 0;
            List<String> mismatches = new ArrayList<>();
            for (String q : QUERIES) {
                for (long t : new long[] {start + 1_800_000, start + 2_707_000, end}) {
                    String params = "query=" + enc(q) + "&time=" + t / 1000.0;
                    compared += compare(prom, ours, "/api/v1/query?" + params, q + " @ " + t, mismatches);
                }
                String range = "query=" + enc(q) + "&start=" + (start + 1_500_000) / 1000.0 + "&end=" + end / 1000.0;
                compared += compare(prom, ours, "/api/v1/query_range?" + range + "&step=60", q + " range 60s",
                        mismatches);
                compared += compare(prom, ours, "/api/v1/query_range?" + range + "&step=37", q + " range 37s",
                        mismatches);
            }
            System.out.println("golden comparison with Prometheus 2.42: " + QUERIES.size() + " queries, "
                    + compared + " series compared, " + mismatches.size() + " mismatches");
            // Then seeded random expressions (RandomPromql), 30 minutes into the data and later.
            // -Dgolden.seed and -Dgolden.random run other or more of them.
            RandomPromql random = new RandomPromql(Long.getLong("golden.seed", 20261207));
            int randomCompared = 0;
            int randomQueries = Integer.getInteger("golden.random", 400);
            for (int i = 0; i < randomQueries; i++) {
                String q = random.next();
                for (long t : new long[] {start + 1_800_000, start + 2_707_000, end}) {
                    randomCompared += compare(prom, ours, "/api/v1/query?query=" + enc(q) + "&time=" + t / 1000.0,
                            q + " @ " + t, mismatches);
                }
                String step = i % 2 == 0 ? "60" : "37";
                randomCompared += compare(prom, ours, "/api/v1/query_range?query=" + enc(q) + "&start="
                        + (start + 1_800_000) / 1000.0 + "&end=" + end / 1000.0 + "&step=" + step,
                        q + " range " + step + "s", mismatches);
            }
            System.out.println("random expressions: " + randomQueries + ", " + randomCompared + " series compared");
            // Mutated expressions (one character deleted, doubled or inserted): both accept or both refuse.
            Random edits = new Random(Long.getLong("golden.seed", 20261207));
            int mutants = Integer.getInteger("golden.mutants", 0);
            for (int i = 0; i < mutants; i++) {
                String q = mutate(random.next(), edits);
                compare(prom, ours, "/api/v1/query?query=" + enc(q) + "&time=" + end / 1000.0, "mutant " + q,
                        mismatches);
            }
            // The same expressions written with other whitespace between their tokens, as people write them ({a="b"} as
            // { a = "b" }, x[5m:1m] as x[5m : 1m]): Prometheus's answers, and the status the expression had as written.
            Random spacing = new Random(Long.getLong("golden.seed", 20261207) + 1);
            int respaced = Integer.getInteger("golden.respaced", 200);
            int respacedChanged = 0;
            for (int i = 0; i < respaced; i++) {
                String written = random.next();
                String q = respace(written, spacing);
                String at = "&time=" + end / 1000.0;
                compare(prom, ours, "/api/v1/query?query=" + enc(q) + at, "respaced " + q, mismatches);
                int before = TestHttp.get(ours + "/api/v1/query?query=" + enc(written) + at).statusCode();
                int after = TestHttp.get(ours + "/api/v1/query?query=" + enc(q) + at).statusCode();
                if (before != after) {
                    mismatches.add("respaced " + q + ": status " + after + ", as written " + before + ": " + written);
                }
                respacedChanged += q.equals(written) ? 0 : 1;
            }
            System.out.println("respaced expressions: " + respaced + ", " + respacedChanged + " written differently");
            mismatches.forEach(m -> System.out.println("MISMATCH " + m));
            assertThat(mismatches).isEmpty();
            assertThat(respacedChanged).isGreaterThan(respaced * 9 / 10);
            assertThat(compared).isGreaterThan(QUERIES.size() * 3);
            assertThat(randomCompared).isGreaterThan(randomQueries);
        }
    }

    static final String INSERTS = "()[]{},=~!\"' +-*/^%@:.#`\\5s";

    /**
     * {@code q} with a space, tab or newline added or removed at random places between tokens: never inside a
     * string, a name, a number or duration, or a two-character operator.
     */
    static String respace(String q, Random rnd) {
        StringBuilder out = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < q.length(); i++) {
            char c = q.charAt(i);
            if (quote != 0) {
                out.append(c);
                if (c == '\\' && quote != '`' && i + 1 < q.length()) {
                    out.append(q.charAt(++i));
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            if (c == ' ' && rnd.nextInt(3) == 0 && i > 0 && i + 1 < q.length()
                    && !(isWordChar(q.charAt(i - 1)) && isWordChar(q.charAt(i + 1)))) {
                continue; // a space dropped where nothing joins
            }
            out.append(c);
            if (c == '"' || c == '\'' || c == '`') {
                quote = c;
                continue;
            }
            if (i + 1 < q.length() && rnd.nextInt(4) == 0) {
                char next = q.charAt(i + 1);
                boolean joins = isWordChar(c) && isWordChar(next);
                boolean operator = "=!<>".indexOf(c) >= 0 && (next == '=' || next == '~');
                if (!joins && !operator) {
                    out.append(switch (rnd.nextInt(3)) {
                        case 0 -> " ";
                        case 1 -> "\t";
                        default -> "\n";
                    });
                }
            }
        }
        return out.toString();
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == ':' || c == '.';
    }

    /** {@code q} with one character deleted, doubled, or a syntax character inserted. */
    static String mutate(String q, Random rnd) {
        int at = rnd.nextInt(q.length());
        return switch (rnd.nextInt(3)) {
            case 0 -> q.substring(0, at) + q.substring(at + 1);
            case 1 -> q.substring(0, at + 1) + q.substring(at);
            default -> q.substring(0, at) + INSERTS.charAt(rnd.nextInt(INSERTS.length())) + q.substring(at);
        };
    }

    /** One hour of 15 s samples, 3.5 s off the minute grid: counters with resets, gauges, a histogram, a gap, a stale marker. */
    static byte[] dataset(long start, long end) {
        WriteRequestBuilder b = new WriteRequestBuilder();
        Random rnd = new Random(42);
        int n = (int) ((end - start) / 15_000) + 1;
        long[] ts = new long[n];
        for (int i = 0; i < n; i++) {
            ts[i] = start + i * 15_000L + 3_500;
        }
        for (String instance : List.of("i1", "i2", "i3")) {
            for (String code : List.of("200", "500")) {
                for (String method : List.of("get", "post")) {
                    double[] vs = new double[n];
                    double v = rnd.nextInt(100);
                    for (int i = 0; i < n; i++) {
                        v += code.equals("200") ? rnd.nextInt(50) : rnd.nextInt(3);
                        if (instance.equals("i2") && i == n / 2) {
                            v = rnd.nextInt(5); // a counter reset
                        }
                        vs[i] = v;
                    }
                    b.series(sorted("__name__", "http_requests_total", "code", code, "instance", instance, "job", "api",
                            "method", method), ts, vs);
                }
            }
            for (String cpu : List.of("0", "1")) {
                for (String mode : List.of("idle", "user", "system")) {
                    double[] vs = new double[n];
                    double v = 1000;
                    for (int i = 0; i < n; i++) {
                        v += rnd.nextDouble() * 15;
                        vs[i] = v;
                    }
                    b.series(sorted("__name__", "node_cpu_seconds_total", "cpu", cpu, "instance", instance, "job", "node",
                            "mode", mode), ts, vs);
                }
            }
            double[] up = new double[n];
            for (int i = 0; i < n; i++) {
                up[i] = instance.equals("i3") && i > n - 20 && i < n - 10 ? 0 : 1;
            }
            b.series(sorted("__name__", "up", "instance", instance, "job", "api"), ts, up);
            b.series(sorted("__name__", "build_info", "instance", instance, "job", "api", "version", "1." + instance),
                    ts, fill(n, 1));
            double[] cum = new double[4];
            double[][] buckets = new double[4][n];
            double[] sum = new double[n];
            double[] count = new double[n];
            double s = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 5; k++) {
                    double obs = rnd.nextDouble() * 1.2;
                    s += obs;
                    double[] bounds = {0.1, 0.5, 1, Double.POSITIVE_INFINITY};
                    for (int j = 0; j < 4; j++) {
                        if (obs <= bounds[j]) {
                            cum[j]++;
                        }
                    }
                }
                for (int j = 0; j < 4; j++) {
                    buckets[j][i] = cum[j];
                }
                sum[i] = s;
                count[i] = cum[3];
            }
            String[] les = {"0.1", "0.5", "1", "+Inf"};
            for (int j = 0; j < 4; j++) {
                b.series(sorted("__name__", "latency_seconds_bucket", "instance", instance, "job", "api", "le", les[j]),
                        ts, buckets[j]);
            }
            b.series(sorted("__name__", "latency_seconds_sum", "instance", instance, "job", "api"), ts, sum);
            b.series(sorted("__name__", "latency_seconds_count", "instance", instance, "job", "api"), ts, count);
        }
        for (String room : List.of("kitchen", "hall", "cellar")) {
            List<Long> t = new ArrayList<>();
            List<Double> v = new ArrayList<>();
            double x = room.equals("cellar") ? 15 : 21;
            for (int i = 0; i < n; i++) {
                x += rnd.nextGaussian() * 0.3;
                if (room.equals("hall") && i > 100 && i < 120) {
                    continue; // a gap longer than the lookback delta
                }
                t.add(ts[i]);
                v.add(room.equals("kitchen") && i == n - 30 ? StaleNaN.VALUE : Math.round(x * 100) / 100.0);
            }
            b.series(sorted("__name__", "temperature", "room", room), t.stream().mapToLong(Long::longValue).toArray(),
                    v.stream().mapToDouble(Double::doubleValue).toArray());
        }
        return b.build();
    }

    static double[] fill(int n, double v) {
        double[] out = new double[n];
        Arrays.fill(out, v);
        return out;
    }

    /** Label pairs sorted by name, as remote-write senders send them. */
    static String[] sorted(String... pairs) {
        TreeMap<String, String> m = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        List<String> out = new ArrayList<>();
        m.forEach((k, v) -> {
            out.add(k);
            out.add(v);
        });
        return out.toArray(new String[0]);
    }

    static int write(String url, byte[] body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy").header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<String> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Compares one request's results; returns how many series were compared. */
    static int compare(String prom, String ours, String path, String what, List<String> mismatches) throws Exception {
        JsonNode a = JSON.readTree(TestHttp.get(prom + path).body());
        JsonNode b = JSON.readTree(TestHttp.get(ours + path).body());
        if (!a.path("status").asText().equals(b.path("status").asText())) {
            mismatches.add(what + ": status " + a.path("status") + " vs " + b.path("status") + ": " + b);
            return 0;
        }
        if (!"success".equals(a.path("status").asText())) {
            if (!a.path("errorType").equals(b.path("errorType"))) {
                mismatches.add(what + ": errorType " + a.path("errorType") + " vs " + b.path("errorType") + ": "
                        + a.path("error") + " | " + b.path("error"));
            }
            return 0;
        }
        return compareData(a.path("data"), b.path("data"), what, mismatches);
    }

    /** Compares two query results' {@code data}; returns how many series were compared. */
    static int compareData(JsonNode a, JsonNode b, String what, List<String> mismatches) {
        String ta = a.path("resultType").asText();
        String tb = b.path("resultType").asText();
        if (!ta.equals(tb)) {
            mismatches.add(what + ": result type " + ta + " vs " + tb);
            return 0;
        }
        Map<String, List<double[]>> ra = canonical(a);
        Map<String, List<double[]>> rb = canonical(b);
        if (!ra.keySet().equals(rb.keySet())) {
            mismatches.add(what + ": series " + ra.keySet() + " vs " + rb.keySet());
            return 0;
        }
        for (String k : ra.keySet()) {
            List<double[]> pa = ra.get(k);
            List<double[]> pb = rb.get(k);
            if (pa.size() != pb.size()) {
                mismatches.add(what + ": " + k + " has " + pa.size() + " vs " + pb.size() + " points");
                continue;
            }
            for (int i = 0; i < pa.size(); i++) {
                if (pa.get(i)[0] != pb.get(i)[0] || !close(pa.get(i)[1], pb.get(i)[1])) {
                    mismatches.add(what + ": " + k + " point " + i + ": " + Arrays.toString(pa.get(i)) + " vs "
                            + Arrays.toString(pb.get(i)));
                    break;
                }
            }
        }
        return ra.size();
    }

    static boolean close(double x, double y) {
        if (Double.isNaN(x) || Double.isNaN(y)) {
            return Double.isNaN(x) && Double.isNaN(y);
        }
        if (x == y) {
            return true;
        }
        return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
    }

    static Map<String, List<double[]>> canonical(JsonNode data) {
        Map<String, List<double[]>> out = new TreeMap<>();
        JsonNode result = data.path("result");
        String type = data.path("resultType").asText();
        if (type.equals("string")) {
            out.put("string " + result.get(1).asText(), List.of(new double[] {result.get(0).asDouble(), 0}));
            return out;
        }
        if (type.equals("scalar")) {
            out.put("scalar", List.of(point(result)));
            return out;
        }
        for (JsonNode s : result) {
            TreeMap<String, String> labels = new TreeMap<>();
            s.path("metric").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
            List<double[]> points = new ArrayList<>();
            if (s.has("value")) {
                points.add(point(s.get("value")));
            } else {
                for (JsonNode v : s.path("values")) {
                    points.add(point(v));
                }
            }
            out.put(labels.toString(), points);
        }
        return out;
    }

    static double[] point(JsonNode v) {
        String s = v.get(1).asText();
        double d = switch (s) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
        return new double[] {v.get(0).asDouble(), d};
    }
}
