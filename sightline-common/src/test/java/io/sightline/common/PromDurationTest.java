package io.sightline.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PromDurationTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({
        "0, 0",
        "0s, 0",
        "15s, 15000",
        "500ms, 500",
        "1m30s, 90000",
        "2h, 7200000",
        "1d, 86400000",
        "1w, 604800000",
        "1y, 31536000000",
        "1h30m15s250ms, 5415250",
    })
    void parse_validDuration(String text, long millis) {
        assertThat(PromDuration.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
        "''            | empty duration string",
        "15            | not a valid duration string: \"15\"",
        "s             | not a valid duration string: \"s\"",
        "1.5s          | not a valid duration string: \"1.5s\"",
        "-5s           | not a valid duration string: \"-5s\"",
        "30m1h         | units must appear once each, largest first",
        "1m1m          | units must appear once each, largest first",
        "5 s           | not a valid duration string: \"5 s\"",
        "99999999999y  | duration out of range",
        "fifteen       | not a valid duration string: \"fifteen\"",
    })
    void parse_invalidDuration_namesTheText(String text, String message) {
        assertThatThrownBy(() -> PromDuration.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void format_roundTripsThroughParse_seededRandom() {
        long seed = 20261122L;
        Random random = new Random(seed);
        for (int i = 0; i < 10_000; i++) {
            long ms = (long) (random.nextDouble() * 5 * 365 * 86_400_000L);
            Duration d = Duration.ofMillis(ms);
            String text = PromDuration.format(d);
            assertThat(PromDuration.parse(text)).as("seed %d, %s", seed, text).isEqualTo(d);
        }
    }
}
