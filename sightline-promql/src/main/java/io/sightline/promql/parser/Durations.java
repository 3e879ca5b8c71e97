package io.sightline.promql.parser;

/** Prometheus duration literals: {@code 1h30m}, {@code 5m1ms}, units ms, s, m, h, d, w, y (365 days). */
public final class Durations {

    private Durations() {}

    /** Parses a duration; returns -1 when {@code text} is not one. Components must come largest unit first. */
    public static long parseMillis(String text) {
        if (text.isEmpty()) {
            return -1;
        }
        long total = 0;
        int i = 0;
        int lastRank = Integer.MAX_VALUE;
        while (i < text.length()) {
            int digits = i;
            while (i < text.length() && Character.isDigit(text.charAt(i))) {
                i++;
            }
            if (digits == i || i - digits > 18) {
                return -1;
            }
            long n = Long.parseLong(text.substring(digits, i));
            long unit;
            int rank;
            if (text.startsWith("ms", i)) {
                unit = 1;
                rank = 0;
                i += 2;
            } else if (i < text.length()) {
                char c = text.charAt(i++);
                switch (c) {
                    case 's' -> { unit = 1000L; rank = 1; }
                    case 'm' -> { unit = 60_000L; rank = 2; }
                    case 'h' -> { unit = 3_600_000L; rank = 3; }
                    case 'd' -> { unit = 86_400_000L; rank = 4; }
                    case 'w' -> { unit = 7 * 86_400_000L; rank = 5; }
                    case 'y' -> { unit = 365 * 86_400_000L; rank = 6; }
                    default -> { return -1; }
                }
            } else {
                return -1;
            }
            if (rank >= lastRank) {
                return -1;
            }
            lastRank = rank;
            try {
                total = Math.addExact(total, Math.multiplyExact(n, unit));
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return total;
    }

    /** Formats milliseconds like Prometheus's model.Duration: {@code 1h30m}, {@code 0s}, {@code 1m1ms}. */
    public static String format(long ms) {
        if (ms == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        if (ms < 0) {
            sb.append('-');
            ms = -ms;
        }
        long[] units = {365 * 86_400_000L, 7 * 86_400_000L, 86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
        String[] names = {"y", "w", "d", "h", "m", "s", "ms"};
        for (int i = 0; i < units.length; i++) {
            long n = ms / units[i];
            if (n > 0) {
                sb.append(n).append(names[i]);
                ms -= n * units[i];
            }
        }
        return sb.toString();
    }
}
