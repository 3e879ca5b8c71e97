package io.sightline.ingest.remotewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
import io.sightline.testkit.remotewrite.WriteRequestBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xerial.snappy.Snappy;

class RemoteWriteDecoderTest {
    static final class Recorder implements SeriesSink {
        final List<String> got = new ArrayList<>();

        @Override
        public void series(Labels labels, long[] timestamps, double[] values, int count) {
            StringBuilder sb = new StringBuilder(labels.toString());
            for (int i = 0; i < count; i++) {
                sb.append(' ').append(timestamps[i]).append('=').append(values[i]);
            }
            got.add(sb.toString());
        }

        @Override
        public void invalid(String series, String reason, int samples) {
            got.add("INVALID " + series + ": " + reason + " (" + samples + ")");
        }
    }

    static final RemoteWriteDecoder DECODER = new RemoteWriteDecoder(64L << 20);

    @Test
    void decode_seriesAndSamples_skippingUnknownFields() throws Exception {
        byte[] req = new WriteRequestBuilder()
                .series(new String[] {"__name__", "up", "job", "api", "instance", "a:1"}, new long[] {1000, 2000}, new double[] {1, 0})
                .metadata("HELP up whether the target is up")
                .series(new String[] {"job", "web", "__name__", "http_requests_total", "empty", ""}, new long[] {-5},
                        new double[] {Double.NEGATIVE_INFINITY})
                .build();
        Recorder r = new Recorder();
        var result = DECODER.decodeSnappy(Snappy.compress(req), r);
        assertThat(r.got).containsExactly(
                "up{instance=\"a:1\", job=\"api\"} 1000=1.0 2000=0.0",
                "http_requests_total{job=\"web\"} -5=-Infinity");
        assertThat(result).isEqualTo(new RemoteWriteDecoder.Result(2, 3, 0));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "1x,y        | invalid label name \"1x\"",
        "job,a,job,b | duplicate label name \"job\"",
        "job,a       | no metric name (__name__ label)",
        "__name__,a-b| invalid metric name \"a-b\"",
    })
    void invalidSeries_areReported_othersKept(String labels, String reason) throws Exception {
        String[] l = labels.split(",");
        byte[] req = new WriteRequestBuilder()
                .series(l, new long[] {1}, new double[] {1})
                .series(new String[] {"__name__", "ok"}, new long[] {1}, new double[] {2})
                .build();
        Recorder r = new Recorder();
        var result = DECODER.decode(req, 0, req.length, r);
        assertThat(r.got).hasSize(2);
        assertThat(r.got.get(0)).startsWith("INVALID").contains(reason).endsWith("(1)");
        assertThat(r.got.get(1)).isEqualTo("ok 1=2.0");
        assertThat(result.invalidSeries()).isEqualTo(1);
    }

    @Test
    void invalidUtf8_isAnInvalidSeries() throws Exception {
        java.io.ByteArrayOutputStream label = new java.io.ByteArrayOutputStream();
        WriteRequestBuilder.bytesField(label, 1, "__name__".getBytes());
        WriteRequestBuilder.bytesField(label, 2, new byte[] {'a', (byte) 0xC3});
        java.io.ByteArrayOutputStream series = new java.io.ByteArrayOutputStream();
        WriteRequestBuilder.bytesField(series, 1, label.toByteArray());
        byte[] req = new WriteRequestBuilder().rawSeries(series.toByteArray()).build();
        Recorder r = new Recorder();
        DECODER.decode(req, 0, req.length, r);
        assertThat(r.got).singleElement().asString().contains("not valid UTF-8");
    }

    /** Structurally broken requests (the protobuf itself), each with the message a sender gets. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "truncated length|0a|cannot decode remote write request: truncated varint at byte 1",
        "length past the end|0a050a03|cannot decode remote write request: length 5 runs past the end of the message at byte 2",
        "group wire type|0b|cannot decode remote write request: unsupported protobuf wire type 3 at byte 1",
        "varint of 11 bytes|78ffffffffffffffffffff01|cannot decode remote write request: varint longer than 10 bytes at byte 11",
        "truncated sample value|0a05120309000000|cannot decode remote write request: truncated fixed64 at byte 5",
        "truncated label|0a040a020a05|cannot decode remote write request: length 5 runs past the end of the message at byte 6"})
    void malformedRequests_areRefusedWhole_withWhereAndWhy(String name, String hex, String message) {
        byte[] req = java.util.HexFormat.of().parseHex(hex);
        Recorder r = new Recorder();
        assertThatThrownBy(() -> DECODER.decode(req, 0, req.length, r)).isInstanceOf(MalformedRequestException.class)
                .hasMessage(message);
        assertThat(r.got).isEmpty();
    }

    @Test
    void notSnappy_orTooLarge_isMalformed() {
        assertThatThrownBy(() -> DECODER.decodeSnappy("plain protobuf?".getBytes(), new Recorder()))
                .isInstanceOf(MalformedRequestException.class).hasMessageContaining("not snappy-compressed");
        RemoteWriteDecoder small = new RemoteWriteDecoder(10);
        assertThatThrownBy(() -> small.decodeSnappy(Snappy.compress(new byte[100]), new Recorder()))
                .isInstanceOf(MalformedRequestException.class).hasMessageContaining("exceeds the limit of 10 bytes");
    }

    /**
     * Property: any truncation or byte mutation of a valid request either decodes or fails with
     * MalformedRequestException, and a failure hands nothing to the sink.
     */
    @Test
    void mutatedRequests_failCleanly_andStoreNothing_seeded() {
        Random random = new Random(4242);
        WriteRequestBuilder b = new WriteRequestBuilder();
        for (int i = 0; i < 20; i++) {
            b.series(new String[] {"__name__", "m" + i, "k", "v" + i}, new long[] {i, i + 1L}, new double[] {i, -i});
        }
        byte[] valid = b.build();
        int failures = 0;
        for (int iter = 0; iter < 20_000; iter++) {
            byte[] req = iter < valid.length ? Arrays.copyOf(valid, iter) : valid.clone();
            if (iter >= valid.length) {
                for (int k = 0; k < 1 + random.nextInt(4); k++) {
                    req[random.nextInt(req.length)] = (byte) random.nextInt(256);
                }
            }
            Recorder r = new Recorder();
            try {
                DECODER.decode(req, 0, req.length, r);
            } catch (MalformedRequestException e) {
                failures++;
                assertThat(r.got).as("iteration %d: nothing reaches the sink on failure", iter).isEmpty();
                assertThat(e.getMessage()).startsWith("cannot decode remote write request: ");
            } catch (RuntimeException e) {
                throw new AssertionError("iteration " + iter + " threw " + e, e);
            }
        }
        assertThat(failures).as("the mutations do hit malformed cases").isGreaterThan(1000);
    }
}
