package io.sightline.ingest.remoteread;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.proto.ProtoReader;
import io.sightline.ingest.proto.ProtoWriter;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xerial.snappy.Snappy;

class RemoteReadTest {

    static byte[] request(int matcherType, String regex, int... accepted) {
        ProtoWriter q = new ProtoWriter().varintField(1, 1000).varintField(2, 2000)
                .messageField(3, new ProtoWriter().varintField(1, 0).stringField(2, "__name__").stringField(3, "up"))
                .messageField(3, new ProtoWriter().varintField(1, matcherType).stringField(2, "job")
                        .stringField(3, regex));
        ProtoWriter r = new ProtoWriter().messageField(1, q);
        for (int a : accepted) {
            r.varintField(2, a);
        }
        return r.toByteArray();
    }

    @Test
    void decode_queriesMatchersAndResponseTypes() throws Exception {
        RemoteRead.Request r = RemoteRead.decodeSnappy(Snappy.compress(request(2, "api|web", 1, 0)), 1 << 20);
        assertThat(r.acceptedResponseTypes()).containsExactly(1, 0);
        assertThat(r.queries()).hasSize(1);
        RemoteRead.Query q = r.queries().get(0);
        assertThat(q.startMs()).isEqualTo(1000);
        assertThat(q.endMs()).isEqualTo(2000);
        assertThat(q.matchers()).containsExactly(LabelMatcher.equal("__name__", "up"),
                LabelMatcher.regex("job", "api|web"));
    }

    @Test
    void encode_roundTripsThroughAProtobufReader() throws Exception {
        byte[] out = RemoteRead.encodeSnappy(List.of(List.of(new RemoteRead.Series(Labels.of("__name__", "up", "job", "a"),
                new long[] {1000, 2000}, new double[] {1, Double.NaN}))));
        byte[] raw = Snappy.uncompress(out);
        ProtoReader response = new ProtoReader(raw, 0, raw.length, "response");
        assertThat(response.varint()).isEqualTo((1 << 3) | 2);
        ProtoReader result = response.message();
        assertThat(result.varint()).isEqualTo((1 << 3) | 2);
        ProtoReader series = result.message();
        int labels = 0;
        int samples = 0;
        while (series.hasMore()) {
            long key = series.varint();
            ProtoReader m = series.message();
            if (key >>> 3 == 1) {
                labels++;
                m.varint();
                String name = m.string();
                assertThat(name).isIn("__name__", "job");
            } else {
                samples++;
                assertThat(m.varint()).isEqualTo((1 << 3) | 1);
                m.fixed64();
                assertThat(m.varint()).isEqualTo(2 << 3);
                assertThat(m.varint()).isIn(1000L, 2000L);
            }
        }
        assertThat(labels).isEqualTo(2);
        assertThat(samples).isEqualTo(2);
        assertThat(response.hasMore()).isFalse();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of(new byte[] {0x0a, 0x05, 0x08}, "length 5 runs past the end of the message"),
                Arguments.of(new byte[] {0x0a, 0x02, 0x08, (byte) 0x80}, "truncated varint"),
                Arguments.of(request(7, "x"), "unknown matcher type 7"),
                Arguments.of(request(2, "(unclosed"), "invalid regular expression"),
                Arguments.of(new ProtoWriter().messageField(1, new ProtoWriter().varintField(1, 5)).toByteArray(),
                        "a query without matchers"),
                Arguments.of(new byte[] {0x0a, 0x05, 0x1a, 0x03, 0x12, 0x01, (byte) 0xff}, "string is not valid UTF-8"),
                Arguments.of(new byte[] {0x0f}, "unsupported protobuf wire type 7"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedRequests_areRejectedWithTheReason(byte[] raw, String message) {
        assertThatThrownBy(() -> RemoteRead.decode(raw)).isInstanceOf(MalformedRequestException.class)
                .hasMessageContaining(message);
    }

    @Test
    void notSnappy_andTooLarge_areRejected() throws Exception {
        assertThatThrownBy(() -> RemoteRead.decodeSnappy("plain".getBytes(), 1 << 20))
                .hasMessageContaining("not snappy-compressed");
        assertThatThrownBy(() -> RemoteRead.decodeSnappy(Snappy.compress(new byte[4096]), 100))
                .hasMessageContaining("exceeds the limit of 100 bytes");
    }

    /** Property: any mutation of a valid request decodes or fails with MalformedRequestException, nothing else. */
    @Test
    void mutatedRequests_failOnlyCleanly() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        byte[] base = request(2, "api|web.*", 0, 1);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = base.clone();
            int edits = 1 + rnd.nextInt(4);
            for (int e = 0; e < edits; e++) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            if (rnd.nextInt(4) == 0) {
                b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1));
            }
            try {
                RemoteRead.decode(b);
            } catch (MalformedRequestException expected) {
                // a clear rejection
            } catch (RuntimeException ex) {
                throw new AssertionError("seed " + seed + ", input " + java.util.HexFormat.of().formatHex(b), ex);
            }
        }
    }
}
