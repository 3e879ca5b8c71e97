package io.sightline.promql.parser;

import io.sightline.common.PromDuration;
import java.time.Duration;

/** Prometheus duration literals in milliseconds, for the lexer and printer (rules in {@link PromDuration}). */
public final class Durations {

    private Durations() {}

    /** Parses a duration such as {@code 1h30m}; returns -1 when {@code text} is not one. */
    public static long parseMillis(String text) {
        try {
            return PromDuration.parse(text).toMillis();
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    /** Formats milliseconds like Prometheus: {@code 1h30m}, {@code 0s}, {@code 1m1ms}. */
    public static String format(long ms) {
        return PromDuration.format(Duration.ofMillis(ms));
    }
}
