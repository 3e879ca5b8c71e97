package io.sightline.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ByteSizeTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "0, 0",
        "1048576, 1048576",
        "512B, 512",
        "4KiB, 4096",
        "4KB, 4096",
        "64MiB, 67108864",
        "64 MiB, 67108864",
        "2GiB, 2147483648",
        "1TB, 1099511627776",
    })
    void parse_validSize(String text, long bytes) {
        assertThat(ByteSize.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource({"'', not a valid byte size", "MiB, not a valid byte size", "12XB, not a valid byte size",
        "-4, not a valid byte size", "99999999999PiB, out of range"})
    void parse_invalidSize_isRejected(String text, String message) {
        assertThatThrownBy(() -> ByteSize.parse(text)).hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource({"67108864, 64MiB", "1000, 1000B", "0, 0B", "1024, 1KiB"})
    void format_usesLargestExactUnit(long bytes, String text) {
        assertThat(ByteSize.format(bytes)).isEqualTo(text);
    }
}
