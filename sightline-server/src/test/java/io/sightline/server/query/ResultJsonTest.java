package io.sightline.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.Labels;
import io.sightline.promql.engine.QueryResult;
import io.sightline.promql.engine.ValueFormat;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Range results written as bytes straight to the response: the same text a plain Jackson writer gives. */
class ResultJsonTest {

    @Test
    void matrix_isWhatAPlainGeneratorWrites_seeded() throws Exception {
        // One series far over the chunk written at a time, empty ones between.
        matrix_isWhatAPlainGeneratorWrites(4_412L, new int[] {1, 0, 20_000, 1_441, 2, 0, ResultJson.POINTS_CHUNK / 10});
    }

    private static void matrix_isWhatAPlainGeneratorWrites(long seed, int[] sizes) throws Exception {
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
                    case 0 -> Double.longBitsToDouble(r.nextLong()); // NaN, infinities, subnormals, huge
                    case 1 -> Math.rint(r.nextGaussian() * 1e12);
                    case 2 -> r.nextInt(3) - 1.0;
                    default -> r.nextLong(1, 5_000_000) / 299.987;
                };
            }
            series.add(new QueryResult.Series(Labels.of("__name__", "m", "q", "quo\"te\\ é " + n), ts, vs));
        }
        QueryResult result = new QueryResult(new QueryResult.Matrix(series), null, null);

        byte[] written = ResultJson.success(g -> ResultJson.queryData(g, result, false), List.of("a warning"), null,
                ResultJson.sizeHint(result));

        assertThat(new String(written, java.nio.charset.StandardCharsets.UTF_8)).as("seed %d", seed)
                .isEqualTo(plainGenerator(series));
        var parsed = new ObjectMapper().readTree(written).at("/data/result");
        for (int i = 0; i < sizes.length; i++) {
            assertThat(parsed.get(i).get("values").size()).isEqualTo(sizes[i]);
        }
    }

    /** The response as Jackson writes it with a String per timestamp and per value. */
    private static String plainGenerator(List<QueryResult.Series> series) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("status", "success");
            g.writeObjectFieldStart("data");
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
            g.writeArrayFieldStart("warnings");
            g.writeString("a warning");
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
