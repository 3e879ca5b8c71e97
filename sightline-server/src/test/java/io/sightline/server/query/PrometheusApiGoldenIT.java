package io.sightline.server.query;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.server.DebianPrometheus;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * The HTTP API around the queries, compared with Debian's Prometheus (2.42) on the same data as
 * {@link PrometheusGoldenIT}: for each request, the HTTP status, the body's {@code status} and
 * {@code errorType}, and the data (series and label listings, query results, federation's samples) must be
 * the same. Error messages are not compared: Prometheus's own differ between versions.
 */
@Tag("slow")
class PrometheusApiGoldenIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    @Test
    void sameRequestsSameAnswers_asPrometheus() throws Exception {
        long end = (System.currentTimeMillis() / 60_000) * 60_000 - 60_000;
        long start = end - 3_600_000;
        byte[] body = Snappy.compress(PrometheusGoldenIT.dataset(start, end));
        try (SightlineServer sightline = TestServers.start(null, tmp.resolve("sightline"), List.of());
                DebianPrometheus prometheus = DebianPrometheus.start(tmp, "global:\n  scrape_interval: 1m\n",
                        "--web.enable-remote-write-receiver")) {
            String prom = prometheus.url();
            String ours = url(sightline, "");
            assertThat(PrometheusGoldenIT.write(prom + "/api/v1/write", body)).isEqualTo(204);
            assertThat(PrometheusGoldenIT.write(ours + "/api/v1/write", body)).isEqualTo(204);
            String s = String.valueOf((start + 600_000) / 1000.0);
            String e = String.valueOf(end / 1000.0);
            String mid = String.valueOf((start + 1_800_000) / 1000.0);
            List<String> cases = List.of(
                    // listings
                    "GET /api/v1/series?match[]=up",
                    "GET /api/v1/series?match[]=up&match[]=temperature{room=~\"k.*\"}",
                    "GET /api/v1/series?match[]={job=\"api\",__name__=~\"latency.*\"}&start=" + s + "&end=" + e,
                    "GET /api/v1/series?match[]=nonexistent",
                    "POST /api/v1/series -d match[]=build_info&match[]=up{instance=\"i1\"}",
                    "GET /api/v1/labels",
                    "GET /api/v1/labels?match[]=temperature",
                    "GET /api/v1/labels?match[]=up&match[]=build_info&start=" + s + "&end=" + e,
                    "POST /api/v1/labels -d match[]=latency_seconds_bucket",
                    "GET /api/v1/label/__name__/values",
                    "GET /api/v1/label/job/values",
                    "GET /api/v1/label/le/values?match[]=latency_seconds_bucket{instance=\"i2\"}",
                    "GET /api/v1/label/room/values?start=" + s + "&end=" + e,
                    "GET /api/v1/label/nonexistent/values",
                    // query parameters in their other forms
                    "GET /api/v1/query?query=up&time=" + mid,
                    "POST /api/v1/query -d query=up&time=" + mid,
                    "GET /api/v1/query?query=1%2B1&time=" + mid,
                    "GET /api/v1/query?query=%22text%22&time=" + mid,
                    "GET /api/v1/query?query=up[5m]&time=" + mid,
                    "GET /api/v1/query?query=up&time=" + iso(start + 1_800_000),
                    "GET /api/v1/query?query=temperature&time=" + mid + "&timeout=10s",
                    "GET /api/v1/query_range?query=up&start=" + s + "&end=" + e + "&step=5m",
                    "GET /api/v1/query_range?query=up&start=" + s + "&end=" + e + "&step=90.5",
                    "GET /api/v1/query_range?query=up&start=" + iso(start + 600_000) + "&end=" + iso(end)
                            + "&step=1m",
                    "POST /api/v1/query_range -d query=sum(up)&start=" + s + "&end=" + e + "&step=120",
                    "GET /api/v1/query_range?query=time()&start=" + s + "&end=" + e + "&step=10m",
                    "GET /api/v1/query?query=up%20@%20" + mid + "&time=" + e,
                    "GET /api/v1/query?query=up%20@%20start()&time=" + mid,
                    "GET /api/v1/query_range?query=temperature%20@%20end()&start=" + s + "&end=" + e + "&step=300",
                    "GET /api/v1/query?query=up&time=" + mid.replace(".0", ".123"),
                    "GET /api/v1/query?query=up&query=temperature&time=" + mid,
                    "POST /api/v1/query?query=temperature -d query=up&time=" + mid,
                    "GET /api/v1/query_range?query=up&start=" + s + "&end=" + e + "&step=1m30s",
                    "GET /api/v1/query?query=up&time=1e9",
                    "GET /api/v1/query?query=up&time=" + mid + "&timeout=0s",
                    "GET /api/v1/format_query?query=sum(up)by(job)%2Bon(job)group_left%20count(temperature)",
                    "GET /api/v1/metadata",
                    "GET /api/v1/metadata?metric=up&limit=1",
                    "GET /api/v1/rules",
                    "GET /api/v1/alerts",
                    "GET /api/v1/query_exemplars?query=up&start=" + s + "&end=" + e,
                    "GET /api/v1/query_exemplars?query=1%2B1&start=" + s + "&end=" + e,
                    // the same fields, whatever their values
                    "SHAPE /api/v1/status/buildinfo",
                    "SHAPE /api/v1/status/runtimeinfo",
                    "SHAPE /api/v1/status/tsdb = /data/headStats/numSeries,/data/seriesCountByMetricName,"
                            + "/data/labelValueCountByLabelName,/data/seriesCountByLabelValuePair",
                    // The counts differ by design (docs/promql.md): Sightline counts the samples read.
                    "SHAPE /api/v1/query?query=rate(http_requests_total[5m])&time=" + mid + "&stats=all",
                    "SHAPE /api/v1/query_range?query=up&start=" + s + "&end=" + e + "&step=60&stats=all",
                    // bad requests
                    "GET /api/v1/format_query?query=sum(",
                    "GET /api/v1/series?match[]={job!=\"x\"}",
                    "GET /api/v1/series?match[]={__name__=\"\"}",
                    "GET /api/v1/series?match[]=rate(up[5m])",
                    "GET /api/v1/query_range?query=up&start=0&end=1e20&step=1e18",
                    "GET /api/v1/query",
                    "GET /api/v1/query?query=",
                    "GET /api/v1/query?query=up{",
                    "GET /api/v1/query?query=sum(up",
                    "GET /api/v1/query?query=rate(up)",
                    "GET /api/v1/query?query=up&time=yesterday",
                    "GET /api/v1/query?query=up&timeout=soon",
                    "GET /api/v1/query?query=up[5m:1m:1m]",
                    "GET /api/v1/query?query={}",
                    "GET /api/v1/query?query={job=~\".*\"}",
                    "GET /api/v1/query?query=up%20%2B%20on()%20build_info&time=" + mid,
                    "GET /api/v1/query?query=label_replace(up,%22x%22,%22$1%22,%22instance%22,%22(%22)",
                    "GET /api/v1/query?query=label_replace(up,%22instance%22,%22same%22,%22%22,%22%22)&time=" + mid,
                    "GET /api/v1/query_range?query=up&end=" + e + "&step=60",
                    "GET /api/v1/query_range?query=up&start=" + s + "&step=60",
                    "GET /api/v1/query_range?query=up&start=" + s + "&end=" + e,
                    "GET /api/v1/query_range?query=up&start=" + s + "&end=" + e + "&step=0",
                    "GET /api/v1/query_range?query=up&start=" + s + "&end=" + e + "&step=-60",
                    "GET /api/v1/query_range?query=up&start=" + e + "&end=" + s + "&step=60",
                    "GET /api/v1/query_range?query=up&start=" + s + "&end=" + e + "&step=0.1",
                    "GET /api/v1/query_range?query=up[5m]&start=" + s + "&end=" + e + "&step=60",
                    "GET /api/v1/query_range?query=%22text%22&start=" + s + "&end=" + e + "&step=60",
                    "GET /api/v1/query_range?query=up&start=" + s + "&end=" + e + "&step=a",
                    "GET /api/v1/series",
                    "GET /api/v1/series?match[]=up{",
                    "GET /api/v1/series?match[]={}",
                    "GET /api/v1/series?match[]=up&start=yesterday",
                    "GET /api/v1/series?match[]=up&start=" + e + "&end=" + s,
                    "GET /api/v1/labels?match[]=up{",
                    "GET /api/v1/labels?start=soon",
                    "GET /api/v1/label/job/values?match[]=sum(",
                    "GET /api/v1/label/job/values?end=soon",
                    "GET /api/v1/metadata?limit=many",
                    "GET /api/v1/query_exemplars?query=up{&start=" + s + "&end=" + e,
                    "GET /api/v1/query_exemplars?query=up&start=" + e + "&end=" + s,
                    "DELETE /api/v1/query?query=up",
                    "PUT /api/v1/labels",
                    // federation
                    "FED /federate?match[]=up",
                    "FED /federate?match[]={job=\"api\",__name__=~\"latency_seconds_(sum|count)\"}&match[]=temperature",
                    "GET /federate?match[]=up{");
            List<String> mismatches = new ArrayList<>();
            for (String c : cases) {
                String diff = diff(c, prom, ours);
                if (diff != null) {
                    mismatches.add(c + "\n    " + diff);
                }
            }
            // Deliberate differences (docs/promql.md): each must still be the one documented.
            for (var d : DELIBERATE.entrySet()) {
                String diff = diff(d.getKey(), prom, ours);
                if (diff == null || !diff.startsWith(d.getValue())) {
                    mismatches.add(d.getKey() + "\n    expected the documented difference " + d.getValue()
                            + ", found " + diff);
                }
            }
            mismatches.forEach(m -> System.out.println("MISMATCH " + m));
            System.out.println("API golden comparison with Prometheus 2.42: " + cases.size() + " requests, "
                    + mismatches.size() + " mismatches");
            assertThat(mismatches).isEmpty();
        }
    }

    /**
     * Requests Sightline answers otherwise on purpose, with how the difference starts: Prometheus 3 takes
     * any UTF-8 label name (2.42 only the classic ones) and lists dropped targets' counts per scrape pool;
     * {@code /federate} without {@code match[]} is an error in Sightline (Prometheus answers nothing), so
     * that a federating job configured without it shows why it is down.
     */
    static final java.util.Map<String, String> DELIBERATE = java.util.Map.of(
            "GET /api/v1/label/not-a-name/values", "HTTP 400 vs 200",
            "GET /api/v1/targets", "data {\"activeTargets\":[],\"droppedTargets\":[]} vs {\"activeTargets\":[],"
                    + "\"droppedTargets\":[],\"droppedTargetCounts\":{}}",
            "GET /federate", "HTTP 200 vs 400");

    static String iso(long ms) {
        return java.time.Instant.ofEpochMilli(ms).toString();
    }

    /** Null when both servers answer the request alike, else what differs. */
    static String diff(String c, String prom, String ours) throws Exception {
        String method = c.substring(0, c.indexOf(' '));
        String rest = c.substring(c.indexOf(' ') + 1);
        String form = rest.contains(" -d ") ? rest.substring(rest.indexOf(" -d ") + 4) : null;
        String path = form == null ? rest : rest.substring(0, rest.indexOf(" -d "));
        List<String> pointers = List.of();
        if (path.contains(" = ")) { // JSON pointers whose values must be equal too
            pointers = List.of(path.substring(path.indexOf(" = ") + 3).split(","));
            path = path.substring(0, path.indexOf(" = "));
        }
        HttpResponse<String> a = send(method, prom + encodePath(path), form);
        HttpResponse<String> b = send(method, ours + encodePath(path), form);
        if (method.equals("SHAPE")) {
            // Prometheus's fields, each of the same type; Sightline may add its own (e.g. storagePath).
            JsonNode ja = JSON.readTree(a.body());
            JsonNode jb = JSON.readTree(b.body());
            TreeSet<String> missing = new TreeSet<>();
            shape(ja, "", missing);
            TreeSet<String> have = new TreeSet<>();
            shape(jb, "", have);
            missing.removeAll(have);
            List<String> values = new ArrayList<>();
            for (String pointer : pointers) {
                JsonNode va = ja.at(pointer);
                JsonNode vb = jb.at(pointer);
                // Lists as sets: the cardinality lists' order among equal counts is Prometheus's heap order.
                boolean same = va.isArray() && vb.isArray() ? set(va).equals(set(vb)) : va.equals(vb);
                if (!same || va.isMissingNode()) {
                    values.add(pointer + " " + brief(va.toString()) + " vs " + brief(vb.toString()));
                }
            }
            return missing.isEmpty() && values.isEmpty() ? null : "fields missing " + missing + ", values " + values;
        }
        if (a.statusCode() != b.statusCode()) {
            return "HTTP " + a.statusCode() + " vs " + b.statusCode() + ": " + brief(a.body()) + " | "
                    + brief(b.body());
        }
        if (method.equals("FED")) {
            TreeSet<String> sa = samples(a.body());
            TreeSet<String> sb = samples(b.body());
            return sa.equals(sb) && !sa.isEmpty() ? null : "samples " + sa + " vs " + sb;
        }
        if (a.statusCode() >= 300 && !a.body().startsWith("{")) {
            return null; // Prometheus's plain-text 404 and 405 pages; the status matched
        }
        JsonNode ja = JSON.readTree(a.body());
        JsonNode jb;
        try {
            jb = JSON.readTree(b.body());
        } catch (Exception ex) {
            return "Sightline's body is not JSON: " + brief(b.body());
        }
        if (!ja.path("status").equals(jb.path("status")) || !ja.path("errorType").equals(jb.path("errorType"))) {
            return ja.path("status") + "/" + ja.path("errorType") + " vs " + jb.path("status") + "/"
                    + jb.path("errorType") + ": " + brief(a.body()) + " | " + brief(b.body());
        }
        if (!"success".equals(ja.path("status").asText())) {
            return null;
        }
        JsonNode da = ja.path("data");
        JsonNode db = jb.path("data");
        if (da.has("resultType")) {
            List<String> m = new ArrayList<>();
            PrometheusGoldenIT.compareData(da, db, c, m);
            return m.isEmpty() ? null : String.join("; ", m);
        }
        if (path.startsWith("/api/v1/series")) {
            return set(da).equals(set(db)) ? null : "series " + set(da) + " vs " + set(db);
        }
        return da.equals(db) ? null : "data " + brief(da.toString()) + " vs " + brief(db.toString());
    }

    /** Every field's path and JSON type, arrays by their first element. */
    static void shape(JsonNode n, String path, TreeSet<String> out) {
        out.add(path + ":" + n.getNodeType());
        if (n.isObject()) {
            n.fields().forEachRemaining(f -> shape(f.getValue(), path + "." + f.getKey(), out));
        } else if (n.isArray() && !n.isEmpty()) {
            shape(n.get(0), path + "[]", out);
        }
    }

    static TreeSet<String> set(JsonNode array) {
        TreeSet<String> out = new TreeSet<>();
        array.forEach(n -> out.add(n.toString()));
        return out;
    }

    /** Federation's sample lines, without comments. */
    static TreeSet<String> samples(String text) {
        TreeSet<String> out = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                out.add(line);
            }
        }
        return out;
    }

    static String brief(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** Percent-encodes what java.net.URI refuses in a query string (braces, quotes, brackets, spaces). */
    static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (char ch : path.toCharArray()) {
            if ("{}\"[]| <>^`\\".indexOf(ch) >= 0) {
                out.append('%').append(String.format("%02X", (int) ch));
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }

    static HttpResponse<String> send(String method, String url, String form) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (form != null) {
            b.header("Content-Type", "application/x-www-form-urlencoded")
                    .method(method, HttpRequest.BodyPublishers.ofString(encodeForm(form)));
        } else {
            b.method(method.equals("FED") || method.equals("SHAPE") ? "GET" : method,
                    HttpRequest.BodyPublishers.noBody());
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String encodeForm(String form) {
        StringBuilder out = new StringBuilder();
        for (String kv : form.split("&")) {
            int eq = kv.indexOf('=');
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(java.net.URLEncoder.encode(kv.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8))
                    .append('=')
                    .append(java.net.URLEncoder.encode(kv.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
        }
        return out.toString();
    }
}
