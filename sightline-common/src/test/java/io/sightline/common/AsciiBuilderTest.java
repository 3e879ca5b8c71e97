package io.sightline.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The builder's text against the JDK's and {@link GoFloat}'s, which the query API wrote before. */
class AsciiBuilderTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(longs = {0, 1, -1, 9, 10, 11, 99, 100, 101, 999_999_999, 1_000_000_000, 1_796_588_220,
        999_999_999_999_999_999L, 1_000_000_000_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1})
    void append_long_isLongToString(long v) {
        assertThat(new AsciiBuilder(1).append(v).toString()).isEqualTo(Long.toString(v));
    }

    @Test
    void append_long_aroundEveryPowerOfTen_isLongToString() {
        long p = 1;
        for (int i = 0; i < 19; i++) {
            for (long v : new long[] {p - 1, p, p + 1, -p, 2 * p - 1}) {
                assertThat(new AsciiBuilder(4).append(v).toString()).as("%d", v).isEqualTo(Long.toString(v));
            }
            assertThat(AsciiBuilder.digits(p)).isEqualTo(i + 1);
            if (i > 0) {
                assertThat(AsciiBuilder.digits(p - 1)).isEqualTo(i);
            }
            p *= 10;
        }
    }

    @Test
    void append_randomLongs_areLongToString_seeded() {
        long seed = 20261207L;
        Random r = new Random(seed);
        AsciiBuilder b = new AsciiBuilder(8);
        for (int i = 0; i < 100_000; i++) {
            long v = r.nextLong() >> r.nextInt(64); // every magnitude, both signs
            b.clear();
            assertThat(b.append(v).toString()).as("seed %d, %d", seed, v).isEqualTo(Long.toString(v));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(doubles = {0.0, -0.0, 1, -1, 0.5, 0.1, 1e15, 1e15 - 1, 999_999_999_999_999.9, 1e16, 1e21, 1e22, 1e300,
        1e-7, 1.5e-300, Double.MIN_VALUE, -Double.MIN_VALUE, 2 * Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
        -Double.MAX_VALUE, 0.30000000000000004, 123456.789, 1796588220.5, 9007199254740993.0, Double.NaN,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void appendPlain_isGoFloatPlain(double v) {
        assertThat(new AsciiBuilder(1).appendPlain(v).toString()).isEqualTo(GoFloat.plain(v));
    }

    @Test
    void appendPlain_randomDoubles_areGoFloatPlain_seeded() {
        long seed = 7_700_412L;
        Random r = new Random(seed);
        AsciiBuilder b = new AsciiBuilder(16);
        for (int i = 0; i < 200_000; i++) {
            double v = switch (i % 4) {
                case 0 -> Double.longBitsToDouble(r.nextLong()); // any double: subnormal, huge, NaN payloads
                case 1 -> r.nextLong(1, 5_000_000) / 299.987; // rates: 15 to 17 digits
                case 2 -> Math.rint(r.nextGaussian() * Math.pow(10, r.nextInt(20))); // integers, to 1e20
                default -> r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20);
            };
            b.clear();
            assertThat(b.appendPlain(v).toString()).as("seed %d, bits %x", seed, Double.doubleToRawLongBits(v))
                    .isEqualTo(GoFloat.plain(v));
        }
    }

    @Test
    void appendPadded_writesLeadingZeros() {
        assertThat(new AsciiBuilder(1).appendPadded(7, 3).append('|').appendPadded(0, 1).append('|')
                .appendPadded(123, 3).toString()).isEqualTo("007|0|123");
        assertThatThrownBy(() -> new AsciiBuilder(1).appendPadded(1000, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot write 1000 in 3 digits");
        assertThatThrownBy(() -> new AsciiBuilder(1).appendPadded(-1, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void append_beyondAscii_isRefused_andWritesNothing() {
        AsciiBuilder b = new AsciiBuilder(4).append("ok");
        assertThatThrownBy(() -> b.append('é')).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not an ASCII character: U+e9");
        assertThatThrownBy(() -> b.append("abcé")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not ASCII text: abcé");
        assertThat(b.toString()).isEqualTo("ok");
        assertThat(b.length()).isEqualTo(2);
    }

    @Test
    void manyAppends_growTheBuffer_andWriteToCopiesAll() throws Exception {
        AsciiBuilder b = new AsciiBuilder(1);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            b.append('[').append(1_796_588_220L + 60L * i).append(",\"").appendPlain(i / 7.0).append("\"]");
            expected.append('[').append(1_796_588_220L + 60L * i).append(",\"").append(GoFloat.plain(i / 7.0))
                    .append("\"]");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        b.writeTo(out);
        assertThat(out.toString(java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
        assertThat(b.length()).isEqualTo(expected.length());
    }
}
