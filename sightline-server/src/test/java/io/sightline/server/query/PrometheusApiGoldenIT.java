package io.sightline.server.query;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.ingest.proto.ProtoReader;
import io.sightline.ingest.proto.ProtoWriter;
import io.sightline.server.DebianPrometheus;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import io.sightline.tsdb.chunk.XorChunk;
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
                    // federation first: its lookback (5 minutes) must still reach the data's last samples
                    "FED /federate?match[]=up",
                    "FED /federate?match[]={job=\"api\",__name__=~\"latency_seconds_(sum|count)\"}&match[]=temperature",
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
                    "GET /api/v1/query?query=up&time=" + (start + 1_800_000) / 1000 + ".123",
                    "GET /api/v1/query_range?query=up&start=" + s + "&end=" + e + "&step=1d",
                    "GET /api/v1/query?query=temperature&time=" + mid + "&lookback_delta=1d",
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
                    "SHAPE /api/v1/status/walreplay",
                    "GET /api/v1/alertmanagers",
                    "SHAPE /api/v1/status/runtimeinfo",
                    "SHAPE /api/v1/status/tsdb = /data/headStats/numSeries,/data/seriesCountByMetricName,"
                            + "/data/labelValueCountByLabelName,/data/seriesCountByLabelValuePair",
                    // The counts differ by design (docs/promql.md): Sightline counts the samples read.
                    "SHAPE /api/v1/query?query=rate(http_requests_total[5m])&time=" + mid + "&stats=all",
                    "SHAPE /api/v1/query_range?query=up&start=" + s + "&end=" + e + "&step=60&stats=all",
                    "GET /api/v1/query?query=0777%2B025%2B08%2B017e1%2B0x1F&time=" + mid,
                    // RE2's dialect where Java's differs
                    "GET /api/v1/query?query=up{instance=~\"i[[12]\"}&time=" + mid,
                    "GET /api/v1/query?query=up{instance=~\"i[[:digit:]]|{x\"}&time=" + mid,
                    "GET /api/v1/query?query=up{instance!~\"i{1}[^[:^digit:]&&1]\"}&time=" + mid,
                    "GET /api/v1/query?query=label_replace(up,\"x\",\"$n-${n}\",\"instance\",\"(?P<n>i.)\")&time="
                            + mid,
                    "GET /api/v1/query?query=up{instance=~\"(.++)\"}",
                    "GET /api/v1/query?query=up{instance=~\"(?=i)\"}",
                    // bad requests
                    "GET /api/v1/query?query=rate(up[5m],)",
                    "GET /api/v1/query?query=up{method:=\"x\"}",
                    "GET /api/v1/query?query=0xFFFFFFFFFFFFFFFFF",
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
            mismatches.addAll(remoteRead(prom, ours, start, end));
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

    /**
     * Remote read of the same selections from both, as {@code SAMPLES} and as {@code STREAMED_XOR_CHUNKS}: the
     * same series with the same samples, bit for bit (stale markers included). Streamed chunks may hold
     * samples beyond the query's bounds (Prometheus sends whole chunks); a reader keeps those within them,
     * and so does the comparison.
     */
    static List<String> remoteRead(String prom, String ours, long start, long end) throws Exception {
        long[][] ranges = {{start - 3_600_000, end + 60_000}, {start + 600_000, start + 1_500_000},
            {end - 300_000, end}};
        List<ProtoWriter[]> selections = List.of(
                new ProtoWriter[] {matcher(0, "__name__", "temperature")},
                new ProtoWriter[] {matcher(2, "__name__", "latency_seconds_.*"), matcher(1, "instance", "i2")},
                new ProtoWriter[] {matcher(0, "job", "api"), matcher(0, "__name__", "up")},
                new ProtoWriter[] {matcher(2, "__name__", ".+"), matcher(3, "mode", "idle|user")},
                new ProtoWriter[] {matcher(0, "__name__", "nonexistent")});
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        for (long[] r : ranges) {
            ProtoWriter request = new ProtoWriter();
            for (ProtoWriter[] sel : selections) {
                ProtoWriter q = new ProtoWriter().varintField(1, r[0]).varintField(2, r[1]);
                for (ProtoWriter m : sel) {
                    q.messageField(3, m);
                }
                request.messageField(1, q);
            }
            for (boolean streamed : new boolean[] {false, true}) {
                byte[] body = streamed ? request.varintField(2, 1).toByteArray() : request.toByteArray();
                List<java.util.TreeMap<String, List<String>>> a = readResults(prom, body, streamed, r);
                List<java.util.TreeMap<String, List<String>>> b = readResults(ours, body, streamed, r);
                String what = "remote read " + (streamed ? "streamed" : "samples") + " " + r[0] + ".." + r[1];
                // Streamed, a query without series sends no frame: the last one's result is absent in both.
                if (a.size() != selections.size() - (streamed ? 1 : 0) || !a.equals(b)) {
                    mismatches.add(what + ": " + firstDifference(a, b));
                }
                for (var result : a) {
                    compared += result.size();
                }
            }
        }
        System.out.println("remote read compared " + compared + " series");
        if (compared < 50) {
            mismatches.add("remote read compared only " + compared + " series");
        }
        return mismatches;
    }

    static String firstDifference(List<java.util.TreeMap<String, List<String>>> a,
            List<java.util.TreeMap<String, List<String>>> b) {
        if (a.size() != b.size()) {
            return a.size() + " vs " + b.size() + " results";
        }
        for (int q = 0; q < a.size(); q++) {
            if (!a.get(q).keySet().equals(b.get(q).keySet())) {
                return "query " + q + ": series " + a.get(q).keySet() + " vs " + b.get(q).keySet();
            }
            for (String k : a.get(q).keySet()) {
                List<String> x = a.get(q).get(k);
                List<String> y = b.get(q).get(k);
                for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
                    String u = i < x.size() ? x.get(i) : "none";
                    String v = i < y.size() ? y.get(i) : "none";
                    if (!u.equals(v)) {
                        return "query " + q + " " + k + " sample " + i + " of " + x.size() + "/" + y.size() + ": " + u
                                + " vs " + v;
                    }
                }
            }
        }
        return "equal";
    }

    static ProtoWriter matcher(int type, String name, String value) {
        return new ProtoWriter().varintField(1, type).stringField(2, name).stringField(3, value);
    }

    /** Per query: series (labels as text) to samples ("timestamp value-bits"), within the query's bounds. */
    static List<java.util.TreeMap<String, List<String>>> readResults(String base, byte[] request, boolean streamed,
            long[] range) throws Exception {
        HttpRequest post = HttpRequest.newBuilder(URI.create(base + "/api/v1/read"))
                .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Read-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(request))).build();
        HttpResponse<byte[]> r = CLIENT.send(post, HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(base + ": " + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(200);
        List<java.util.TreeMap<String, List<String>>> out = new ArrayList<>();
        if (!streamed) {
            byte[] raw = Snappy.uncompress(r.body());
            ProtoReader resp = new ProtoReader(raw, 0, raw.length, "ReadResponse");
            while (resp.hasMore()) {
                long key = resp.varint();
                if (key >>> 3 != 1) {
                    resp.skip((int) (key & 7));
                    continue;
                }
                java.util.TreeMap<String, List<String>> result = new java.util.TreeMap<>();
                ProtoReader qr = resp.message();
                while (qr.hasMore()) {
                    long k = qr.varint();
                    if (k >>> 3 != 1) {
                        qr.skip((int) (k & 7));
                        continue;
                    }
                    ProtoReader ts = qr.message();
                    List<String> labels = new ArrayList<>();
                    List<String> samples = new ArrayList<>();
                    while (ts.hasMore()) {
                        long f = ts.varint();
                        if (f >>> 3 == 1) {
                            labels.add(label(ts.message()));
                        } else if (f >>> 3 == 2) {
                            ProtoReader sm = ts.message();
                            long bits = 0;
                            long t = 0;
                            while (sm.hasMore()) {
                                long g = sm.varint();
                                if (g >>> 3 == 1) {
                                    bits = sm.fixed64();
                                } else if (g >>> 3 == 2) {
                                    t = sm.varint();
                                } else {
                                    sm.skip((int) (g & 7));
                                }
                            }
                            samples.add(t + " " + Long.toHexString(bits));
                        } else {
                            ts.skip((int) (f & 7));
                        }
                    }
                    assertThat(result.put(String.join(",", labels), samples)).as(base + ": series twice").isNull();
                }
                out.add(result);
            }
            return out;
        }
        // Frames: varint length, CRC32C (4 bytes), ChunkedReadResponse {1: ChunkedSeries, 2: query_index}.
        byte[] raw = r.body();
        ProtoReader frames = new ProtoReader(raw, 0, raw.length, "frames");
        while (frames.hasMore()) {
            int len = (int) frames.varint();
            int pos = frames.position() + 4;
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(raw, pos, len);
            int want = java.nio.ByteBuffer.wrap(raw, pos - 4, 4).getInt();
            assertThat((int) crc.getValue()).as(base + ": frame checksum").isEqualTo(want);
            ProtoReader msg = new ProtoReader(raw, pos, pos + len, "ChunkedReadResponse");
            frames.position(pos + len);
            long index = 0;
            java.util.Map<String, List<String>> series = new java.util.LinkedHashMap<>();
            while (msg.hasMore()) {
                long key = msg.varint();
                if (key >>> 3 == 2) {
                    index = msg.varint();
                } else if (key >>> 3 == 1) {
                    ProtoReader cs = msg.message();
                    List<String> labels = new ArrayList<>();
                    List<String> samples = new ArrayList<>();
                    while (cs.hasMore()) {
                        long f = cs.varint();
                        if (f >>> 3 == 1) {
                            labels.add(label(cs.message()));
                        } else if (f >>> 3 == 2) {
                            ProtoReader chunk = cs.message();
                            while (chunk.hasMore()) {
                                long g = chunk.varint();
                                if (g >>> 3 == 3) {
                                    assertThat(chunk.varint()).as(base + ": chunk encoding XOR").isEqualTo(1);
                                } else if (g >>> 3 == 4) {
                                    int n = chunk.length();
                                    byte[] data = java.util.Arrays.copyOfRange(chunk.buffer(), chunk.position(),
                                            chunk.position() + n);
                                    chunk.position(chunk.position() + n);
                                    var it = XorChunk.iterator(data);
                                    while (it.next()) {
                                        if (it.timestamp() >= range[0] && it.timestamp() <= range[1]) {
                                            samples.add(it.timestamp() + " "
                                                    + Long.toHexString(Double.doubleToRawLongBits(it.value())));
                                        }
                                    }
                                } else {
                                    chunk.skip((int) (g & 7));
                                }
                            }
                        } else {
                            cs.skip((int) (f & 7));
                        }
                    }
                    series.merge(String.join(",", labels), samples, (x, y) -> {
                        List<String> all = new ArrayList<>(x);
                        all.addAll(y);
                        return all;
                    });
                } else {
                    msg.skip((int) (key & 7));
                }
            }
            while (out.size() <= index) {
                out.add(new java.util.TreeMap<>());
            }
            var target = out.get((int) index);
            series.forEach((k, v) -> target.merge(k, v, (x, y) -> {
                List<String> all = new ArrayList<>(x);
                all.addAll(y);
                return all;
            }));
        }
        return out;
    }

    static String label(ProtoReader l) throws Exception {
        String name = "";
        String value = "";
        while (l.hasMore()) {
            long k = l.varint();
            if (k >>> 3 == 1) {
                name = l.string();
            } else if (k >>> 3 == 2) {
                value = l.string();
            } else {
                l.skip((int) (k & 7));
            }
        }
        return name + "=" + value;
    }

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
        if (method.equals("SHAPE") && a.statusCode() != b.statusCode()) {
            return "HTTP " + a.statusCode() + " vs " + b.statusCode();
        }
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
