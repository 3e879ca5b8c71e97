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

    /**
     * Bodies are decompressed into a buffer the thread reuses: a large request, then smaller ones, then one
     * larger than the buffer, each decode as the same bytes decoded directly, with nothing of the one before.
     */
    @Test
    void snappyBodies_oneAfterAnother_reuseTheBuffer_withoutMixingThem() throws Exception {
        java.util.Random random = new java.util.Random(11);
        int[] seriesCounts = {3_000, 1, 40, 0, 2_500, 60_000, 7};
        for (int count : seriesCounts) {
            WriteRequestBuilder b = new WriteRequestBuilder();
            for (int i = 0; i < count; i++) {
                b.series(new String[] {"__name__", "m" + random.nextInt(50), "i", Integer.toString(i)},
                        new long[] {random.nextInt(1000)}, new double[] {random.nextGaussian()});
            }
            byte[] req = b.build();
            Recorder viaSnappy = new Recorder();
            Recorder direct = new Recorder();
            var got = DECODER.decodeSnappy(Snappy.compress(req), viaSnappy);
            var want = new RemoteWriteDecoder(64L << 20, new EncodedLabels()).decode(req, 0, req.length, direct);
            assertThat(got).as("%d series", count).isEqualTo(want);
            assertThat(viaSnappy.got).as("%d series", count).isEqualTo(direct.got);
        }
        // A body whose snappy header promises more than its data holds is malformed, not a stale buffer's bytes.
        byte[] full = Snappy.compress(new WriteRequestBuilder()
                .series(new String[] {"__name__", "up"}, new long[] {1}, new double[] {1}).build());
        byte[] cut = Arrays.copyOf(full, full.length - 3);
        assertThatThrownBy(() -> DECODER.decodeSnappy(cut, new Recorder()))
                .isInstanceOf(MalformedRequestException.class);
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
    /**
     * Label sets found again by their bytes decode exactly as decoding them afresh does: random series
     * (names from a small pool in any order, duplicates, empty, non-ASCII and long values, invalid names)
     * sent over and over, against a decoder whose cache starts empty for every request.
     */
    @Test
    void cachedLabels_decodeAsAfresh_seeded() throws Exception {
        Random random = new Random(77);
        String[] names = {"__name__", "job", "instance", "le", "mode", "cpu", "path", "1bad", "device"};
        String[] values = {"", "a", "node", "http_requests_total", "x:9100", "é", "ü-Ω", "v".repeat(200), "0.5"};
        List<String[]> pool = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            int k = 1 + random.nextInt(6);
            String[] l = new String[2 * k];
            for (int j = 0; j < k; j++) {
                l[2 * j] = names[random.nextInt(names.length)];
                l[2 * j + 1] = random.nextInt(4) == 0 ? values[random.nextInt(values.length)] : "v" + random.nextInt(5);
            }
            if (random.nextBoolean()) {
                l[0] = "__name__";
                l[1] = "m" + random.nextInt(3);
            }
            if (random.nextBoolean()) { // sorted by name, as Prometheus sends them: these are cached
                Integer[] order = new Integer[k];
                for (int j = 0; j < k; j++) {
                    order[j] = j;
                }
                String[] unsorted = l.clone();
                Arrays.sort(order, (x, y) -> unsorted[2 * x].compareTo(unsorted[2 * y]));
                for (int j = 0; j < k; j++) {
                    l[2 * j] = unsorted[2 * order[j]];
                    l[2 * j + 1] = unsorted[2 * order[j] + 1];
                }
            }
            pool.add(l);
        }
        EncodedLabels shared = new EncodedLabels();
        RemoteWriteDecoder cached = new RemoteWriteDecoder(64L << 20, shared);
        for (int iter = 0; iter < 300; iter++) {
            WriteRequestBuilder b = new WriteRequestBuilder();
            for (int s = 0; s < 20; s++) {
                b.series(pool.get(random.nextInt(pool.size())), new long[] {iter}, new double[] {s});
            }
            byte[] req = b.build();
            Recorder got = new Recorder();
            Recorder want = new Recorder();
            var result = cached.decode(req, 0, req.length, got);
            var expected = new RemoteWriteDecoder(64L << 20, new EncodedLabels()).decode(req, 0, req.length, want);
            assertThat(got.got).as("request %d", iter).isEqualTo(want.got);
            assertThat(result).isEqualTo(expected);
        }
    }

    @Test
    void cachedLabels_areTheSameInstances_andShareStrings() throws Exception {
        EncodedLabels cache = new EncodedLabels();
        RemoteWriteDecoder d = new RemoteWriteDecoder(64L << 20, cache);
        List<Labels> seen = new ArrayList<>();
        SeriesSink sink = labelsInto(seen);
        for (int i = 0; i < 2; i++) {
            byte[] req = new WriteRequestBuilder()
                    .series(new String[] {"__name__", "up", "instance", "a:1", "job", "node"}, new long[] {i}, new double[] {1})
                    .series(new String[] {"__name__", "up", "instance", "b:1", "job", "node"}, new long[] {i}, new double[] {1})
                    .build();
            d.decode(req, 0, req.length, sink);
        }
        assertThat(seen.get(2)).isSameAs(seen.get(0));
        assertThat(seen.get(3)).isSameAs(seen.get(1));
        assertThat(seen.get(1).name(0)).isSameAs(seen.get(0).name(0));
        assertThat(seen.get(1).get("job")).isSameAs(seen.get(0).get("job"));
    }

    /** A hash collision is a miss: a hit is confirmed against the bytes. */
    @Test
    void sameHash_otherLabels_isAMiss() {
        EncodedLabels cache = new EncodedLabels();
        byte[] a = labelFields("__name__", "up", "job", "a");
        byte[] b = labelFields("__name__", "up", "job", "b");
        Labels la = Labels.of("__name__", "up", "job", "a");
        cache.put(a, 0, a.length, 42, la);
        assertThat(cache.get(a, 0, a.length, 42)).isSameAs(la);
        assertThat(cache.get(b, 0, b.length, 42)).isNull();
        assertThat(cache.get(a, 0, a.length - 1, 42)).isNull();
        // Not cached: the bytes are in another order than the labels, or hold an empty value.
        byte[] unsorted = labelFields("job", "a", "__name__", "up");
        cache.put(unsorted, 0, unsorted.length, 7, la);
        assertThat(cache.get(unsorted, 0, unsorted.length, 7)).isNull();
        byte[] empty = labelFields("__name__", "up", "job", "a", "x", "");
        cache.put(empty, 0, empty.length, 8, la);
        assertThat(cache.get(empty, 0, empty.length, 8)).isNull();
    }

    /** Label sets whose hashes pick one set share it, four at a time; a fifth pushes out the oldest. */
    @Test
    void oneSet_holdsFourLabelSets_thenDropsTheOldest() {
        EncodedLabels cache = new EncodedLabels();
        byte[][] fields = new byte[EncodedLabels.WAYS + 1][];
        Labels[] labels = new Labels[fields.length];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = labelFields("__name__", "up", "job", "j" + i);
            labels[i] = Labels.of("__name__", "up", "job", "j" + i);
            // Hashes that differ above the bits that choose the set: all land in set 5.
            cache.put(fields[i], 0, fields[i].length, 5 + ((long) i << 40), labels[i]);
            for (int j = Math.max(0, i - EncodedLabels.WAYS + 1); j <= i; j++) {
                assertThat(cache.get(fields[j], 0, fields[j].length, 5 + ((long) j << 40))).isSameAs(labels[j]);
            }
        }
        assertThat(cache.get(fields[0], 0, fields[0].length, 5)).as("first in, first out").isNull();
    }

    /** 20,000 series sent again are found again, nearly all (a one-way table of 32 K slots missed a third). */
    @Test
    void manySeries_secondRequest_findsNearlyAll() throws Exception {
        RemoteWriteDecoder d = new RemoteWriteDecoder(64L << 20, new EncodedLabels());
        int n = 20_000;
        List<Labels> seen = new ArrayList<>();
        SeriesSink sink = labelsInto(seen);
        for (int round = 0; round < 2; round++) {
            WriteRequestBuilder b = new WriteRequestBuilder();
            for (int i = 0; i < n; i++) {
                b.series(new String[] {"__name__", "node_x", "cpu", Integer.toString(i % 64), "instance",
                        "host-" + (i / 64) + ":9100", "job", "node"}, new long[] {round}, new double[] {i});
            }
            byte[] req = b.build();
            d.decode(req, 0, req.length, sink);
        }
        int same = 0;
        for (int i = 0; i < n; i++) {
            assertThat(seen.get(n + i)).isEqualTo(seen.get(i));
            same += seen.get(n + i) == seen.get(i) ? 1 : 0;
        }
        assertThat(same).as("series found in the cache").isGreaterThan(n * 98 / 100);
    }

    /** A sink that keeps the label set of each series it is handed; an invalid series fails the test. */
    private static SeriesSink labelsInto(List<Labels> seen) {
        return new SeriesSink() {
            @Override
            public void series(Labels labels, long[] timestamps, double[] values, int count) {
                seen.add(labels);
            }

            @Override
            public void invalid(String series, String reason, int samples) {
                throw new AssertionError(reason);
            }
        };
    }

    private static byte[] labelFields(String... pairs) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < pairs.length; i += 2) {
            java.io.ByteArrayOutputStream l = new java.io.ByteArrayOutputStream();
            WriteRequestBuilder.bytesField(l, 1, pairs[i].getBytes(java.nio.charset.StandardCharsets.UTF_8));
            WriteRequestBuilder.bytesField(l, 2, pairs[i + 1].getBytes(java.nio.charset.StandardCharsets.UTF_8));
            WriteRequestBuilder.bytesField(o, 1, l.toByteArray());
        }
        return o.toByteArray();
    }
}
