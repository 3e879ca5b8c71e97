package io.sightline.server.query;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sightline.common.AsciiBuilder;
import io.sightline.common.Labels;
import io.sightline.promql.engine.QueryResult;
import io.sightline.promql.engine.ValueFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** Writes API responses in Prometheus's JSON shapes, values and timestamps formatted as Prometheus does. */
final class ResultJson {

    private static final JsonFactory FACTORY = new JsonFactory();
    /** Bytes of points gathered before they are written out. */
    static final int POINTS_CHUNK = 8192;
    /** Bytes a point's text takes at most in most results: a 10-digit timestamp, 17 digits of value, punctuation. */
    private static final int POINT_BYTES = 36;

    private ResultJson() {}

    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    /** {@code {"status":"success","data":<data>[,"warnings":[...]][,"infos":[...]]}}. */
    static byte[] success(Body data, List<String> warnings, List<String> infos) {
        return success(data, warnings, infos, 256);
    }

    /** {@link #success(Body, List, List)} into a buffer of {@code sizeHint} bytes first: no copy while it grows. */
    static byte[] success(Body data, List<String> warnings, List<String> infos, int sizeHint) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("status", "success");
            g.writeFieldName("data");
            data.write(g);
            writeStrings(g, "warnings", warnings);
            writeStrings(g, "infos", infos);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@code values} as a JSON array field, or nothing when there are none. */
    static void writeStrings(JsonGenerator g, String field, List<String> values) throws IOException {
        if (values == null || values.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    static void labels(JsonGenerator g, Labels l) throws IOException {
        g.writeStartObject();
        for (int i = 0; i < l.size(); i++) {
            g.writeStringField(l.name(i), l.value(i));
        }
        g.writeEndObject();
    }

    private static void point(JsonGenerator g, long t, double v) throws IOException {
        g.writeStartArray();
        g.writeRawValue(ValueFormat.timestamp(t));
        g.writeString(ValueFormat.value(v));
        g.writeEndArray();
    }

    /**
     * The points of a series, {@code [<seconds>,"<value>"]} each, as the content of the array the caller has
     * started. Written as bytes to the generator's stream (the generator flushed first), 8 KiB at a time: a 24 h range
     * of 1,441 points per series is most of a range query's response, and a String per value and per timestamp then
     * chars re-encoded by the generator took most of the time of writing it. The generator sees an empty array, which
     * it closes with a plain {@code ]}; a generator writing to a {@code Writer} or pretty-printing gets every point
     * through its own methods instead.
     */
    private static void points(JsonGenerator g, long[] ts, double[] vs, AsciiBuilder b) throws IOException {
        if (ts.length == 0) {
            return;
        }
        if (!(g.getOutputTarget() instanceof OutputStream out) || g.getPrettyPrinter() != null) {
            for (int i = 0; i < ts.length; i++) {
                point(g, ts[i], vs[i]);
            }
            return;
        }
        g.flush();
        b.clear();
        for (int i = 0; i < ts.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append('[');
            ValueFormat.appendTimestamp(b, ts[i]);
            b.append(",\"");
            ValueFormat.appendValue(b, vs[i]);
            b.append("\"]");
            if (b.length() >= POINTS_CHUNK) {
                b.writeTo(out);
                b.clear();
            }
        }
        b.writeTo(out);
    }

    /**
     * About how many bytes the response to {@code r} takes, for {@link #success(Body, List, List, int)}: a 24 h range
     * of 28 series is 1.4 MB, which a buffer doubling from 256 bytes reaches after copying as much again.
     */
    static int sizeHint(QueryResult r) {
        if (!(r.value() instanceof QueryResult.Matrix m)) {
            return 1024;
        }
        long bytes = 256;
        for (QueryResult.Series s : m.series()) {
            bytes += 128 + (long) s.timestamps().length * POINT_BYTES;
        }
        return (int) Math.min(bytes, 1 << 24); // beyond 16 MiB it grows as it must
    }

    /** {@code {"resultType":..., "result":...[, "stats":...]}}. */
    static void queryData(JsonGenerator g, QueryResult r, boolean stats) throws IOException {
        g.writeStartObject();
        queryFields(g, r, stats);
        g.writeEndObject();
    }

    /** The fields of {@link #queryData} into an object the caller has started. */
    static void queryFields(JsonGenerator g, QueryResult r, boolean stats) throws IOException {
        g.writeStringField("resultType", r.type().apiName());
        g.writeFieldName("result");
        QueryResult.Value v = r.value();
        if (v instanceof QueryResult.Scalar s) {
            point(g, s.t(), s.v());
        } else if (v instanceof QueryResult.Str s) {
            g.writeStartArray();
            g.writeRawValue(ValueFormat.timestamp(s.t()));
            g.writeString(s.v());
            g.writeEndArray();
        } else if (v instanceof QueryResult.Vector vec) {
            g.writeStartArray();
            for (QueryResult.Sample smp : vec.samples()) {
                g.writeStartObject();
                g.writeFieldName("metric");
                labels(g, smp.metric());
                g.writeFieldName("value");
                point(g, smp.t(), smp.v());
                g.writeEndObject();
            }
            g.writeEndArray();
        } else {
            g.writeStartArray();
            AsciiBuilder text = new AsciiBuilder(POINTS_CHUNK + 64);
            for (QueryResult.Series s : ((QueryResult.Matrix) v).series()) {
                g.writeStartObject();
                g.writeFieldName("metric");
                labels(g, s.metric());
                g.writeArrayFieldStart("values");
                points(g, s.timestamps(), s.values(), text);
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (stats) {
            QueryResult.Stats st = r.stats();
            g.writeObjectFieldStart("stats");
            g.writeObjectFieldStart("timings");
            // Seconds, as Prometheus. Series are read as the evaluation goes, so no separate preparation
            // phase precedes it: its time is in the evaluation's and queryPreparationTime stays 0.
            g.writeNumberField("evalTotalTime", st.evalNanos() / 1e9);
            g.writeNumberField("resultSortTime", st.sortNanos() / 1e9);
            g.writeNumberField("queryPreparationTime", 0);
            g.writeNumberField("innerEvalTime", (st.evalNanos() - st.sortNanos()) / 1e9);
            g.writeNumberField("execQueueTime", st.queueNanos() / 1e9);
            g.writeNumberField("execTotalTime", (st.queueNanos() + st.evalNanos()) / 1e9);
            g.writeEndObject();
            g.writeObjectFieldStart("samples");
            g.writeNumberField("totalQueryableSamples", st.samplesLoaded());
            g.writeNumberField("peakSamples", st.peakSamples());
            g.writeEndObject();
            g.writeEndObject();
        }
    }
}
