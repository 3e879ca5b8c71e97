package io.sightline.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NamesTest {

    @ParameterizedTest(name = "label \"{0}\" valid={1}")
    @CsvSource({"job, true", "_x, true", "__name__, true", "a1, true", "1a, false", "a-b, false", "a:b, false",
        "'', false", "é, false"})
    void isValidLabelName(String name, boolean valid) {
        assertThat(Names.isValidLabelName(name)).isEqualTo(valid);
    }

    @ParameterizedTest(name = "metric \"{0}\" valid={1}")
    @CsvSource({"up, true", "job:rate5m:sum, true", ":x, true", "0up, false", "http-requests, false", "'', false"})
    void isValidMetricName(String name, boolean valid) {
        assertThat(Names.isValidMetricName(name)).isEqualTo(valid);
    }
}
