package io.sightline.ingest.text;

import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
import java.util.Set;

/**
 * Parses the OpenMetrics 1.0.0 text format ({@code application/openmetrics-text; version=1.0.0}):
 * <pre>
 * # TYPE http_requests counter
 * # HELP http_requests Requests served.
 * http_requests_total{method="post",code="200"} 1027 1395066363.5 # {trace_id="4bf9"} 1 1395066363.4
 * http_requests_created{method="post",code="200"} 1395066000
 * # EOF
 * </pre>
 * The rules are those Prometheus's own OpenMetrics parser applies, stricter than the text format's:
 * <ul>
 *   <li>Every line ends with a newline, and the body ends with {@code # EOF}, optionally followed by one
 *       newline and nothing else. No blank lines; no blanks around tokens: one space separates the
 *       fields of a sample, none may stand in its label set (a trailing comma is allowed).
 *   <li>{@code #} lines are only {@code # TYPE name type} (counter, gauge, histogram, gaugehistogram,
 *       summary, info, stateset, unknown), {@code # HELP name text} (escapes {@code \\}, {@code \"},
 *       {@code \n}), {@code # UNIT name unit} (the unit, when not empty, ends the name after a
 *       {@code _}) and {@code # EOF}; there are no free comments. They are reported to
 *       {@link SeriesSink#metadata}; a family without a TYPE line is {@code unknown}.
 *   <li>A sample is {@code name{labels} value [timestamp] [# {labels} value [timestamp]]}. The value is a
 *       decimal Go float ({@code NaN}, {@code +Inf}, {@code -Inf} included; no hexadecimal floats, which
 *       Prometheus rejects here). The timestamp is in seconds, a float such as {@code 1520879607.789};
 *       samples without one get the caller's default, unchanged.
 *   <li>The part after {@code #} is an exemplar: validated like a sample, then dropped, as exemplars are
 *       not stored yet.
 *   <li>Sample names are kept exactly as written: counters' {@code _total} and {@code _created}, info's
 *       {@code _info}, histograms' {@code _bucket}, {@code _count}, {@code _sum}. {@code _created} series
 *       are ordinary samples, as Prometheus 2.x stores them, and also the start time of their family's
 *       counting samples with the same labels (see {@link ParsedBody}).
 * </ul>
 *
 * <p>Seconds become milliseconds as Prometheus converts them, {@code (long) (seconds * 1000)}: truncated
 * toward zero, so a timestamp with no exact binary form can land a millisecond early ({@code 1.005}
 * becomes 1004). Matching Prometheus here means the same exposition is stored at the same times by
 * both. Timestamps beyond the range of milliseconds are an error (Prometheus would store whatever the
 * conversion overflowed to).
 *
 * <p>Like Prometheus, this does not check that sample names fit their family's type, that families are
 * not interleaved, or that metadata comes before samples. Stricter than Prometheus, for the same
 * reasons as the text format: an unknown escape in a label value, a repeated label name and a
 * {@code __name__} label in braces are errors.
 *
 * <p>Any malformed line fails the whole body with the line number and what was expected, before anything
 * reaches the sink: a body is stored whole or not at all. Stateless.
 */
public final class OpenMetricsParser {
    private static final String FORMAT = "OpenMetrics text";
    private static final String EOF = "# EOF";
    private static final Set<String> TYPES =
            Set.of("counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown");
    /** 2^63 as a double: milliseconds must be strictly inside ±2^63 to be a long (and not the sentinel MIN_VALUE). */
    private static final double LONG_LIMIT = 0x1p63;

    private OpenMetricsParser() {}

    /**
     * @param defaultTimestampMs the timestamp, in milliseconds, of samples that carry none; passed through
     *     unchanged, so a sentinel such as {@link Long#MIN_VALUE} works
     * @return the number of samples handed to the sink
     * @throws MalformedRequestException naming the line and the problem; nothing has reached the sink
     */
    public static int parse(String text, long defaultTimestampMs, SeriesSink sink) throws MalformedRequestException {
        ParsedBody body = new ParsedBody("unknown", true);
        int lineNo = 0;
        int pos = 0;
        int n = text.length();
        while (true) {
            lineNo++;
            int nl = text.indexOf('\n', pos);
            int end = nl < 0 ? n : nl;
            Line line = new Line(text, pos, end, lineNo);
            if (pos == n) {
                throw line.error("missing # EOF at the end of the body");
            }
            if (end - pos == EOF.length() && text.startsWith(EOF, pos)) {
                if (nl >= 0 && nl + 1 < n) {
                    int next = text.indexOf('\n', nl + 1);
                    throw new Line(text, nl + 1, next < 0 ? n : next, lineNo + 1).error("unexpected data after # EOF");
                }
                break;
            }
            line.parse(defaultTimestampMs, body);
            if (nl < 0) {
                line.pos = end;
                throw line.error("missing # EOF at the end of the body");
            }
            pos = nl + 1;
        }
        return body.drainTo(sink);
    }

