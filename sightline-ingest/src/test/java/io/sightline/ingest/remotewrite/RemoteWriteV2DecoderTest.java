package io.sightline.ingest.remotewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/** Remote write 2.0 requests, encoded here field by field as the specification lays them out. */
class RemoteWriteV2DecoderTest {
    /** Writes a message's fields. */
    interface Fields {
        void write(CodedOutputStream o) throws IOException;
    }

    /** The bytes of a message whose fields {@code fields} writes. */
    static byte[] message(Fields fields) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(b);
        fields.write(o);
        o.flush();
        return b.toByteArray();
    }

    /** Builds {@code io.prometheus.write.v2.Request} bytes. */
    static final class V2 {
        final List<String> symbols = new ArrayList<>(List.of(""));
        final ByteArrayOutputStream series = new ByteArrayOutputStream();

        int sym(String s) {
            int i = symbols.indexOf(s);
            if (i < 0) {
                symbols.add(s);
                i = symbols.size() - 1;
            }
            return i;
        }

        /** A series with labels (name, value, ...) and samples (t, v, ...); extra bytes appended raw inside it. */
        V2 series(String[] labels, double[] samples, byte[] extra) throws IOException {
            byte[] refs = message(r -> {
                for (String l : labels) {
                    r.writeUInt32NoTag(sym(l));
                }
            });
            byte[] ts = message(o -> {
                o.writeByteArray(1, refs);
                for (int i = 0; i < samples.length; i += 2) {
                    double t = samples[i];
                    double v = samples[i + 1];
                    o.writeByteArray(2, message(so -> {
                        so.writeDouble(1, v);
                        so.writeInt64(2, (long) t);
                    }));
                }
                o.writeRawBytes(extra);
            });
            series.write(message(out -> out.writeByteArray(5, ts)));
            return this;
        }

        byte[] bytes() throws IOException {
            return message(o -> {
                for (String s : symbols) {
                    o.writeString(4, s);
                }
                o.writeRawBytes(series.toByteArray());
            });
        }
    }

    static final class Recorder implements SeriesSink {
        final List<String> got = new ArrayList<>();

        @Override
        public void series(Labels labels, long[] t, double[] v, int n) {
            for (int i = 0; i < n; i++) {
                got.add(labels + " " + t[i] + " " + v[i]);
            }
        }

        /** Samples with start times: each line ends with {@code st=} and the sample's start time. */
        @Override
        public void series(Labels labels, long[] t, double[] v, long[] st, int n) {
            for (int i = 0; i < n; i++) {
                got.add(labels + " " + t[i] + " " + v[i] + " st=" + st[i]);
            }
        }

        @Override
        public void invalid(String series, String reason, int samples) {
            got.add("invalid " + series + ": " + reason + " (" + samples + ")");
        }

        @Override
        public void metadata(String family, String type, String help, String unit) {
            got.add("metadata " + family + " " + type + " " + help + " " + unit);
        }
    }

    private static byte[] metadata(int type, int help, int unit) throws IOException {
        byte[] md = message(m -> {
            m.writeEnum(1, type);
            m.writeUInt32(3, help);
            m.writeUInt32(4, unit);
        });
        return message(o -> o.writeByteArray(5, md));
    }

    @Test
    void decodesSeriesWithSharedSymbols_andMetadata() throws Exception {
        V2 v2 = new V2();
        int help = v2.sym("Requests served.");
        v2.series(new String[] {"__name__", "http_requests_total", "code", "200"}, new double[] {1000, 5, 2000, 6},
                metadata(1, help, 0));
        v2.series(new String[] {"__name__", "http_requests_total", "code", "500"}, new double[] {1000, 1}, new byte[0]);
        Recorder rec = new Recorder();
        var result = new RemoteWriteV2Decoder(1 << 20).decodeSnappy(Snappy.compress(v2.bytes()), rec);
        assertThat(rec.got).containsExactly(
                "metadata http_requests_total counter Requests served. ",
                "http_requests_total{code=\"200\"} 1000 5.0",
                "http_requests_total{code=\"200\"} 2000 6.0",
                "http_requests_total{code=\"500\"} 1000 1.0");
        assertThat(result.series()).isEqualTo(2);
        assertThat(result.samples()).isEqualTo(3);
    }

    /** A Sample message with a start_timestamp (field 3), as a series' extra bytes. */
    private static byte[] sampleWithStart(double v, long t, long start) throws IOException {
        byte[] sample = message(so -> {
            so.writeDouble(1, v);
            so.writeInt64(2, t);
            so.writeInt64(3, start);
        });
        return message(o -> o.writeByteArray(2, sample));
    }

    /**
     * Start times: each Sample's start_timestamp, else the series' created_timestamp (the release candidates' field 6)
     * for every sample; a series with neither has none.
     */
    @Test
    void startAndCreatedTimestamps_areTheSamplesStartTimes() throws Exception {
        ByteArrayOutputStream mixed = new ByteArrayOutputStream();
        mixed.write(sampleWithStart(9, 1_700_000_180_000L, 1_700_000_150_000L));
        mixed.write(message(o -> o.writeInt64(6, 1_700_000_000_000L)));
        byte[] body = new V2().series(new String[] {"__name__", "jobs_total"}, new double[] {1_700_000_060_000.0, 3,
                1_700_000_120_000.0, 5}, mixed.toByteArray())
                .series(new String[] {"__name__", "temp"}, new double[] {1_700_000_060_000.0, 21}, new byte[0])
                .series(new String[] {"__name__", "up_total"}, new double[0],
                        sampleWithStart(1, 1_700_000_060_000L, 1_699_999_000_000L)).bytes();
        Recorder rec = new Recorder();
        new RemoteWriteV2Decoder(1 << 20).decode(body, 0, body.length, rec);
        assertThat(rec.got).containsExactly(
                "jobs_total 1700000060000 3.0 st=1700000000000",
                "jobs_total 1700000120000 5.0 st=1700000000000",
                "jobs_total 1700000180000 9.0 st=1700000150000",
                "temp 1700000060000 21.0",
                "up_total 1700000060000 1.0 st=1699999000000");
    }

    @Test
    void invalidSeries_areRefusedAlone() throws Exception {
        byte[] hist = message(h -> h.writeByteArray(3, new byte[] {8, 1}));
        V2 v2 = new V2()
                .series(new String[] {"__name__", "ok", "a", "b"}, new double[] {1, 1}, new byte[0])
                .series(new String[] {"job", "x"}, new double[] {1, 1}, new byte[0])
                .series(new String[] {"__name__", "m", "bad-name", "v"}, new double[] {1, 1}, new byte[0])
                .series(new String[] {"__name__", "m", "a", "1", "a", "2"}, new double[] {1, 1}, new byte[0])
                .series(new String[] {"__name__", "h"}, new double[0], hist);
        Recorder rec = new Recorder();
        var result = new RemoteWriteV2Decoder(1 << 20).decode(v2.bytes(), 0, v2.bytes().length, rec);
        assertThat(rec.got).containsExactly(
                "ok{a=\"b\"} 1 1.0",
                "invalid {job=\"x\"}: no metric name (__name__ label) (1)",
                "invalid m: invalid label name \"bad-name\" (1)",
                "invalid m{a=\"1\"}: duplicate label name \"a\" (1)",
                "invalid h: native histograms are not supported yet (1 dropped) (1)");
        assertThat(result.invalidSeries()).isEqualTo(4);
    }

    @Test
    void malformedRequests_storeNothing_andSayWhy() throws Exception {
        byte[] good = new V2().series(new String[] {"__name__", "m"}, new double[] {1, 1}, new byte[0]).bytes();
        List<Object[]> cases = new ArrayList<>();
        // A reference past the symbol table.
        cases.add(new Object[] {message(o -> {
            o.writeString(4, "");
            o.writeString(4, "__name__");
            o.writeByteArray(5, new byte[] {10, 2, 1, 9});
        }), "labels_refs refers to symbol 9 of 2"});
        // An odd number of references.
        cases.add(new Object[] {message(o -> {
            o.writeString(4, "");
            o.writeString(4, "__name__");
            o.writeByteArray(5, new byte[] {10, 1, 1});
        }), "odd number of labels_refs"});
        // The first symbol is not empty.
        cases.add(new Object[] {message(o -> o.writeString(4, "x")), "the first symbol must be the empty string"});
        // Invalid UTF-8 in a symbol.
        cases.add(new Object[] {new byte[] {34, 2, (byte) 0xC3, 0x28}, "symbol 0 is not valid UTF-8"});
        // Truncated.
        cases.add(new Object[] {java.util.Arrays.copyOf(good, good.length - 3), "runs past the end"});
        for (Object[] c : cases) {
            Recorder rec = new Recorder();
            byte[] body = (byte[]) c[0];
            assertThatThrownBy(() -> new RemoteWriteV2Decoder(1 << 20).decode(body, 0, body.length, rec)).as((String) c[1])
                    .isInstanceOf(MalformedRequestException.class).hasMessageContaining((String) c[1]);
            assertThat(rec.got).isEmpty();
        }
        assertThatThrownBy(() -> new RemoteWriteV2Decoder(10).decodeSnappy(Snappy.compress(good), new Recorder()))
                .hasMessageContaining("exceeds the limit of 10 bytes");
        assertThatThrownBy(() -> new RemoteWriteV2Decoder(1 << 20).decodeSnappy(good, new Recorder()))
                .hasMessageContaining("not snappy-compressed");
    }

    @Test
    void mutatedRequests_decodeWholeOrNotAtAll() throws Exception {
        byte[] good = new V2().series(new String[] {"__name__", "m", "a", "b"}, new double[] {1, 1, 2, 2}, metadata(2, 0, 0))
                .series(new String[] {"__name__", "n"}, new double[] {1, 1}, new byte[0]).bytes();
        java.util.Random random = new java.util.Random(2);
        int decoded = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] b = good.clone();
            for (int k = 0; k < 1 + random.nextInt(3); k++) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            Recorder rec = new Recorder();
            try {
                new RemoteWriteV2Decoder(1 << 20).decode(b, 0, b.length, rec);
                decoded++;
            } catch (MalformedRequestException e) {
                assertThat(rec.got).as("nothing reaches the sink from a malformed request").isEmpty();
            }
        }
        assertThat(decoded).isPositive();
    }
}
