package io.sightline.ingest.text;

import io.sightline.common.Labels;
import io.sightline.common.Names;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses the Prometheus text exposition format, version 0.0.4:
 * <pre>
 * # HELP http_requests_total Requests served.
 * # TYPE http_requests_total counter
 * http_requests_total{method="post",code="200"} 1027 1395066363000
 * </pre>
 * One sample per line: a metric name, optional labels in braces (values with {@code \\}, {@code \"} and
 * {@code \n} escapes, a trailing comma allowed), a value (a Go float: {@code 1.5e3}, {@code NaN},
 * {@code +Inf}, {@code -Inf}) and an optional timestamp in milliseconds; samples without one get the
 * caller's default. {@code #} lines are comments, but {@code # TYPE} must name a known type.
 *
 * <p>Any malformed line fails the whole body with the line number and what was expected, before
 * anything reaches the sink: a scrape or an import is stored whole or not at all. Stateless.
 */
public final class TextFormatParser {
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
    private static final java.util.regex.Pattern HEX_FLOAT =
            java.util.regex.Pattern.compile("([0-9a-fA-F]+(\\.[0-9a-fA-F]*)?|\\.[0-9a-fA-F]+)[pP][+-]?[0-9]+");

    private TextFormatParser() {}

    private record Sample(Labels labels, long t, double v) {}

    /**
     * @param defaultTimestampMs the timestamp of samples that carry none
     * @throws MalformedRequestException naming the line and the problem
     */
    public static int parse(String text, long defaultTimestampMs, SeriesSink sink) throws MalformedRequestException {
        List<Sample> samples = new ArrayList<>();
        int lineNo = 0;
        int pos = 0;
        int n = text.length();
        while (pos < n) {
            int end = text.indexOf('\n', pos);
            if (end < 0) {
                end = n;
            }
            lineNo++;
            int lineEnd = end > pos && text.charAt(end - 1) == '\r' ? end - 1 : end;
            Sample s = new Line(text, pos, lineEnd, lineNo).parse(defaultTimestampMs);
            if (s != null) {
                samples.add(s);
            }
            pos = end + 1;
        }
        long[] ts = new long[1];
        double[] vs = new double[1];
        for (Sample s : samples) {
            ts[0] = s.t();
            vs[0] = s.v();
            sink.series(s.labels(), ts, vs, 1);
        }
        return samples.size();
    }

    /** One line being parsed. */
    private static final class Line {
        private final String text;
        private final int start;
        private final int end;
        private final int lineNo;
        private int pos;

        Line(String text, int start, int end, int lineNo) {
            this.text = text;
            this.start = start;
            this.end = end;
            this.lineNo = lineNo;
            this.pos = start;
        }

        private MalformedRequestException error(String what) {
            String line = text.substring(start, end);
            if (line.length() > 120) {
                line = line.substring(0, 117) + "...";
            }
            return new MalformedRequestException("cannot parse exposition text: line " + lineNo + ": " + what
                    + " (at column " + (pos - start + 1) + " of \"" + line + "\")");
        }

        private void skipBlanks() {
            while (pos < end && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
                pos++;
            }
        }

        Sample parse(long defaultT) throws MalformedRequestException {
            skipBlanks();
            if (pos == end) {
                return null;
            }
            if (text.charAt(pos) == '#') {
                comment();
                return null;
            }
            String metric = name(true);
            if (metric.isEmpty()) {
                throw error("expected a metric name");
            }
            Labels.Builder b = Labels.builder();
            b.add(Labels.METRIC_NAME, metric);
            int beforeBlanks = pos;
            skipBlanks();
            boolean blank = pos > beforeBlanks;
            if (pos < end && text.charAt(pos) == '{') {
                pos++;
                labels(b);
                beforeBlanks = pos;
                skipBlanks();
                blank = pos > beforeBlanks;
            }
            if (!blank || pos == end) {
                throw error("expected a space before the value");
            }
            double v = value(token("a value"));
            skipBlanks();
            long t = defaultT;
            if (pos < end) {
                t = timestamp(token("a timestamp"));
                skipBlanks();
                if (pos < end) {
                    throw error("unexpected text after the timestamp");
                }
            }
            return new Sample(b.build(), t, v);
        }

        private void comment() throws MalformedRequestException {
            pos++;
            skipBlanks();
            String keyword = token("");
            if (!keyword.equals("TYPE")) {
                return; // HELP and free comments carry no samples
            }
            skipBlanks();
            String metric = name(true);
            if (metric.isEmpty()) {
                throw error("expected a metric name after # TYPE");
            }
            skipBlanks();
            String type = token("a type");
            if (!TYPES.contains(type)) {
                throw error("unknown metric type \"" + type + "\" (expected counter, gauge, histogram, summary or untyped)");
            }
        }

        private String token(String what) throws MalformedRequestException {
            int s = pos;
            while (pos < end && text.charAt(pos) != ' ' && text.charAt(pos) != '\t') {
                pos++;
            }
            if (s == pos && !what.isEmpty()) {
                throw error("expected " + what);
            }
            return text.substring(s, pos);
        }

        private String name(boolean metric) {
            int s = pos;
            while (pos < end) {
                char c = text.charAt(pos);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (metric && c == ':')
                        || (pos > s && c >= '0' && c <= '9');
                if (!ok) {
                    break;
                }
                pos++;
            }
            return text.substring(s, pos);
        }

        private void labels(Labels.Builder b) throws MalformedRequestException {
            List<String> seen = new ArrayList<>();
            while (true) {
                skipBlanks();
                if (pos < end && text.charAt(pos) == '}') {
                    pos++;
                    return;
                }
                String label = name(false);
                if (label.isEmpty() || !Names.isValidLabelName(label)) {
                    throw error("expected a label name or '}'");
                }
                if (label.equals(Labels.METRIC_NAME)) {
                    throw error("label __name__ is not allowed in braces; the metric name comes first");
                }
                if (seen.contains(label)) {
                    throw error("duplicate label name \"" + label + "\"");
                }
                seen.add(label);
                skipBlanks();
                if (pos >= end || text.charAt(pos) != '=') {
                    throw error("expected '=' after label name " + label);
                }
                pos++;
                skipBlanks();
                if (pos >= end || text.charAt(pos) != '"') {
                    throw error("expected '\"' to open the value of label " + label);
                }
                pos++;
                b.add(label, quoted(label));
                skipBlanks();
                if (pos < end && text.charAt(pos) == ',') {
                    pos++;
                } else if (pos >= end || text.charAt(pos) != '}') {
                    throw error("expected ',' or '}' after the value of label " + label);
                }
            }
        }

        private String quoted(String label) throws MalformedRequestException {
            StringBuilder sb = new StringBuilder();
            while (pos < end) {
                char c = text.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c == '\\') {
                    if (pos >= end) {
                        break;
                    }
                    char e = text.charAt(pos++);
                    switch (e) {
                        case '\\' -> sb.append('\\');
                        case '"' -> sb.append('"');
                        case 'n' -> sb.append('\n');
                        default -> throw error("invalid escape sequence \\" + e + " in the value of label " + label);
                    }
                } else {
                    sb.append(c);
                }
            }
            throw error("unterminated value of label " + label);
        }

        private double value(String s) throws MalformedRequestException {
            switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "nan":
                    return Double.NaN;
                case "+inf", "inf", "+infinity", "infinity":
                    return Double.POSITIVE_INFINITY;
                case "-inf", "-infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
            if (!isGoFloat(s)) {
                throw error("invalid value \"" + s + "\"");
            }
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw error("invalid value \"" + s + "\""); // belt and braces: a 500 must never come of a value
            }
        }

        /** Decimal or hex floats as Go's ParseFloat reads them; no Java suffixes (1d, 1f). */
        private static boolean isGoFloat(String s) {
            int i = 0;
            int n = s.length();
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            if (i + 1 < n && s.charAt(i) == '0' && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')) {
                // At least one hex digit in the mantissa: "0xp51" is not a number (a fuzzing finding).
                return HEX_FLOAT.matcher(s.substring(i + 2)).matches();
            }
            int digits = 0;
            while (i < n && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
                i++;
                digits++;
            }
            if (i < n && s.charAt(i) == '.') {
                i++;
                while (i < n && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
                    i++;
                    digits++;
                }
            }
            if (digits == 0) {
                return false;
            }
            if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                i++;
                if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    i++;
                }
                int exp = 0;
                while (i < n && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
                    i++;
                    exp++;
                }
                if (exp == 0) {
                    return false;
                }
            }
            return i == n;
        }

        private long timestamp(String s) throws MalformedRequestException {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw error("invalid timestamp \"" + s + "\" (expected milliseconds since the epoch)");
            }
        }
    }
}
