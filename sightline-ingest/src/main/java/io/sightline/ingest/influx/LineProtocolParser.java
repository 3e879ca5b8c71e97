package io.sightline.ingest.influx;

import io.sightline.common.Labels;
import io.sightline.ingest.SeriesSink;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the InfluxDB line protocol and maps each numeric field to a Prometheus series:
 * <pre>
 * cpu,host=a,region=eu usage_user=1.5,usage_system=2i,up=true 1700000000000000000
 *   -> cpu_usage_user{host="a",region="eu"} 1.5, cpu_usage_system{...} 2, cpu_up{...} 1
 * </pre>
 * <ul>
 *   <li>The series name is {@code <measurement>_<field>}, or just the measurement for a field named
 *       {@code value}. Characters not allowed in Prometheus names become {@code _} (in names and tag keys).</li>
 *   <li>Floats, integers ({@code 2i}), unsigned integers ({@code 2u}) become floats; booleans 1 and 0;
 *       string fields have no Prometheus equivalent and are skipped, and counted.</li>
 *   <li>Tags become labels; with a database ({@code db} of v1, {@code bucket} of v2) a {@code db} label
 *       is added unless a tag sets it.</li>
 *   <li>Timestamps are in the request's precision ({@code ns} by default) and are truncated to
 *       milliseconds; a line without one gets the time of the request.</li>
 * </ul>
 * As InfluxDB does, a malformed line is refused on its own ({@link SeriesSink#invalid}, with its line
 * number) and the others are stored. Stateless.
 */
public final class LineProtocolParser {
    private static final java.util.regex.Pattern FLOAT =
            java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private LineProtocolParser() {}

    /** Timestamp units of the {@code precision} parameter, as nanoseconds per unit. */
    public enum Precision {
        NS(1L), US(1_000L), MS(1_000_000L), S(1_000_000_000L), M(60_000_000_000L), H(3_600_000_000_000L);

        final long nanos;

        Precision(long nanos) {
            this.nanos = nanos;
        }

        /**
         * Parses v1 ({@code n u ms s m h}) and v2 ({@code ns us ms s}) spellings; null for unknown.
         */
        public static Precision parse(String p) {
            return switch (p) {
                case "n", "ns" -> NS;
                case "u", "us", "µ" -> US;
                case "ms" -> MS;
                case "s" -> S;
                case "m" -> M;
                case "h" -> H;
                default -> null;
            };
        }
    }

    /** What a body held. */
    public record Result(int lines, long samples, int invalidLines, long stringFieldsSkipped) {}

    /**
     * @param db the database or bucket, for the {@code db} label; null for none
     * @param nowMs the timestamp of lines without one
     */
    public static Result parse(String body, Precision precision, String db, long nowMs, SeriesSink sink) {
        int lines = 0;
        long samples = 0;
        int invalid = 0;
        long strings = 0;
        long[] ts = new long[1];
        double[] vs = new double[1];
        for (io.sightline.ingest.Lines l = new io.sightline.ingest.Lines(body); l.next(); ) {
            int lineNo = l.number();
            String line = l.text().strip(); // strip() takes a trailing \r too
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            lines++;
            Point p;
            try {
                p = new LineReader(line).point();
            } catch (IllegalArgumentException e) {
                invalid++;
                sink.invalid("line " + lineNo, e.getMessage(), 1);
                continue;
            }
            long t;
            if (p.timestamp == null) {
                t = nowMs;
            } else {
                try {
                    // Straight to milliseconds: through nanoseconds a valid microsecond timestamp would overflow.
                    t = precision.nanos >= 1_000_000L
                            ? Math.multiplyExact(p.timestamp, precision.nanos / 1_000_000L)
                            : Math.floorDiv(p.timestamp, 1_000_000L / precision.nanos);
                } catch (ArithmeticException e) {
                    invalid++;
                    sink.invalid("line " + lineNo, "timestamp " + p.timestamp + " out of range", 1);
                    continue;
                }
            }
            Labels.Builder base = Labels.builder();
            for (String[] tag : p.tags) {
                base.set(sanitize(tag[0], false), tag[1]);
            }
            if (db != null && !db.isEmpty() && !base.build().has("db")) {
                base.set("db", db);
            }
            Labels tags = base.build();
            String measurement = sanitize(p.measurement, true);
            for (Field f : p.fields) {
                if (f.isString) {
                    strings++;
                    continue;
                }
                String name = f.key.equals("value") ? measurement : measurement + "_" + sanitize(f.key, true);
                ts[0] = t;
                vs[0] = f.value;
                sink.series(tags.toBuilder().set(Labels.METRIC_NAME, name).build(), ts, vs, 1);
                samples++;
            }
        }
        return new Result(lines, samples, invalid, strings);
    }

    /** Maps a name to Prometheus's alphabet: {@code [a-zA-Z_:][a-zA-Z0-9_:]*} for metrics, no colon for labels. */
    static String sanitize(String name, boolean metric) {
        StringBuilder sb = new StringBuilder(name.length() + 1);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (metric && c == ':')
                    || (c >= '0' && c <= '9');
            sb.append(ok ? c : '_');
        }
        if (sb.length() == 0 || Character.isDigit(sb.charAt(0))) {
            sb.insert(0, '_');
        }
        return sb.toString();
    }

    private record Field(String key, double value, boolean isString) {}

    private record Point(String measurement, List<String[]> tags, List<Field> fields, Long timestamp) {}

    /** Reads one line; throws IllegalArgumentException with what was wrong and where. */
    private static final class LineReader {
        private final String s;
        private int pos;

        LineReader(String s) {
            this.s = s;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at column " + (pos + 1));
        }

        /** Reads up to an unescaped delimiter; {@code \\} escapes the next character. */
        private String token(String delimiters, boolean allowEmpty) {
            StringBuilder sb = new StringBuilder();
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == '\\' && pos + 1 < s.length()) {
                    char next = s.charAt(pos + 1);
                    if (delimiters.indexOf(next) >= 0 || next == '\\' || next == '=' || next == ',' || next == ' ') {
                        sb.append(next);
                        pos += 2;
                        continue;
                    }
                }
                if (delimiters.indexOf(c) >= 0) {
                    break;
                }
                sb.append(c);
                pos++;
            }
            if (sb.length() == 0 && !allowEmpty) {
                throw error("empty name");
            }
            return sb.toString();
        }

        Point point() {
            String measurement = token(", ", false);
            List<String[]> tags = new ArrayList<>();
            while (pos < s.length() && s.charAt(pos) == ',') {
                pos++;
                String key = token("=, ", false);
                expect('=', "tag " + key);
                String value = token(", ", false);
                tags.add(new String[] {key, value});
            }
            expect(' ', "measurement and tags");
            skipSpaces();
            List<Field> fields = new ArrayList<>();
            do {
                if (!fields.isEmpty()) {
                    pos++;
                }
                String key = token("=, ", false);
                expect('=', "field " + key);
                fields.add(fieldValue(key));
            } while (pos < s.length() && s.charAt(pos) == ',');
            Long timestamp = null;
            if (pos < s.length()) {
                expect(' ', "fields");
                skipSpaces();
                int start = pos;
                while (pos < s.length() && s.charAt(pos) != ' ') {
                    pos++;
                }
                String t = s.substring(start, pos);
                try {
                    timestamp = Long.parseLong(t);
                } catch (NumberFormatException e) {
                    throw error("invalid timestamp \"" + t + "\"");
                }
                skipSpaces();
                if (pos < s.length()) {
                    throw error("unexpected text after the timestamp");
                }
            }
            return new Point(measurement, tags, fields, timestamp);
        }

        private void skipSpaces() {
            while (pos < s.length() && s.charAt(pos) == ' ') {
                pos++;
            }
        }

        private void expect(char c, String after) {
            if (pos >= s.length() || s.charAt(pos) != c) {
                throw error("expected '" + (c == ' ' ? "space" : String.valueOf(c)) + "' after " + after);
            }
            pos++;
        }

        private Field fieldValue(String key) {
            if (pos < s.length() && s.charAt(pos) == '"') {
                pos++;
                while (pos < s.length() && s.charAt(pos) != '"') {
                    pos += s.charAt(pos) == '\\' ? 2 : 1;
                }
                if (pos >= s.length()) {
                    throw error("unterminated string value of field " + key);
                }
                pos++;
                return new Field(key, 0, true);
            }
            int start = pos;
            while (pos < s.length() && s.charAt(pos) != ',' && s.charAt(pos) != ' ') {
                pos++;
            }
            String v = s.substring(start, pos);
            if (v.isEmpty()) {
                throw error("missing value of field " + key);
            }
            switch (v) {
                case "t", "T", "true", "True", "TRUE":
                    return new Field(key, 1, false);
                case "f", "F", "false", "False", "FALSE":
                    return new Field(key, 0, false);
                default:
                    break;
            }
            char last = v.charAt(v.length() - 1);
            try {
                if (last == 'i') {
                    return new Field(key, Long.parseLong(v.substring(0, v.length() - 1)), false);
                }
                if (last == 'u') {
                    String u = v.substring(0, v.length() - 1);
                    if (u.startsWith("-")) {
                        throw error("negative unsigned integer \"" + v + "\" in field " + key);
                    }
                    return new Field(key, Double.parseDouble(Long.toUnsignedString(Long.parseUnsignedLong(u))), false);
                }
                if (!FLOAT.matcher(v).matches()) {
                    throw error("invalid value \"" + v + "\" of field " + key);
                }
                return new Field(key, Double.parseDouble(v), false);
            } catch (NumberFormatException e) {
                throw error("invalid value \"" + v + "\" of field " + key);
            }
        }
    }
}
