package io.sightline.ingest.text;

import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
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
 * <p>{@code # TYPE} and {@code # HELP} lines are reported to {@link SeriesSink#metadata}, the help text
 * with its {@code \\} and {@code \n} escapes replaced (any other backslash stays, as in Prometheus); a
 * family without a TYPE line is {@code untyped}, and its unit is always "" (the format has none: a
 * {@code # UNIT} line is a comment here).
 *
 * <p>Any malformed line fails the whole body with the line number and what was expected, before
 * anything reaches the sink: a scrape or an import is stored whole or not at all. Stateless.
 */
public final class TextFormatParser {
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private TextFormatParser() {}

    /**
     * @param defaultTimestampMs the timestamp of samples that carry none
     * @throws MalformedRequestException naming the line and the problem
     */
    public static int parse(String text, long defaultTimestampMs, SeriesSink sink) throws MalformedRequestException {
        ParsedBody body = new ParsedBody("untyped", false);
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
            new Line(text, pos, lineEnd, lineNo).parse(defaultTimestampMs, body);
            pos = end + 1;
        }
        return body.drainTo(sink);
    }

    /** One line being parsed. */
    private static final class Line extends TextLine {
        Line(String text, int start, int end, int lineNo) {
            super(text, start, end, lineNo, "exposition text", true, true);
        }

        void parse(long defaultT, ParsedBody body) throws MalformedRequestException {
            skipBlanks();
            if (pos == end) {
                return;
            }
            if (at('#')) {
                comment(body);
                return;
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
            if (at('{')) {
                pos++;
                labels(b, true);
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
            body.sample(b.build(), t, v);
        }

        private void comment(ParsedBody body) throws MalformedRequestException {
            pos++;
            skipBlanks();
            String keyword = token("");
            if (keyword.equals("HELP")) {
                help(body);
                return;
            }
            if (!keyword.equals("TYPE")) {
                return; // free comments carry nothing
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
            body.type(metric, type);
        }

        /**
         * A HELP line without a metric name followed by a blank has always been accepted as a comment;
         * it still is, and says nothing about any family.
         */
        private void help(ParsedBody body) {
            skipBlanks();
            String metric = name(true);
            if (metric.isEmpty() || (pos < end && !at(' ') && !at('\t'))) {
                return;
            }
            skipBlanks();
            body.help(metric, unescapeHelp(text.substring(pos, end), false));
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
