package io.sightline.server.ingest;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.LabelMatcher;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import io.sightline.testkit.remotewrite.WriteRequestBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/** remote_write over a real socket into the real engine. */
class RemoteWriteIngestTest {
    static final long T = 1_795_000_000_000L;
    @TempDir
    Path tmp;
    SightlineServer server;

    @BeforeEach
    void start() {
        server = TestServers.start(null, tmp.resolve("d"), List.of());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpResponse<String> post(byte[] body, String contentType, String encoding) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(server, "/api/v1/write")))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", contentType)
                .header("X-Prometheus-Remote-Write-Version", "0.1.0");
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(byte[] protobuf) throws Exception {
        return post(Snappy.compress(protobuf), "application/x-protobuf", "snappy");
    }

    List<String> stored(String metric) throws Exception {
        return TestServers.stored(server, LabelMatcher.equal("__name__", metric));
    }

    @Test
    void validRequest_is204_andStored() throws Exception {
        byte[] req = new WriteRequestBuilder()
                .series(new String[] {"__name__", "up", "job", "api"}, new long[] {T, T + 15_000}, new double[] {1, 0})
                .series(new String[] {"__name__", "temp", "room", "a"}, new long[] {T}, new double[] {21.5})
                .build();
        var r = post(req);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(stored("up")).containsExactly("up{job=\"api\"} " + T + " 1.0", "up{job=\"api\"} " + (T + 15_000) + " 0.0");
        assertThat(stored("temp")).containsExactly("temp{room=\"a\"} " + T + " 21.5");
        String metrics = io.sightline.server.TestHttp.get(url(server, "/metrics")).body();
        assertThat(metrics).contains("sightline_ingest_samples_total{protocol=\"remote_write\"} 3.0")
                .contains("sightline_tsdb_head_samples_appended_total 3.0")
                .contains("sightline_tsdb_head_series 2.0");
    }

    @Test
    void manyRequests_oneAfterAnother_allAdmitted_soAdmissionsAreReleased() throws Exception {
        for (int i = 0; i < 50; i++) {
            byte[] req = new WriteRequestBuilder()
                    .series(new String[] {"__name__", "seq"}, new long[] {T + i * 1000L}, new double[] {i}).build();
            var r = post(req);
            assertThat(r.statusCode()).as("request %d: %s", i, r.body()).isEqualTo(204);
        }
        assertThat(stored("seq")).hasSize(50);
    }

    /**
     * Bodies are read from Netty's pooled buffers into an array each worker reuses: requests of very
     * different sizes (several larger than the array's first size), malformed ones among them, are each
     * stored whole (IngestPipelineTest checks that the pooled buffers are given back).
     */
    @Test
    void bodiesOfMixedSizes_areEachStoredWhole() throws Exception {
        int[] sizes = {4_000, 1, 300, 20_000, 2, 9_000};
        long expected = 0;
        for (int round = 0; round < 5; round++) {
            for (int k = 0; k < sizes.length; k++) {
                WriteRequestBuilder b = new WriteRequestBuilder();
                for (int i = 0; i < sizes[k]; i++) {
                    b.series(new String[] {"__name__", "mix", "k", Integer.toString(k), "i", Integer.toString(i)},
                            new long[] {T + round * 1000L}, new double[] {i});
                }
                var r = post(b.build());
                assertThat(r.statusCode()).as("round %d size %d: %s", round, sizes[k], r.body()).isEqualTo(204);
                expected += sizes[k];
                var bad = post(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, "application/x-protobuf", "snappy");
                assertThat(bad.statusCode()).isEqualTo(400);
            }
        }
        assertThat(stored("mix")).hasSize((int) expected);
    }

    @Test
    void partlyBadRequest_storesTheRest_andIs400NamingWhatAndWhy() throws Exception {
        post(new WriteRequestBuilder().series(new String[] {"__name__", "m"}, new long[] {T}, new double[] {1}).build());
        byte[] req = new WriteRequestBuilder()
                .series(new String[] {"__name__", "m"}, new long[] {T, T + 1000}, new double[] {2, 3})
                .series(new String[] {"__name__", "bad-name"}, new long[] {T}, new double[] {1})
                .build();
        var r = post(req);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"errorType\":\"bad_data\"").contains("stored 1 samples, refused 2")
                .contains("duplicate sample for timestamp").contains("invalid metric name \\\"bad-name\\\"");
        assertThat(stored("m")).containsExactly("m " + T + " 1.0", "m " + (T + 1000) + " 3.0");
        String metrics = io.sightline.server.TestHttp.get(url(server, "/metrics")).body();
        assertThat(metrics).contains("sightline_ingest_samples_rejected_total{protocol=\"remote_write\",reason=\"duplicate_sample\"} 1.0")
                .contains("sightline_ingest_samples_rejected_total{protocol=\"remote_write\",reason=\"invalid_series\"} 1.0");
    }

    @Test
    void malformedBodies_are400_andStoreNothing() throws Exception {
        byte[] good = new WriteRequestBuilder().series(new String[] {"__name__", "x"}, new long[] {T}, new double[] {1}).build();
        var notSnappy = post(good, "application/x-protobuf", "snappy");
        assertThat(notSnappy.statusCode()).isEqualTo(400);
        assertThat(notSnappy.body()).contains("not snappy-compressed");
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
        var cut = post(truncated);
        assertThat(cut.statusCode()).isEqualTo(400);
        assertThat(cut.body()).contains("cannot decode remote write request");
        assertThat(stored("x")).isEmpty();
    }

    @Test
    void unsupportedEncodings_are415() throws Exception {
        byte[] good = Snappy.compress(new WriteRequestBuilder().series(new String[] {"__name__", "x"}, new long[] {T},
                new double[] {1}).build());
        var gzip = post(good, "application/x-protobuf", "gzip");
        assertThat(gzip.statusCode()).isEqualTo(415);
        assertThat(gzip.body()).contains("unsupported Content-Encoding \\\"gzip\\\"");
        var other = post(good, "application/x-protobuf;proto=io.prometheus.write.v3.Request", "snappy");
        assertThat(other.statusCode()).isEqualTo(415);
        assertThat(other.body()).contains("unsupported remote write message").contains("io.prometheus.write.v2.Request");
    }

    /** A remote write 2.0 request: symbols, then series of label references and samples. */
    private static byte[] v2Request(String[][] series, long t, double v) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream o = com.google.protobuf.CodedOutputStream.newInstance(out);
        List<String> symbols = new java.util.ArrayList<>(List.of(""));
        for (String[] labels : series) {
            for (String l : labels) {
                if (!symbols.contains(l)) {
                    symbols.add(l);
                }
            }
        }
        for (String sym : symbols) {
            o.writeString(4, sym);
        }
        for (String[] labels : series) {
            java.io.ByteArrayOutputStream ts = new java.io.ByteArrayOutputStream();
            com.google.protobuf.CodedOutputStream to = com.google.protobuf.CodedOutputStream.newInstance(ts);
            java.io.ByteArrayOutputStream refs = new java.io.ByteArrayOutputStream();
            com.google.protobuf.CodedOutputStream ro = com.google.protobuf.CodedOutputStream.newInstance(refs);
            for (String l : labels) {
                ro.writeUInt32NoTag(symbols.indexOf(l));
            }
            ro.flush();
            to.writeByteArray(1, refs.toByteArray());
            java.io.ByteArrayOutputStream sample = new java.io.ByteArrayOutputStream();
            com.google.protobuf.CodedOutputStream so = com.google.protobuf.CodedOutputStream.newInstance(sample);
            so.writeDouble(1, v);
            so.writeInt64(2, t);
            so.flush();
            to.writeByteArray(2, sample.toByteArray());
            to.flush();
            o.writeByteArray(5, ts.toByteArray());
        }
        o.flush();
        return Snappy.compress(out.toByteArray());
    }

    @Test
    void remoteWrite2_isStored_andSaysWhatWasWritten() throws Exception {
        String type = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
        var ok = post(v2Request(new String[][] {{"__name__", "rw2_metric", "job", "a"}, {"__name__", "rw2_metric", "job", "b"}},
                T, 4.5), type, "snappy");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(204);
        assertThat(ok.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written")).hasValue("2");
        assertThat(ok.headers().firstValue("X-Prometheus-Remote-Write-Histograms-Written")).hasValue("0");
        assertThat(stored("rw2_metric")).containsExactly("rw2_metric{job=\"a\"} " + T + " 4.5",
                "rw2_metric{job=\"b\"} " + T + " 4.5");
        var partly = post(v2Request(new String[][] {{"__name__", "rw2_other"}, {"job", "no-name"}}, T, 1), type, "snappy");
        assertThat(partly.statusCode()).isEqualTo(400);
        assertThat(partly.body()).contains("stored 1 samples, refused 1").contains("no metric name");
        assertThat(partly.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written")).hasValue("1");
        var malformed = post(Snappy.compress(new byte[] {34, 1, 'x'}), type, "snappy");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("the first symbol must be the empty string");
    }
}
