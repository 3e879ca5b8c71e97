package io.sightline.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.AsciiBuilder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValueFormatTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"1435781451781,1435781451.781", "12500,12.500", "12000,12", "0,0", "5,0.005", "-1500,-1.500",
        "-1000,-1", "-5,-0.005", "-999,-0.999", "-9223372036854775808,-9223372036854775.808",
        "9223372036854775807,9223372036854775.807"})
    void timestamp_isSecondsWithMillisecondDigits(long ms, String text) {
        assertThat(ValueFormat.timestamp(ms)).isEqualTo(text).isEqualTo(reference(ms));
        AsciiBuilder b = new AsciiBuilder(1);
        ValueFormat.appendTimestamp(b, ms);
        assertThat(b.toString()).isEqualTo(text);
    }

    /** Seconds to three decimals, the decimals left out when zero: what Prometheus's API writes. */
    private static String reference(long ms) {
        return ms % 1000 == 0 ? Long.toString(ms / 1000) : java.math.BigDecimal.valueOf(ms, 3).toPlainString();
    }

    @Test
    void appendTimestamp_isSecondsToThreeDecimals_seeded() {
        long seed = 1_207L;
        Random r = new Random(seed);
        AsciiBuilder b = new AsciiBuilder(8);
        for (int i = 0; i < 100_000; i++) {
            long ms = i % 2 == 0 ? 1_796_501_820_000L + r.nextInt(86_400_000) : r.nextLong() >> r.nextInt(64);
            b.clear();
            ValueFormat.appendTimestamp(b, ms);
            assertThat(b.toString()).as("seed %d, %d", seed, ms).isEqualTo(reference(ms));
        }
    }
}
