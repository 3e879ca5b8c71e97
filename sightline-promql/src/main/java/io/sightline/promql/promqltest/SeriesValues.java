package io.sightline.promql.promqltest;

import java.util.ArrayList;
import java.util.List;

/**
 * The expanding value notation of test scripts (and promtool's unit tests): {@code 1 2 3},
 * {@code 0+10x100} (101 values), {@code 5-1x4}, {@code 7x3} (four 7s), {@code _} and {@code _x3}
 * (missing samples), {@code stale} (a staleness marker), {@code {{...}}} (a native histogram, which
 * this engine does not store: reported through {@link Value#histogram()}).
 */
final class SeriesValues {

    private SeriesValues() {}

    /** One position of a series: a float, a missing sample, a stale marker or a native histogram. */
    record Value(double v, boolean omitted, boolean stale, boolean histogram) {
        static final Value OMITTED = new Value(Double.NaN, true, false, false);
        static final Value STALE = new Value(Double.NaN, false, true, false);
        static final Value HISTOGRAM = new Value(Double.NaN, false, false, true);

        static Value of(double v) {
            return new Value(v, false, false, false);
        }
    }

    static List<Value> parse(String text) {
        List<Value> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (text.startsWith("{{", i)) {
                int close = text.indexOf("}}", i);
                if (close < 0) {
                    throw new IllegalArgumentException("unterminated histogram in \"" + text + "\"");
                }
                i = close + 2;
                // A histogram series: {{start}}+{{increment}}xN.
                if (i + 2 < n && (text.charAt(i) == '+' || text.charAt(i) == '-') && text.startsWith("{{", i + 1)) {
                    int close2 = text.indexOf("}}", i + 1);
                    if (close2 < 0) {
                        throw new IllegalArgumentException("unterminated histogram in \"" + text + "\"");
                    }
                    i = close2 + 2;
                }
                int times = 1;
                if (i < n && text.charAt(i) == 'x') {
                    int j = i + 1;
                    while (j < n && Character.isDigit(text.charAt(j))) {
                        j++;
                    }
                    times = Integer.parseInt(text.substring(i + 1, j)) + 1;
                    i = j;
                }
                for (int k = 0; k < times; k++) {
                    out.add(Value.HISTOGRAM);
                }
                continue;
            }
            int j = i;
            while (j < n && !Character.isWhitespace(text.charAt(j))) {
                j++;
            }
            expand(text.substring(i, j), out);
            i = j;
        }
        return out;
    }

    private static void expand(String token, List<Value> out) {
        if (token.equals("_")) {
            out.add(Value.OMITTED);
            return;
        }
        if (token.startsWith("_x")) {
            int times = Integer.parseInt(token.substring(2));
            for (int k = 0; k < times; k++) {
                out.add(Value.OMITTED);
            }
            return;
        }
        if (token.equals("stale")) {
            out.add(Value.STALE);
            return;
        }
        if (token.startsWith("stalex")) {
            int times = Integer.parseInt(token.substring(6));
            for (int k = 0; k < times; k++) {
                out.add(Value.STALE);
            }
            return;
        }
        for (double v : expanding(token, SeriesValues::number)) {
            out.add(Value.of(v));
        }
    }

    /**
     * One token of the expanding notation, {@code a}, {@code axN}, {@code a+bxN} or {@code a-bxN}: its values ({@code N
     * + 1} of them, {@code a} alone without {@code xN}), the terms read by {@code term} ({@code a} with its sign,
     * {@code b} without).
     */
    private static double[] expanding(String token, java.util.function.ToDoubleFunction<String> term) {
        int x = token.lastIndexOf('x');
        if (x <= 0 || x == token.length() - 1 || !token.substring(x + 1).chars().allMatch(Character::isDigit)) {
            return new double[] {term.applyAsDouble(token)};
        }
        String head = token.substring(0, x);
        int times = Integer.parseInt(token.substring(x + 1));
        // head is "a", "a+b" or "a-b"; the sign of a may lead, and exponents carry their own signs.
        int split = -1;
        for (int k = 1; k < head.length(); k++) {
            char c = head.charAt(k);
            char prev = head.charAt(k - 1);
            if ((c == '+' || c == '-') && prev != 'e' && prev != 'E') {
                split = k;
                break;
            }
        }
        double start = term.applyAsDouble(split < 0 ? head : head.substring(0, split));
        double step = 0;
        if (split >= 0) {
            step = term.applyAsDouble(head.substring(split + 1));
            if (head.charAt(split) == '-') {
                step = -step;
            }
        }
        double[] out = new double[times + 1];
        double v = start;
        for (int k = 0; k <= times; k++) {
            out[k] = v;
            v += step;
        }
        return out;
    }

    /**
     * The expanding notation over durations, for the start times of a {@code series@st} line: {@code -30s-1mx2}
     * (-30 s, -90 s, -150 s), {@code -1msx15}, {@code +1m}, {@code 0}, {@code _} (none: null), in milliseconds.
     */
    static List<Long> parseDurations(String text) {
        List<Long> out = new ArrayList<>();
        for (String token : text.strip().split("\\s+")) {
            if (token.isEmpty()) {
                continue;
            }
            if (token.equals("_") || token.startsWith("_x")) {
                int times = token.equals("_") ? 1 : Integer.parseInt(token.substring(2));
                for (int k = 0; k < times; k++) {
                    out.add(null);
                }
                continue;
            }
            for (double ms : expanding(token, SeriesValues::signedDuration)) {
                out.add((long) ms); // whole milliseconds: sums of them are exact in a double
            }
        }
        return out;
    }

    private static long signedDuration(String s) {
        if (s.startsWith("-")) {
            return -signedDuration(s.substring(1));
        }
        String d = s.startsWith("+") ? s.substring(1) : s;
        long ms = d.equals("0") ? 0 : io.sightline.promql.parser.Durations.parseMillis(d);
        if (ms < 0) {
            throw new IllegalArgumentException("not a duration: \"" + s + "\"");
        }
        return ms;
    }

    static double number(String s) {
        String t = s.startsWith("+") ? s.substring(1) : s;
        switch (t.toLowerCase(java.util.Locale.ROOT)) {
            case "inf":
                return Double.POSITIVE_INFINITY;
            case "-inf":
                return Double.NEGATIVE_INFINITY;
            case "nan":
                return Double.NaN;
            default:
                break;
        }
        if (t.startsWith("0x") || t.startsWith("0X")) {
            return Long.parseLong(t.substring(2), 16);
        }
        return Double.parseDouble(t);
    }
}
