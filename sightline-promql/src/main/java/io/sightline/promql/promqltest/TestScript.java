package io.sightline.promql.promqltest;

import io.sightline.promql.parser.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed PromQL test script: {@code load}, {@code clear} and {@code eval} commands with their
 * expectations. The format is Prometheus's {@code promqltest} one; see that package's README.
 */
final class TestScript {

    sealed interface Command {
        int line();
    }

    /** One series of a {@code load} block or an expected result: its text and values. */
    /**
     * One line of a load: a series and its values, or (a line {@code series@st ...}) the start times of a series'
     * samples as offsets from the samples' times in milliseconds, null where none.
     */
    record SeriesLine(String series, List<SeriesValues.Value> values, List<Long> startOffsets, int line) {}

    record Load(long intervalMs, boolean withNhcb, List<SeriesLine> series, int line) implements Command {}

    record Clear(int line) implements Command {}

    /** An expectation line: {@code expect <type> [msg|regex: text]}. */
    record Expect(String type, String matchType, String text) {}

    record Eval(boolean range, long atMs, long startMs, long endMs, long stepMs, String expr, List<Expect> expects,
            List<SeriesLine> expected, String expectedString, boolean rangeVector, long rvStart, long rvEnd,
            long rvStep, int line) implements Command {
        boolean expects(String type) {
            return expects.stream().anyMatch(e -> e.type().equals(type));
        }
    }

    private static final Pattern INSTANT = Pattern.compile("^eval(?:_(fail|warn|info|ordered))?\\s+instant\\s+at\\s+(\\S+)\\s+(.+)$");
    private static final Pattern RANGE = Pattern.compile(
            "^eval(?:_(fail|warn|info|ordered))?\\s+range\\s+from\\s+(\\S+)\\s+to\\s+(\\S+)\\s+step\\s+(\\S+)\\s+(.+)$");
    private static final Pattern LOAD = Pattern.compile("^load(_with_nhcb)?\\s+(\\S+)$");
    private static final Pattern EXPECT = Pattern.compile("^expect\\s+(\\w+)(?:\\s+(msg|regex)\\s*:\\s?(.*))?$");
    private static final Pattern EXPECT_RANGE = Pattern.compile(
            "^expect\\s+range\\s+vector\\s+from\\s+(\\S+)\\s+to\\s+(\\S+)\\s+step\\s+(\\S+)$");
    private static final Pattern EXPECT_STRING = Pattern.compile("^expect\\s+string\\s+(.*)$");

    final List<Command> commands = new ArrayList<>();

    static TestScript parse(String text) {
        TestScript s = new TestScript();
        String[] lines = text.split("\n", -1);
        int i = 0;
        while (i < lines.length) {
            String raw = lines[i];
            String line = raw.strip();
            int lineNo = i + 1;
            i++;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.equals("clear")) {
                s.commands.add(new Clear(lineNo));
                continue;
            }
            Matcher m = LOAD.matcher(line);
            if (m.matches()) {
                long interval = time(m.group(2), lineNo);
                List<SeriesLine> series = new ArrayList<>();
                while (i < lines.length && !lines[i].isBlank() && !startsCommand(lines[i].strip())) {
                    String body = lines[i].strip();
                    if (!body.isEmpty() && !body.startsWith("#")) {
                        series.add(seriesLine(body, i + 1));
                    }
                    i++;
                }
                s.commands.add(new Load(interval, m.group(1) != null, series, lineNo));
                continue;
            }
            Matcher im = INSTANT.matcher(line);
            Matcher rm = RANGE.matcher(line);
            if (im.matches() || rm.matches()) {
                boolean range = rm.matches();
                String legacy = range ? rm.group(1) : im.group(1);
                List<Expect> expects = new ArrayList<>();
                if (legacy != null) {
                    expects.add(new Expect(legacy, null, null));
                }
                List<SeriesLine> expected = new ArrayList<>();
                String expectedString = null;
                boolean rangeVector = false;
                long rvStart = 0;
                long rvEnd = 0;
                long rvStep = 0;
                while (i < lines.length && !lines[i].isBlank() && !startsCommand(lines[i].strip())) {
                    String body = lines[i].strip();
                    int bodyLine = i + 1;
                    i++;
                    if (body.startsWith("#")) {
                        continue;
                    }
                    Matcher rv = EXPECT_RANGE.matcher(body);
                    Matcher es = EXPECT_STRING.matcher(body);
                    Matcher ex = EXPECT.matcher(body);
                    if (rv.matches()) {
                        rangeVector = true;
                        rvStart = time(rv.group(1), bodyLine);
                        rvEnd = time(rv.group(2), bodyLine);
                        rvStep = time(rv.group(3), bodyLine);
                    } else if (es.matches()) {
                        expectedString = unquote(es.group(1).strip());
                    } else if (ex.matches()) {
                        String text3 = ex.group(3);
                        if (text3 != null) {
                            text3 = text3.strip();
                            if (text3.length() >= 2 && text3.startsWith("\"") && text3.endsWith("\"")) {
                                text3 = text3.substring(1, text3.length() - 1);
                            }
                        }
                        expects.add(new Expect(ex.group(1), ex.group(2), text3));
                    } else if (body.startsWith("expected_fail_message ")) {
                        expects.add(new Expect("fail", "msg", body.substring("expected_fail_message ".length())));
                    } else if (body.startsWith("expected_fail_regexp ")) {
                        expects.add(new Expect("fail", "regex", body.substring("expected_fail_regexp ".length())));
                    } else {
                        expected.add(seriesLine(body, bodyLine));
                    }
                }
                if (range) {
                    s.commands.add(new Eval(true, 0, time(rm.group(2), lineNo), time(rm.group(3), lineNo),
                            time(rm.group(4), lineNo), rm.group(5).strip(), expects, expected, expectedString,
                            false, 0, 0, 0, lineNo));
                } else {
                    s.commands.add(new Eval(false, time(im.group(2), lineNo), 0, 0, 0, im.group(3).strip(), expects,
                            expected, expectedString, rangeVector, rvStart, rvEnd, rvStep, lineNo));
                }
                continue;
            }
            throw new IllegalArgumentException("line " + lineNo + ": cannot parse command: " + line);
        }
        return s;
    }

    private static boolean startsCommand(String line) {
        return line.startsWith("eval") || line.startsWith("load") || line.equals("clear");
    }

    /** A series (or a bare scalar) followed by values; the series part may hold spaces inside braces or quotes. */
    static SeriesLine seriesLine(String body, int line) {
        int depth = 0;
        boolean quoted = false;
        int i = 0;
        for (; i < body.length(); i++) {
            char c = body.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
                continue;
            }
            if (c == '"') {
                quoted = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            } else if (Character.isWhitespace(c) && depth == 0) {
                break;
            }
        }
        String series = body.substring(0, i);
        String values = body.substring(i).strip();
        if (series.endsWith("@st")) {
            // Start timestamps of the samples (created timestamps), as durations relative to the samples' times.
            return new SeriesLine(series, List.of(), SeriesValues.parseDurations(values), line);
        }
        if (values.isEmpty()) {
            // A bare value: a scalar result.
            return new SeriesLine("", SeriesValues.parse(series), null, line);
        }
        return new SeriesLine(series, SeriesValues.parse(values), null, line);
    }

    static long time(String text, int line) {
        long ms = Durations.parseMillis(text);
        if (ms >= 0) {
            return ms;
        }
        try {
            return Math.round(Double.parseDouble(text) * 1000);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("line " + line + ": bad time or duration: " + text);
        }
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("`") && s.endsWith("`"))) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }
}
