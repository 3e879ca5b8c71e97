package io.sightline.common;

import java.util.Locale;

/**
 * Byte sizes as written in configs: a plain number of bytes, or a number with a unit. Binary units
 * ({@code KiB MiB GiB TiB}) are powers of 1024, decimal ones ({@code KB MB GB TB}) powers of 1000, and
 * Prometheus's single-letter {@code B KB MB GB TB PB} style is accepted as binary to match
 * {@code --storage.tsdb.retention.size}, which treats {@code 512MB} as 512 MiB.
 */
public final class ByteSize {
    private ByteSize() {}

    /**
     * Parses {@code text} into bytes.
     *
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    public static long parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("empty byte size");
        }
        String s = text.trim();
        int i = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) && s.charAt(i) < 128)) {
            i++;
        }
        if (i == 0) {
            throw bad(text);
        }
        long number;
        try {
            number = Long.parseLong(s.substring(0, i));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("byte size out of range: \"" + text + "\"");
        }
        String unit = s.substring(i).trim().toUpperCase(Locale.ROOT);
        long multiplier = switch (unit) {
            case "", "B" -> 1L;
            case "KIB", "KB", "K" -> 1L << 10;
            case "MIB", "MB", "M" -> 1L << 20;
            case "GIB", "GB", "G" -> 1L << 30;
            case "TIB", "TB", "T" -> 1L << 40;
            case "PIB", "PB", "P" -> 1L << 50;
            default -> throw bad(text);
        };
        try {
            return Math.multiplyExact(number, multiplier);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("byte size out of range: \"" + text + "\"");
        }
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException(
                "not a valid byte size: \"" + text + "\" (expected e.g. 1048576, 512KiB, 64MiB, 10GB)");
    }

    /** A human-readable form with a binary unit, e.g. {@code 64MiB}; exact values only. */
    public static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        int u = 0;
        long v = bytes;
        while (u < units.length - 1 && v != 0 && v % 1024 == 0) {
            v /= 1024;
            u++;
        }
        return v + units[u];
    }
}
