package io.sightline.common;

import java.time.Duration;

/**
 * Prometheus's duration format: one or more {@code <number><unit>} terms in decreasing unit order, with
 * units {@code y w d h m s ms} (a year is 365 days, a week 7 days), e.g. {@code 1h30m}, {@code 15s},
 * {@code 500ms}, {@code 0s}. Prometheus rejects units out of order ({@code 30m1h}) and repeated units; so
 * do we, so that a config that loads here loads there too.
 */
public final class PromDuration {
    private static final String[] UNITS = {"y", "w", "d", "h", "m", "s", "ms"};
    private static final long[] UNIT_MILLIS = {
        365L * 86_400_000L, 7L * 86_400_000L, 86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};

    private PromDuration() {}

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with a message that quotes the text and says what is expected
     */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration string");
        }
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        long total = 0;
        int pos = 0;
        int lastUnit = -1;
        while (pos < text.length()) {
            int digitsStart = pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos)) && text.charAt(pos) < 128) {
                pos++;
            }
            if (pos == digitsStart) {
                throw bad(text);
            }
            long number;
            try {
                number = Long.parseLong(text, digitsStart, pos, 10);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("duration out of range: \"" + text + "\"");
            }
            int unit = unitAt(text, pos);
            if (unit < 0) {
                throw bad(text);
            }
            if (unit <= lastUnit) {
                throw new IllegalArgumentException(
                        "not a valid duration string: \"" + text + "\": units must appear once each, largest first");
            }
            lastUnit = unit;
            pos += UNITS[unit].length();
            try {
                total = Math.addExact(total, Math.multiplyExact(number, UNIT_MILLIS[unit]));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("duration out of range: \"" + text + "\"");
            }
        }
        return Duration.ofMillis(total);
    }

    private static int unitAt(String text, int pos) {
        if (text.startsWith("ms", pos)) {
            return 6;
        }
        for (int i = 0; i < 6; i++) {
            if (text.startsWith(UNITS[i], pos)) {
                return i;
            }
        }
        return -1;
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException(
                "not a valid duration string: \"" + text + "\" (expected e.g. 15s, 1m30s, 500ms, 2h, 1d, 1w)");
    }

    /** Formats as Prometheus does: the largest units first, zero units left out, {@code 0s} for zero. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        if (ms < 0) {
            sb.append('-');
            ms = -ms;
        }
        for (int i = 0; i < UNITS.length; i++) {
            long n = ms / UNIT_MILLIS[i];
            if (n > 0) {
                sb.append(n).append(UNITS[i]);
                ms -= n * UNIT_MILLIS[i];
            }
        }
        return sb.toString();
    }
}