    /** One line, without its newline, being parsed. */
    private static final class Line extends TextLine {
        Line(String text, int start, int end, int lineNo) {
            super(text, start, end, lineNo, FORMAT, false, false);
        }

        void parse(long defaultT, ParsedBody body) throws MalformedRequestException {
            if (pos == end) {
                throw error("unexpected blank line");
            }
            if (at('#')) {
                descriptor(body);
                return;
            }
            String metric = name(true);
            if (metric.isEmpty()) {
                throw error("expected a metric name");
            }
            Labels.Builder b = Labels.builder();
            b.add(Labels.METRIC_NAME, metric);
            if (at('{')) {
                pos++;
                labels(b, true);
            }
            space("a single space before the value");
            double v = value(token("a value"));
            long t = defaultT;
            if (pos < end) {
                pos++; // the space the value token stopped at
                if (!startsWith("# ")) {
                    t = timestamp(token("a timestamp or an exemplar"));
                    if (pos < end) {
                        pos++;
                        if (!startsWith("# ")) {
                            throw error("expected an exemplar (\"# {\") after the timestamp");
                        }
                    }
                }
                if (pos < end) {
                    exemplar();
                }
            }
            body.sample(b.build(), t, v);
        }

        /** {@code # TYPE}, {@code # HELP} or {@code # UNIT}; {@code # EOF} is the caller's. */
        private void descriptor(ParsedBody body) throws MalformedRequestException {
            pos++;
            space("a space after '#'");
            String keyword = token("");
            if (keyword.equals("EOF")) {
                throw error("unexpected text after # EOF");
            }
            if (!keyword.equals("TYPE") && !keyword.equals("HELP") && !keyword.equals("UNIT")) {
                pos -= keyword.length();
                throw error("expected TYPE, HELP, UNIT or EOF after '# ' (OpenMetrics has no comments)");
            }
            space("a space after # " + keyword);
            String metric = name(true);
            if (metric.isEmpty()) {
                throw error("expected a metric name after # " + keyword);
            }
            space("a space after the metric name in # " + keyword);
            String rest = text.substring(pos, end);
            switch (keyword) {
                case "TYPE" -> {
                    if (!TYPES.contains(rest)) {
                        throw error("unknown metric type \"" + rest + "\" (expected counter, gauge, histogram, "
                                + "gaugehistogram, summary, info, stateset or unknown)");
                    }
                    body.type(metric, rest);
                }
                case "HELP" -> body.help(metric, unescapeHelp(rest, true));
                default -> {
                    if (!rest.isEmpty() && !metric.endsWith("_" + rest)) {
                        throw error("unit \"" + rest + "\" is not the suffix of metric name \"" + metric + "\"");
                    }
                    body.unit(metric, rest);
                }
            }
        }

        /** Validates an exemplar, pos at its {@code "# "}; exemplars are not stored yet. */
        private void exemplar() throws MalformedRequestException {
            pos += 2;
            if (!at('{')) {
                throw error("expected '{' to open the exemplar's labels");
            }
            pos++;
            labels(null, false);
            space("a single space before the exemplar's value");
            value(token("the exemplar's value"));
            if (pos < end) {
                pos++;
                timestamp(token("the exemplar's timestamp"));
                if (pos < end) {
                    throw error("unexpected text after the exemplar");
                }
            }
        }

        private void space(String expected) throws MalformedRequestException {
            if (!at(' ')) {
                throw error("expected " + expected);
            }
            pos++;
        }

        /** Seconds since the epoch, as a float, in milliseconds. */
        private long timestamp(String s) throws MalformedRequestException {
            int at = pos - s.length();
            double seconds = isGoFloat(s, false) ? goFloat(s) : Double.NaN;
            double ms = seconds * 1000;
            if (!(ms > -LONG_LIMIT && ms < LONG_LIMIT)) { // false for NaN and the infinities too
                pos = at;
                throw error("invalid timestamp \"" + s + "\" (expected seconds since the epoch, e.g. 1520879607.789)");
            }
            return (long) ms;
        }
    }
}
