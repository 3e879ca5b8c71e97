package io.sightline.ingest.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Prometheus's OTLP translation, point type by point type, on hand-built requests. */
class OtlpMetricsTranslatorTest {
    private static final long T = 1_800_000_000_000L;
    private static final long NANOS = T * 1_000_000L;

    /** Records what reaches the sink: "labels t v" lines and refusals. */
    static final class Recorder implements SeriesSink {
        final Map<String, String> samples = new TreeMap<>();
        final List<String> invalid = new ArrayList<>();

        @Override
        public void series(Labels labels, long[] timestamps, double[] values, int count) {
            for (int i = 0; i < count; i++) {
                samples.put(labels.toString(), timestamps[i] + " " + values[i]);
            }
        }

        @Override
        public void invalid(String series, String reason, int n) {
            invalid.add(series + ": " + reason);
        }
    }

    private static KeyValue kv(String k, String v) {
        return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
    }

    private static ExportMetricsServiceRequest request(Resource resource, Metric... metrics) {
        return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder().setResource(resource)
                .addScopeMetrics(ScopeMetrics.newBuilder().addAllMetrics(List.of(metrics)))).build();
    }

    private static final Resource SERVICE = Resource.newBuilder().addAttributes(kv("service.name", "checkout"))
            .addAttributes(kv("service.namespace", "shop")).addAttributes(kv("service.instance.id", "pod-1"))
            .addAttributes(kv("k8s.cluster.name", "eu-1")).build();

    private Recorder translate(ExportMetricsServiceRequest r, DeltaAccumulator deltas) {
        Recorder rec = new Recorder();
        new OtlpMetricsTranslator(deltas).translate(r, T + 5000, rec);
        return rec;
    }

    private Recorder translate(ExportMetricsServiceRequest r) {
        return translate(r, new DeltaAccumulator(3_600_000, 1000));
    }

    @Test
    void names_followPrometheusConventions() {
        String[][] cases = {
            {"http.server.request.duration", "s", "OTHER", "http_server_request_duration_seconds"},
            {"http.server.requests", "{request}", "COUNTER", "http_server_requests_total"},
            {"system.network.io", "By", "COUNTER", "system_network_io_bytes_total"},
            {"throughput", "By/s", "GAUGE", "throughput_bytes_per_second"},
            {"cpu.utilization", "1", "GAUGE", "cpu_utilization_ratio"},
            {"cpu.utilization", "1", "COUNTER", "cpu_utilization_total"},
            {"queue_seconds", "s", "GAUGE", "queue_seconds"},
            {"jobs.total", "", "COUNTER", "jobs_total"},
            {"2xx.responses", "", "GAUGE", "_2xx_responses"},
            {"temp", "Cel", "GAUGE", "temp_celsius"},
            {"rate", "m/h", "GAUGE", "rate_meters_per_hour"},
            {"weird unit", "furlongs", "GAUGE", "weird_unit_furlongs"},
        };
        for (String[] c : cases) {
            assertThat(OtlpNames.metricName(c[0], c[1], OtlpNames.Kind.valueOf(c[2]))).as(c[0] + " " + c[1]).isEqualTo(c[3]);
        }
        assertThat(OtlpNames.labelName("http.method")).isEqualTo("http_method");
        assertThat(OtlpNames.labelName("2nd")).isEqualTo("key_2nd");
        assertThat(OtlpNames.labelName("_private")).isEqualTo("key_private");
        assertThat(OtlpNames.labelName("__reserved")).isEqualTo("__reserved");
    }

    @Test
    void gaugesAndCumulativeSums_withJobInstanceAndTargetInfo() {
        Metric gauge = Metric.newBuilder().setName("queue.size").setGauge(Gauge.newBuilder().addDataPoints(
                NumberDataPoint.newBuilder().setTimeUnixNano(NANOS).setAsInt(7).addAttributes(kv("queue", "a")))).build();
        Metric counter = Metric.newBuilder().setName("orders").setSum(Sum.newBuilder().setIsMonotonic(true)
                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(NANOS).setAsDouble(12.5)
                        .addAttributes(kv("http.method", "GET")).addAttributes(kv("http_method", "get")))).build();
        Metric upDown = Metric.newBuilder().setName("connections").setSum(Sum.newBuilder().setIsMonotonic(false)
                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                .addDataPoints(NumberDataPoint.newBuilder().setAsInt(-3))).build();
        Recorder r = translate(request(SERVICE, gauge, counter, upDown));
        assertThat(r.samples).containsExactly(
                Map.entry("connections{instance=\"pod-1\", job=\"shop/checkout\"}", (T + 5000) + " -3.0"),
                Map.entry("orders_total{http_method=\"GET;get\", instance=\"pod-1\", job=\"shop/checkout\"}", T + " 12.5"),
                Map.entry("queue_size{instance=\"pod-1\", job=\"shop/checkout\", queue=\"a\"}", T + " 7.0"),
                Map.entry("target_info{instance=\"pod-1\", job=\"shop/checkout\", k8s_cluster_name=\"eu-1\"}", (T + 5000) + " 1.0"));
        assertThat(r.invalid).isEmpty();
    }

    @Test
    void histograms_becomeClassicBuckets() {
        Metric h = Metric.newBuilder().setName("http.duration").setUnit("ms").setHistogram(Histogram.newBuilder()
                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(NANOS).setCount(10).setSum(123.5)
                        .addAllExplicitBounds(List.of(5.0, 10.0, 0.25)).addAllBucketCounts(List.of(2L, 3L, 4L, 1L)))).build();
        Recorder r = translate(request(Resource.getDefaultInstance(), h));
        assertThat(r.samples).containsExactly(
                Map.entry("http_duration_milliseconds_bucket{le=\"+Inf\"}", T + " 10.0"),
                Map.entry("http_duration_milliseconds_bucket{le=\"0.25\"}", T + " 9.0"),
                Map.entry("http_duration_milliseconds_bucket{le=\"10\"}", T + " 5.0"),
                Map.entry("http_duration_milliseconds_bucket{le=\"5\"}", T + " 2.0"),
                Map.entry("http_duration_milliseconds_count", T + " 10.0"),
                Map.entry("http_duration_milliseconds_sum", T + " 123.5"));
        Metric bad = Metric.newBuilder().setName("h").setHistogram(Histogram.newBuilder().addDataPoints(
                HistogramDataPoint.newBuilder().setCount(1).addAllExplicitBounds(List.of(1.0)).addBucketCounts(1))).build();
        assertThat(translate(request(Resource.getDefaultInstance(), bad)).invalid).singleElement().asString()
                .contains("1 bucket counts for 1 bounds");
    }

    @Test
    void exponentialHistograms_becomeClassicBucketsAtTheirUpperBounds() {
        // scale 0: base 2; positive offset 1 covers (2,4], (4,8], (8,16].
        Metric e = Metric.newBuilder().setName("size").setUnit("By").setExponentialHistogram(ExponentialHistogram.newBuilder()
                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                .addDataPoints(ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(NANOS).setScale(0).setCount(9)
                        .setSum(60).setZeroCount(1)
                        .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(1)
                                .addAllBucketCounts(List.of(3L, 0L, 4L)))
                        .setNegative(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(0).addBucketCounts(1L))))
                .build();
        Recorder r = translate(request(Resource.getDefaultInstance(), e));
        assertThat(r.samples).containsExactly(
                Map.entry("size_bytes_bucket{le=\"+Inf\"}", T + " 9.0"),
                Map.entry("size_bytes_bucket{le=\"16\"}", T + " 9.0"),
                Map.entry("size_bytes_bucket{le=\"4\"}", T + " 5.0"),
                Map.entry("size_bytes_count", T + " 9.0"),
                Map.entry("size_bytes_sum", T + " 60.0"));
    }

    @Test
    void summaries_haveQuantiles() {
        Metric s = Metric.newBuilder().setName("rpc.latency").setUnit("s").setSummary(Summary.newBuilder().addDataPoints(
                SummaryDataPoint.newBuilder().setTimeUnixNano(NANOS).setCount(4).setSum(2)
                        .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(0.4))
                        .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.99).setValue(0.9))))
                .build();
        assertThat(translate(request(Resource.getDefaultInstance(), s)).samples).containsExactly(
                Map.entry("rpc_latency_seconds_count", T + " 4.0"),
                Map.entry("rpc_latency_seconds_sum", T + " 2.0"),
                Map.entry("rpc_latency_seconds{quantile=\"0.5\"}", T + " 0.4"),
                Map.entry("rpc_latency_seconds{quantile=\"0.99\"}", T + " 0.9"));
    }

    private static Metric deltaCounter(long tNanos, double v) {
        return Metric.newBuilder().setName("hits").setSum(Sum.newBuilder().setIsMonotonic(true)
                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(tNanos).setAsDouble(v))).build();
    }

    @Test
    void deltas_accumulateIntoCumulativeSeries_andOutOfOrderDeltasAreRefused() {
        DeltaAccumulator acc = new DeltaAccumulator(3_600_000, 1000);
        assertThat(translate(request(Resource.getDefaultInstance(), deltaCounter(NANOS, 3)), acc).samples)
                .containsEntry("hits_total", T + " 3.0");
        assertThat(translate(request(Resource.getDefaultInstance(), deltaCounter(NANOS + 10_000_000_000L, 4)), acc).samples)
                .containsEntry("hits_total", (T + 10_000) + " 7.0");
        Recorder late = translate(request(Resource.getDefaultInstance(), deltaCounter(NANOS + 5_000_000_000L, 1)), acc);
        assertThat(late.samples).isEmpty();
        assertThat(late.invalid).singleElement().asString().contains("is not after the series' previous one");
        // Idle for longer than the window: a new total starts.
        assertThat(translate(request(Resource.getDefaultInstance(), deltaCounter(NANOS + 7_200_000_000_000L, 2)), acc).samples)
                .containsEntry("hits_total", (T + 7_200_000) + " 2.0");
        DeltaAccumulator full = new DeltaAccumulator(3_600_000, 0);
        assertThat(translate(request(Resource.getDefaultInstance(), deltaCounter(NANOS, 1)), full).invalid)
                .singleElement().asString().contains("too many delta series");
    }

    @Test
    void noRecordedValue_isAStaleMarker_andAPointWithoutValueIsRefused() {
        Metric g = Metric.newBuilder().setName("g").setGauge(Gauge.newBuilder()
                .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(NANOS).setFlags(1).addAttributes(kv("a", "1")))
                .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(NANOS).addAttributes(kv("a", "2")))).build();
        Recorder r = translate(request(Resource.getDefaultInstance(), g));
        assertThat(r.samples).containsExactly(Map.entry("g{a=\"1\"}", T + " NaN"));
        assertThat(r.invalid).singleElement().asString().contains("no value");
        assertThat(translate(request(Resource.getDefaultInstance(), Metric.newBuilder().setName("empty").build())).invalid)
                .singleElement().asString().contains("has no data");
        assertThat(translate(request(Resource.getDefaultInstance(), Metric.newBuilder().setName("...").setGauge(
                Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder().setAsInt(1))).build())).invalid)
                .singleElement().asString().contains("has no letters or digits");
    }

    /** Points that cannot be translated, each refused on its own with the series and the reason. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '^', value = {
        "no data|{^name^:^x^}|metric \"x\": metric has no data (gauge, sum, histogram, exponential histogram or summary)",
        "name without letters|{^name^:^...^,^gauge^:{^dataPoints^:[{^asInt^:^1^}]}}|metric \"...\": the metric name \"...\" has no letters or digits",
        "point without value|{^name^:^g^,^gauge^:{^dataPoints^:[{^timeUnixNano^:^1^}]}}|g: data point has no value",
        "bucket counts off|{^name^:^h^,^histogram^:{^aggregationTemporality^:2,^dataPoints^:[{^count^:^3^,^bucketCounts^:[^1^,^2^],^explicitBounds^:[1,2]}]}}|h: histogram has 2 bucket counts for 2 bounds (expected bounds + 1)",
        "scale out of range|{^name^:^e^,^exponentialHistogram^:{^aggregationTemporality^:2,^dataPoints^:[{^scale^:21,^count^:^1^}]}}|e: exponential histogram scale 21 is outside -10..20",
        "delta not after the previous|{^name^:^d^,^sum^:{^isMonotonic^:true,^aggregationTemporality^:1,^dataPoints^:[{^timeUnixNano^:^2000000^,^asInt^:^1^},{^timeUnixNano^:^2000000^,^asInt^:^1^}]}}|d_total: delta point at 2 is not after the series' previous one at 2"})
    void untranslatablePoints_areRefusedOneByOne(String name, String metric, String expected) throws Exception {
        String body = "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[" + metric.replace('^', '"') + "]}]}]}";
        Recorder r = new Recorder();
        new OtlpMetricsTranslator(new DeltaAccumulator(3_600_000, 10)).translate(OtlpMetricsTranslator.parseJson(body), T, r);
        assertThat(r.invalid).containsExactly(expected);
    }

    /** Bodies that cannot be decoded at all: the whole request is malformed, nothing is translated. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '^', value = {
        "not JSON|{|cannot parse the OTLP JSON body: ",
        "wrong type|{\"resourceMetrics\": 3}|cannot parse the OTLP JSON body: ",
        "object for a list|{\"resourceMetrics\":[{\"scopeMetrics\":{}}]}|cannot parse the OTLP JSON body: ",
        "bad number|{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"g\",\"gauge\":{\"dataPoints\":[{\"asInt\":\"12x\"}]}}]}]}]}|cannot parse the OTLP JSON body: "})
    void malformedJson_isRefusedWhole(String name, String body, String prefix) {
        assertThatThrownBy(() -> OtlpMetricsTranslator.parseJson(body)).isInstanceOf(MalformedRequestException.class)
                .hasMessageStartingWith(prefix);
    }

    @Test
    void json_andMalformedBodies() throws Exception {
        String json = """
                {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
                 "scopeMetrics":[{"metrics":[{"name":"requests","unit":"1","sum":{"isMonotonic":true,
                 "aggregationTemporality":2,"dataPoints":[{"timeUnixNano":"%d","asInt":"42",
                 "attributes":[{"key":"code","value":{"intValue":"200"}}]}]}}]}]}]}
                """.formatted(NANOS);
        Recorder r = new Recorder();
        new OtlpMetricsTranslator(new DeltaAccumulator(1000, 10)).translate(OtlpMetricsTranslator.parseJson(json), 0, r);
        assertThat(r.samples).containsExactly(Map.entry("requests_total{code=\"200\", job=\"api\"}", T + " 42.0"));
        assertThatThrownBy(() -> OtlpMetricsTranslator.parseJson("{\"resourceMetrics\": 3}"))
                .isInstanceOf(MalformedRequestException.class).hasMessageStartingWith("cannot parse the OTLP JSON body");
        assertThatThrownBy(() -> OtlpMetricsTranslator.parseProtobuf(new byte[] {10, 100, 1}))
                .isInstanceOf(MalformedRequestException.class).hasMessageStartingWith("cannot parse the OTLP protobuf body");
    }

    @Test
    void mutatedRequests_onlyEverTranslateOrFailWithAReason() {
        byte[] valid = request(SERVICE, deltaCounter(NANOS, 1), Metric.newBuilder().setName("h").setHistogram(Histogram
                .newBuilder().addDataPoints(HistogramDataPoint.newBuilder().setCount(2).addExplicitBounds(1)
                        .addAllBucketCounts(List.of(1L, 1L)))).build()).toByteArray();
        java.util.Random random = new java.util.Random(4318);
        int decoded = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] b = valid.clone();
            for (int k = 0; k < 1 + random.nextInt(3); k++) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            try {
                ExportMetricsServiceRequest r = OtlpMetricsTranslator.parseProtobuf(b);
                Recorder rec = new Recorder();
                new OtlpMetricsTranslator(new DeltaAccumulator(1000, 100)).translate(r, T, rec);
                assertThat(rec.samples.keySet()).allSatisfy(l -> assertThat(l).isNotEmpty());
                decoded++;
            } catch (MalformedRequestException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
        assertThat(decoded).isPositive();
    }

    @Test
    void mutatedJson_onlyEverParsesOrFailsWithAReason() {
        String json = "{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":"
                + "{\"stringValue\":\"api\"}}]},\"scopeMetrics\":[{\"metrics\":[{\"name\":\"r\",\"sum\":{\"isMonotonic\":true,"
                + "\"aggregationTemporality\":1,\"dataPoints\":[{\"timeUnixNano\":\"1800000000000000000\",\"asInt\":\"4\"}]}}]}]}]}";
        java.util.Random random = new java.util.Random(4317);
        int parsed = 0;
        for (int i = 0; i < 3000; i++) {
            String text = io.sightline.testkit.Mutations.mutate(random, json, "{}[]\":,0123456789.-eEtruefalsn ");
            try {
                ExportMetricsServiceRequest r = OtlpMetricsTranslator.parseJson(text);
                new OtlpMetricsTranslator(new DeltaAccumulator(1000, 100)).translate(r, T, new Recorder());
                parsed++;
            } catch (MalformedRequestException expected) {
                assertThat(expected.getMessage()).startsWith("cannot parse the OTLP JSON body");
            }
        }
        assertThat(parsed).isPositive();
    }
}
