package io.sightline.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.Labels;
import io.sightline.promql.engine.QueryResult;
import io.sightline.promql.engine.ValueFormat;
import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Range results written as bytes straight to the response: the same text a plain Jackson writer gives. */
class ResultJsonTest {

    @Test
    void matrix_isWhatAPlainGeneratorWrites_seeded() throws Exception {
        // One series far over the chunk written at a time, empty ones between, one of special values.
        long seed = 4_412L;
        int[] sizes = {1, 0, 20_000, 1_441, 2, 0, ResultJson.POINTS_CHUNK / 10};
        List<QueryResult.Series> series = randomSeries(seed, sizes);
        long[] specialTs = {-1_500, -5, 0, 5, 99, 1_000, 1_796_501_820_001L, Long.MAX_VALUE};
        double[] specialVs = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0,
            Double.MIN_VALUE, Double.MAX_VALUE, -Double.MIN_NORMAL};
        series.add(new QueryResult.Series(Labels.of("__name__", "special"), specialTs, specialVs));
        QueryResult result = new QueryResult(new QueryResult.Matrix(series), null, null);

        byte[] written = ResultJson.success(g -> ResultJson.queryData(g, result, false), List.of("a warning"), null,
                ResultJson.sizeHint(result));

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(expected)) {
            g.writeStartObject();
            g.writeStringField("status", "success");
            g.writeFieldName("data");
            plainQueryData(g, series);
            g.writeArrayFieldStart("warnings");
            g.writeString("a warning");
            g.writeEndArray();
            g.writeEndObject();
        }
        assertThat(new String(written, StandardCharsets.UTF_8)).as("seed %d", seed)
                .isEqualTo(expected.toString(StandardCharsets.UTF_8));
        var parsed = new ObjectMapper().readTree(written).at("/data/result");
        for (int i = 0; i < sizes.length; i++) {
            assertThat(parsed.get(i).get("values").size()).isEqualTo(sizes[i]);
        }
        assertThat(new String(written, StandardCharsets.UTF_8)).contains(
                "\"values\":[[-1.500,\"NaN\"],[-0.005,\"+Inf\"],"
                + "[0,\"-Inf\"],[0.005,\"-0\"],[0.099,\"0\"],[1,\"" + ValueFormat.value(Double.MIN_VALUE) + "\"],"
                + "[1796501820.001,\"" + ValueFormat.value(Double.MAX_VALUE) + "\"],[9223372036854775.807,\""
                + ValueFormat.value(-Double.MIN_NORMAL) + "\"]]}");
    }

    @Test
    void stats_timingsInSecondsFromTheQuerysWaitEvaluationAndSort() throws Exception {
        List<QueryResult.Series> series = randomSeries(3L, new int[] {2});
        QueryResult.Stats st = new QueryResult.Stats(120, 40, 3_500_000_000L, 500_000_000L, 0);
        QueryResult result = new QueryResult(new QueryResult.Matrix(series), null, st).withQueueNanos(2_250_000_000L);
        byte[] written = ResultJson.success(g -> ResultJson.queryData(g, result, true), List.of(), null, 1024);
        var stats = new ObjectMapper().readTree(written).at("/data/stats");
        var timings = stats.get("timings");
        assertThat(timings.get("execQueueTime").asDouble()).isEqualTo(2.25);
        assertThat(timings.get("evalTotalTime").asDouble()).isEqualTo(3.5);
        assertThat(timings.get("resultSortTime").asDouble()).isEqualTo(0.5);
        assertThat(timings.get("innerEvalTime").asDouble()).isEqualTo(3.0);
        assertThat(timings.get("execTotalTime").asDouble()).isEqualTo(5.75);
        assertThat(timings.get("queryPreparationTime").asDouble()).isZero();
        assertThat(stats.at("/samples/totalQueryableSamples").asLong()).isEqualTo(120);
        assertThat(stats.at("/samples/peakSamples").asLong()).isEqualTo(40);
    }

    @Test
    void matrix_throughAPrettyPrintingWriter_goesThroughTheGenerator() throws Exception {
        List<QueryResult.Series> series = randomSeries(9L, new int[] {3, 0, 2});
        QueryResult result = new QueryResult(new QueryResult.Matrix(series), null, null);
        StringWriter written = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(written).useDefaultPrettyPrinter()) {
            ResultJson.queryData(g, result, false);
        }
        StringWriter expected = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(expected).useDefaultPrettyPrinter()) {
            plainQueryData(g, series);
        }
        assertThat(written.toString()).isEqualTo(expected.toString()).contains("[ 1796501");
    }

    private static List<QueryResult.Series> randomSeries(long seed, int[] sizes) {
        Random r = new Random(seed);
        List<QueryResult.Series> series = new ArrayList<>();
        for (int n : sizes) {
            long[] ts = new long[n];
            double[] vs = new double[n];
            long t = 1_796_501_820_000L + r.nextInt(1000);
            for (int i = 0; i < n; i++) {
                t += r.nextInt(4) == 0 ? r.nextInt(100_000) : 60_000;
                ts[i] = t;
                vs[i] = switch (r.nextInt(6)) {
                    case 0 -> Double.longBitsToDouble(r.nextLong()); // huge, tiny, now and then NaN
                    case 1 -> Math.rint(r.nextGaussian() * 1e12);
                    case 2 -> r.nextInt(3) - 1.0;
                    default -> r.nextLong(1, 5_000_000) / 299.987;
                };
            }
            series.add(new QueryResult.Series(Labels.of("__name__", "m", "q", "quo\"te\\ é " + n), ts, vs));
        }
        return series;
    }

    /** {@code {"resultType":"matrix","result":[...]}} as Jackson writes it with a String per timestamp and value. */
    private static void plainQueryData(JsonGenerator g, List<QueryResult.Series> series) throws Exception {
        g.writeStartObject();
        g.writeStringField("resultType", "matrix");
        g.writeArrayFieldStart("result");
        for (QueryResult.Series s : series) {
            g.writeStartObject();
            g.writeFieldName("metric");
            ResultJson.labels(g, s.metric());
            g.writeArrayFieldStart("values");
            for (int i = 0; i < s.timestamps().length; i++) {
                g.writeStartArray();
                g.writeRawValue(ValueFormat.timestamp(s.timestamps()[i]));
                g.writeString(ValueFormat.value(s.values()[i]));
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }
}
