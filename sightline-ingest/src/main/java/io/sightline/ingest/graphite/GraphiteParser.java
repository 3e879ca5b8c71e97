package io.sightline.ingest.graphite;

import io.sightline.common.GoFloat;
import io.sightline.common.Labels;
import io.sightline.ingest.LineRefused;
import io.sightline.ingest.Lines;
import io.sightline.ingest.SeriesSink;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Parses Graphite's plaintext protocol (carbon's line receiver, port 2003) and maps each line to one
 * Prometheus sample:
 * <pre>
 * servers.web-1.cpu.load 0.75 1700000000
 *   -> servers_web_1_cpu_load 0.75 @ 1700000000000
 * disk.used;host=a;mount.point=/var 42 1700000000.5
 *   -> disk_used{host="a", mount_point="/var"} 42 @ 1700000000500
 * </pre>
 * <ul>
 *   <li>A line is {@code <path> <value> [<timestamp>]}, fields separated by spaces or tabs; leading and
 *       trailing blanks and a {@code \r} before the newline are ignored, blank lines skipped.</li>
 *   <li>The name is the path with every character outside {@code [a-zA-Z0-9_:]} ({@code .} included)
 *       replaced by {@code _}, one per code point; a leading digit gets a {@code _} prefix.</li>
 *   <li>Graphite 1.1 tags ({@code path;tag=value;...}) become labels. A tag needs a name without
 *       {@code !}, {@code ^} or {@code =} and a non-empty value not starting with {@code ~}, as in
 *       Graphite; otherwise the line is refused. Names are mapped to {@code [a-zA-Z0-9_]} like the path
 *       (no {@code :}); values are kept as written. A repeated name keeps its last value (Graphite keeps a
 *       dict). Two tags are dropped, and counted: {@code name}, which in Graphite is the path itself and
 *       is overwritten by it, and a tag mapping to a reserved {@code __} label name.</li>
 *   <li>The value is a Go float ({@link GoFloat}): NaN and the infinities are stored (carbon drops
 *       NaN; Prometheus stores it).</li>
 *   <li>The timestamp is Unix seconds, possibly fractional, truncated to milliseconds; absent or
 *       {@code -1}: the time of receipt (carbon's convention). Other negative times are refused.</li>
 * </ul>
 * A bad line is refused on its own, with why and, from {@link #parse}, its line number; the others are
 * kept. Stateless.
 */
public final class GraphiteParser {
    /** Longest line accepted, in characters here and in bytes on the socket. */
    public static final int MAX_LINE_LENGTH = 64 * 1024;
    /** Largest timestamp in seconds whose milliseconds fit comfortably in a long. */
    private static final double MAX_SECONDS = 9e15;

    private GraphiteParser() {}

    /** Why a line was refused; {@link #tag} is the value of the {@code reason} label of the self-metrics. */
    public enum Reason implements LineRefused.Reason {
        MALFORMED("malformed"),
        INVALID_VALUE("invalid_value"),
        INVALID_TIMESTAMP("invalid_timestamp"),
        TOO_LONG("too_long"),
        INVALID_UTF8("invalid_utf8");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        @Override
        public String tag() {
            return tag;
        }
    }


    /**
     * One parsed line.
     *
     * @param labels the name ({@code __name__}) and the tags
     * @param tagsDropped tags not made labels ({@code name}, reserved names)
     */
    public record Sample(Labels labels, double value, long timestampMs, int tagsDropped) {}

    /** What a body held: non-blank lines, samples handed to the sink, lines refused, tags dropped. */
    public record Result(int lines, int samples, int refused, int tagsDropped) {}

    /**
     * Parses every line of {@code body}: samples go to {@link SeriesSink#series} one by one, refused
     * lines to {@link SeriesSink#invalid} as {@code line <n>} with the reason.
     *
     * @param nowMs the timestamp of lines without one (or with -1)
     */
    public static Result parse(String body, long nowMs, SeriesSink sink) {
        int lines = 0;
        int samples = 0;
        int refused = 0;
        int dropped = 0;
        long[] ts = new long[1];
        double[] vs = new double[1];
        for (Lines l = new Lines(body); l.next(); ) {
            Sample s;
            try {
                s = parseLine(l.text(), nowMs);
            } catch (LineRefused e) {
                lines++;
                refused++;
                sink.invalid("line " + l.number(), e.getMessage(), 1);
                continue;
            }
            if (s == null) {
                continue;
            }
            lines++;
            samples++;
            dropped += s.tagsDropped();
            ts[0] = s.timestampMs();
            vs[0] = s.value();
            sink.series(s.labels(), ts, vs, 1);
        }
        return new Result(lines, samples, refused, dropped);
    }

    /**
     * Parses one line, without its {@code \n} (a trailing {@code \r} is ignored).
     *
     * @param nowMs the timestamp if the line has none, or -1
     * @return the sample, or null for a blank line
     * @throws LineRefused with the reason
     */
    public static Sample parseLine(String line, long nowMs) throws LineRefused {
        if (line.length() > MAX_LINE_LENGTH) {
            throw new LineRefused(Reason.TOO_LONG, "line of " + line.length() + " characters is longer than the limit of "
                    + MAX_LINE_LENGTH);
        }
        int n = line.length();
        int start = 0;
        while (start < n && isBlank(line.charAt(start))) {
            start++;
        }
        while (n > start && (isBlank(line.charAt(n - 1)) || line.charAt(n - 1) == '\r')) {
            n--;
        }
        if (start == n) {
            return null;
        }
        String[] fields = new String[3];
        int count = 0;
        int i = start;
        while (i < n) {
            int f = i;
            while (i < n && !isBlank(line.charAt(i))) {
                i++;
            }
            if (count < 3) {
                fields[count] = line.substring(f, i);
            }
            count++;
            while (i < n && isBlank(line.charAt(i))) {
                i++;
            }
        }
        if (count < 2 || count > 3) {
            throw new LineRefused(Reason.MALFORMED, "expected \"<path> <value> [<timestamp>]\", got " + count
                    + (count == 1 ? " field" : " fields"));
        }
        double value;
        try {
            value = GoFloat.parse(fields[1]);
        } catch (NumberFormatException e) {
            throw new LineRefused(Reason.INVALID_VALUE, "invalid value \"" + shorten(fields[1]) + "\": " + e.getMessage());
        }
        long t = count == 3 ? timestampMs(fields[2], nowMs) : nowMs;
        Labels.Builder b = Labels.builder();
        int dropped = pathAndTags(fields[0], b);
        return new Sample(b.build(), value, t, dropped);
    }

    /** Reads {@code path[;tag=value]...} into {@code b}; returns the number of tags dropped. */
    private static int pathAndTags(String field, Labels.Builder b) throws LineRefused {
        int semi = field.indexOf(';');
        String path = semi < 0 ? field : field.substring(0, semi);
        if (path.isEmpty()) {
            throw new LineRefused(Reason.MALFORMED, "empty metric path before the tags");
        }
        int dropped = 0;
        int pos = semi;
        while (pos >= 0) {
            int next = field.indexOf(';', pos + 1);
            String tag = field.substring(pos + 1, next < 0 ? field.length() : next);
            pos = next;
            int eq = tag.indexOf('=');
            if (eq < 0) {
                throw new LineRefused(Reason.MALFORMED, tag.isEmpty() ? "empty tag (\";;\" or a trailing \";\")"
                        : "tag \"" + shorten(tag) + "\" has no \"=\"");
            }
            String name = tag.substring(0, eq);
            String value = tag.substring(eq + 1);
            if (name.isEmpty()) {
                throw new LineRefused(Reason.MALFORMED, "tag \"" + shorten(tag) + "\" has an empty name");
            }
            if (name.indexOf('!') >= 0 || name.indexOf('^') >= 0) {
                throw new LineRefused(Reason.MALFORMED, "tag name \"" + shorten(name) + "\" contains \"!\" or \"^\"");
            }
            if (value.isEmpty()) {
                throw new LineRefused(Reason.MALFORMED, "tag \"" + shorten(name) + "\" has an empty value");
            }
            if (value.charAt(0) == '~') {
                throw new LineRefused(Reason.MALFORMED, "the value of tag \"" + shorten(name) + "\" starts with \"~\"");
            }
            String label = sanitize(name, false);
            if (name.equals("name") || label.startsWith("__")) {
                dropped++;
                continue;
            }
            b.set(label, value);
        }
        b.set(Labels.METRIC_NAME, sanitize(path, true));
        return dropped;
    }

    /**
     * Seconds since the epoch to milliseconds, truncated. Decimal text is converted exactly: through a
     * double, {@code 1700000000.123} would become {@code ...122} ms.
     */
    static long timestampMs(String s, long nowMs) throws LineRefused {
        double seconds;
        try {
            seconds = GoFloat.parse(s);
        } catch (NumberFormatException e) {
            seconds = Double.NaN;
        }
        if (seconds == -1) {
            return nowMs;
        }
        if (!(seconds >= 0 && seconds < MAX_SECONDS)) { // NaN and the infinities too
            throw new LineRefused(Reason.INVALID_TIMESTAMP, "invalid timestamp \"" + shorten(s)
                    + "\": expected Unix seconds from 0 to 9e15, or -1 for now");
        }
        String plain = s.replace("_", "");
        boolean hex = plain.contains("x") || plain.contains("X");
        if (seconds < 1 || hex || plain.length() > 64) {
            // Below one second the exact path could meet huge negative exponents (1e-999999); a
            // timestamp in the first second of 1970 or written in hex does not need exactness.
            return (long) (seconds * 1000);
        }
        return new BigDecimal(plain).movePointRight(3).setScale(0, RoundingMode.DOWN).longValueExact();
    }

    /** Maps a name to Prometheus's alphabet: {@code [a-zA-Z0-9_:]} for metric names, no colon for labels. */
    static String sanitize(String name, boolean metric) {
        StringBuilder sb = new StringBuilder(name.length() + 1);
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            i += Character.charCount(c);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || (metric && c == ':');
            sb.append(ok ? (char) c : '_');
        }
        if (sb.length() == 0 || (sb.charAt(0) >= '0' && sb.charAt(0) <= '9')) {
            sb.insert(0, '_');
        }
        return sb.toString();
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
