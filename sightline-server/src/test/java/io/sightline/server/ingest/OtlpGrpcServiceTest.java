package io.sightline.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.RequestHeaders;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.sightline.common.LabelMatcher;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OTLP/gRPC endpoint's own framing and statuses over a real HTTP/2 connection (Armeria's client, which
 * shows trailers); the OpenTelemetry SDK's exporters are driven in {@link OtlpIngestTest}.
 */
class OtlpGrpcServiceTest {
    @TempDir
    Path tmp;
    SightlineServer server;
    WebClient client;

    @BeforeEach
    void start() {
        server = TestServers.start(null, tmp.resolve("d"), List.of());
        client = WebClient.of(TestServers.url(server, "").replace("http://", "h2c://"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static byte[] request(String metric, double value) {
        long now = System.currentTimeMillis() * 1_000_000L;
        return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue("svc"))))
                .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName(metric)
                        .setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder()
                                .setTimeUnixNano(now).setAsDouble(value))))))
                .build().toByteArray();
    }

    static byte[] frame(int flag, byte[] message) {
        byte[] f = new byte[5 + message.length];
        f[0] = (byte) flag;
        f[1] = (byte) (message.length >>> 24);
        f[2] = (byte) (message.length >>> 16);
        f[3] = (byte) (message.length >>> 8);
        f[4] = (byte) message.length;
        System.arraycopy(message, 0, f, 5, message.length);
        return f;
    }

    static byte[] gzip(byte[] b) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(o)) {
            g.write(b);
        }
        return o.toByteArray();
    }

    AggregatedHttpResponse call(byte[] body, String contentType, String encoding) {
        com.linecorp.armeria.common.RequestHeadersBuilder h = RequestHeaders.builder(HttpMethod.POST, OtlpGrpcService.PATH)
                .contentType(com.linecorp.armeria.common.MediaType.parse(contentType)).add("te", "trailers");
        if (encoding != null) {
            h.add("grpc-encoding", encoding);
        }
        return client.execute(HttpRequest.of(h.build(), HttpData.wrap(body))).aggregate().join();
    }

    /** The status of a response: in the trailers, or in the headers of a trailers-only response. */
    static String status(AggregatedHttpResponse r) {
        String s = r.trailers().get("grpc-status");
        return s != null ? s : r.headers().get("grpc-status");
    }

    static String message(AggregatedHttpResponse r) {
        String s = r.trailers().get("grpc-message");
        return s != null ? s : r.headers().get("grpc-message");
    }

    @Test
    void export_plainAndGzip_isOk_withAnEmptyResponseMessage() throws Exception {
        for (String enc : new String[] {null, "gzip"}) {
            byte[] msg = request(enc == null ? "plain_gauge" : "gzip_gauge", 4.5);
            byte[] body = enc == null ? frame(0, msg) : frame(1, gzip(msg));
            AggregatedHttpResponse r = call(body, "application/grpc", enc);
            assertThat(r.status().code()).isEqualTo(200);
            assertThat(r.headers().get("content-type")).isEqualTo("application/grpc");
            assertThat(status(r)).as(message(r)).isEqualTo("0");
            byte[] content = r.content().array();
            assertThat(content[0]).isZero();
            ExportMetricsServiceResponse resp = ExportMetricsServiceResponse.parseFrom(
                    java.util.Arrays.copyOfRange(content, 5, content.length));
            assertThat(resp.hasPartialSuccess()).isFalse();
        }
        assertThat(TestServers.stored(server, LabelMatcher.equal("__name__", "plain_gauge"))).hasSize(1);
        assertThat(TestServers.stored(server, LabelMatcher.equal("__name__", "gzip_gauge"))).hasSize(1);
        // application/grpc+proto is the same call.
        assertThat(status(call(frame(0, request("proto_gauge", 1)), "application/grpc+proto", null))).isEqualTo("0");
    }

    @Test
    void badCalls_getPreciseStatuses_andStoreNothing() throws Exception {
        byte[] ok = request("never_stored", 1);
        AggregatedHttpResponse garbage = call(frame(0, new byte[] {(byte) 0xFF, 1, 2}), "application/grpc", null);
        assertThat(status(garbage)).isEqualTo("3");
        assertThat(message(garbage)).startsWith("cannot decode ExportMetricsServiceRequest");
        AggregatedHttpResponse two = call(concat(frame(0, ok), frame(0, ok)), "application/grpc", null);
        assertThat(status(two)).isEqualTo("3");
        assertThat(message(two)).contains("more than one request message");
        AggregatedHttpResponse cut = call(java.util.Arrays.copyOf(frame(0, ok), 20), "application/grpc", null);
        assertThat(status(cut)).isEqualTo("3");
        assertThat(message(cut)).contains("truncated gRPC frame");
        AggregatedHttpResponse huge = call(new byte[] {0, 0x7F, 0, 0, 0}, "application/grpc", null);
        assertThat(status(huge)).isEqualTo("8");
        assertThat(message(huge)).contains("exceeds the limit");
        AggregatedHttpResponse compressedPlain = call(frame(1, ok), "application/grpc", null);
        assertThat(status(compressedPlain)).isEqualTo("3");
        assertThat(message(compressedPlain)).contains("without grpc-encoding");
        AggregatedHttpResponse notGzip = call(frame(1, ok), "application/grpc", "gzip");
        assertThat(status(notGzip)).isEqualTo("3");
        assertThat(message(notGzip)).contains("invalid gzip");
        AggregatedHttpResponse snappy = call(frame(0, ok), "application/grpc", "snappy");
        assertThat(status(snappy)).isEqualTo("12");
        assertThat(snappy.headers().get("grpc-accept-encoding")).isEqualTo("identity,gzip");
        AggregatedHttpResponse empty = call(new byte[0], "application/grpc", null);
        assertThat(status(empty)).isEqualTo("3");
        AggregatedHttpResponse json = call(frame(0, ok), "application/grpc+json", null);
        assertThat(json.status().code()).isEqualTo(415);
        assertThat(TestServers.stored(server, LabelMatcher.equal("__name__", "never_stored"))).isEmpty();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Property: any truncation or mutation of a frame gives a message or a GrpcException, nothing else. */
    @Test
    void message_ofMutatedFrames_isAMessageOrAGrpcError() throws Exception {
        Random random = new Random(5);
        byte[] plain = frame(0, request("m", 2));
        byte[] packed = frame(1, gzip(request("m", 2)));
        for (int i = 0; i < 5_000; i++) {
            byte[] f = (random.nextBoolean() ? plain : packed).clone();
            if (random.nextBoolean()) {
                f = java.util.Arrays.copyOf(f, random.nextInt(f.length + 1));
            }
            for (int k = random.nextInt(4); k > 0 && f.length > 0; k--) {
                f[random.nextInt(f.length)] = (byte) random.nextInt(256);
            }
            byte[] frameBytes = f;
            try {
                byte[] m = OtlpGrpcService.message(frameBytes, random.nextBoolean(), 1 << 20);
                assertThat(m.length).isLessThanOrEqualTo(1 << 20);
            } catch (OtlpGrpcService.GrpcException e) {
                assertThat(e.getMessage()).isNotBlank();
                assertThat(e.code).isIn(OtlpGrpcService.Code.INVALID_ARGUMENT, OtlpGrpcService.Code.RESOURCE_EXHAUSTED);
            }
        }
        assertThatThrownBy(() -> OtlpGrpcService.message(frame(1, gzip(new byte[3 << 20])), true, 1 << 20))
                .isInstanceOf(OtlpGrpcService.GrpcException.class).hasMessageContaining("exceeds the limit")
                .satisfies(e -> assertThat(((OtlpGrpcService.GrpcException) e).code)
                        .isEqualTo(OtlpGrpcService.Code.RESOURCE_EXHAUSTED));
    }

    @Test
    void grpcMessage_isPercentEncoded() {
        assertThat(OtlpGrpcService.percentEncode("bad: 100% \"é\"\n")).isEqualTo("bad: 100%25 \"%C3%A9\"%0A");
    }
}
