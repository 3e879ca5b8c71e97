package io.sightline.ingest.statsd;

import io.sightline.common.Labels;
import io.sightline.ingest.LineRefused;
import io.sightline.ingest.Lines;
import io.sightline.common.GoFloat;

/**
 * Parses StatsD lines with the DogStatsD extensions, one event per line:
 * <pre>
 * name:value|type[|@sample_rate][|#tag:value,tag2:value2]
 * </pre>
 * <ul>
 *   <li>A packet holds lines separated by {@code \n}; blanks around a line and a {@code \r} before the
 *       newline are ignored, blank lines skipped. One value per line: {@code a:1|c:2|c} is refused.</li>
 *   <li>Types: {@code c} counter, {@code g} gauge ({@code +}/{@code -} before the value: a change of
 *       the current value), {@code ms} timer, {@code h} histogram, {@code d} distribution, {@code s}
 *       set (the value is any string: a member).</li>
 *   <li>The name: every character outside {@code [a-zA-Z0-9_]} ({@code .}, {@code -}, ...) becomes
 *       {@code _}, one per code point; a leading digit gets a {@code _} prefix (statsd_exporter's
 *       escaping).</li>
 *   <li>Values are Go floats ({@link GoFloat}). A counter increment must be finite and not negative (a
 *       Prometheus counter only goes up); an observation must be finite; a gauge may be NaN or infinite.</li>
 *   <li>{@code @rate} must be in (0, 1]. {@code #tags}: {@code key:value} pairs separated by
 *       {@code ,}; the value is everything after the first {@code :}. As statsd_exporter does, a tag
 *       without a value ({@code #canary}), with an empty key or value, or whose key maps to a reserved
 *       {@code __} label name is dropped (and counted), the line kept; keys map to label names like
 *       metric names; a repeated key keeps its last value.</li>
 *   <li>DogStatsD's container field ({@code |c:<id>}) is ignored. Its timestamps ({@code |T<seconds>}),
 *       events ({@code _e{...}}) and service checks ({@code _sc|...}) are refused with a reason.</li>
 * </ul>
 * Stateless.
 */
public final class StatsdParser {
    private StatsdParser() {}

    /** Why a line was refused; {@link #tag} is the value of the {@code reason} label of the self-metrics. */
    public enum Reason implements LineRefused.Reason {
        MALFORMED("malformed"),
        INVALID_VALUE("invalid_value"),
        INVALID_TYPE("invalid_type"),
        INVALID_SAMPLE_RATE("invalid_sample_rate"),
        UNSUPPORTED("unsupported"),
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


    /** Receives what a packet held, line by line. */
    public interface Sink {
        void event(StatsdEvent event);

        /** @param lineNo 1-based, within the packet */
        void refused(int lineNo, LineRefused refusal);
    }

    /** What a packet held: non-blank lines, events, refused lines, tags dropped. */
    public record Result(int lines, int events, int refused, int tagsDropped) {}

    /** Parses every line of a packet. */
    public static Result parse(String packet, Sink sink) {
        int lines = 0;
        int events = 0;
        int refused = 0;
        int dropped = 0;
        for (Lines l = new Lines(packet); l.next(); ) {
            StatsdEvent e;
            try {
                e = parseLine(l.text());
            } catch (LineRefused r) {
                lines++;
                refused++;
                sink.refused(l.number(), r);
                continue;
            }
            if (e != null) {
                lines++;
                events++;
                dropped += e.tagsDropped();
                sink.event(e);
            }
        }
        return new Result(lines, events, refused, dropped);
    }

    /**
     * Parses one line, without its {@code \n}.
     *
     * @return the event, or null for a blank line
     */
    public static StatsdEvent parseLine(String raw) throws LineRefused {
        String line = strip(raw);
        if (line.isEmpty()) {
            return null;
        }
        if (line.startsWith("_e{")) {
            throw new LineRefused(Reason.UNSUPPORTED, "DogStatsD events (_e{...}) are not supported");
        }
        if (line.startsWith("_sc|")) {
            throw new LineRefused(Reason.UNSUPPORTED, "DogStatsD service checks (_sc|...) are not supported");
        }
        int colon = line.indexOf(':');
        if (colon < 0) {
            throw new LineRefused(Reason.MALFORMED, "missing \":\" between the name and the value");
        }
        if (colon == 0) {
            throw new LineRefused(Reason.MALFORMED, "empty metric name");
        }
        String name = sanitize(line.substring(0, colon));
        String[] parts = line.substring(colon + 1).split("\\|", -1);
        if (parts.length < 2) {
            throw new LineRefused(Reason.MALFORMED, "missing \"|<type>\" after the value");
        }
        String valueText = parts[0];
        if (valueText.isEmpty()) {
            throw new LineRefused(Reason.MALFORMED, "empty value");
        }
        StatsdEvent.Type type = StatsdEvent.Type.of(parts[1]);
        if (type == null) {
            if (parts[1].indexOf(':') >= 0) {
                throw new LineRefused(Reason.INVALID_TYPE, "several values in one line (name:1|c:2|c) are not supported;"
                        + " send one line per value");
            }
            throw new LineRefused(Reason.INVALID_TYPE, "unknown metric type \"" + shorten(parts[1])
                    + "\" (expected c, g, ms, h, d or s)");
        }
        double rate = 1;
        boolean haveRate = false;
        String tagText = null;
        for (int i = 2; i < parts.length; i++) {
            String p = parts[i];
            if (p.isEmpty()) {
                throw new LineRefused(Reason.MALFORMED, "empty field after \"|\"");
            }
            switch (p.charAt(0)) {
                case '@' -> {
                    if (haveRate) {
                        throw new LineRefused(Reason.MALFORMED, "sample rate given twice");
                    }
                    haveRate = true;
                    rate = sampleRate(p.substring(1));
                }
                case '#' -> {
                    if (tagText != null) {
                        throw new LineRefused(Reason.MALFORMED, "tags (|#...) given twice");
                    }
                    tagText = p.substring(1);
                }
                case 'T' -> throw new LineRefused(Reason.UNSUPPORTED, "DogStatsD timestamps (|T...) are not supported:"
                        + " StatsD values are aggregated and stored at each flush");
                default -> {
                    if (!p.startsWith("c:")) { // DogStatsD's container id: nothing to map it to
                        throw new LineRefused(Reason.MALFORMED, "unknown field \"" + shorten(p)
                                + "\" (expected @<sample rate> or #<tags>)");
                    }
                }
            }
        }
        double value = 0;
        boolean relative = false;
        String member = null;
        if (type == StatsdEvent.Type.SET) {
            member = valueText;
        } else {
            try {
                value = GoFloat.parse(valueText);
            } catch (NumberFormatException e) {
                throw new LineRefused(Reason.INVALID_VALUE, "invalid value \"" + shorten(valueText) + "\": " + e.getMessage());
            }
            switch (type) {
                case GAUGE -> relative = valueText.charAt(0) == '+' || valueText.charAt(0) == '-';
                case COUNTER -> {
                    if (!Double.isFinite(value) || value < 0) {
                        throw new LineRefused(Reason.INVALID_VALUE, "counter increment " + shorten(valueText)
                                + (Double.isFinite(value) ? " is negative: a Prometheus counter only goes up (send a gauge)"
                                        : " is not a finite number"));
                    }
                }
                default -> {
                    if (!Double.isFinite(value)) {
                        throw new LineRefused(Reason.INVALID_VALUE, "observation " + shorten(valueText)
                                + " of a " + type.code() + " is not a finite number");
                    }
                }
            }
        }
        Labels.Builder tags = Labels.builder();
        int dropped = tagText == null ? 0 : tags(tagText, tags);
        return new StatsdEvent(name, tags.build(), type, value, relative, rate, member, dropped);
    }

    private static double sampleRate(String s) throws LineRefused {
        double r;
        try {
            r = GoFloat.parse(s);
        } catch (NumberFormatException e) {
            r = Double.NaN;
        }
        if (!(r > 0 && r <= 1)) {
            throw new LineRefused(Reason.INVALID_SAMPLE_RATE, "sample rate \"" + shorten(s)
                    + "\" is not a number greater than 0 and at most 1");
        }
        return r;
    }

    /** Reads {@code k:v,k2:v2}; returns how many tags were dropped. */
    private static int tags(String text, Labels.Builder b) {
        int dropped = 0;
        int pos = 0;
        while (pos <= text.length()) {
            int comma = text.indexOf(',', pos);
            int end = comma < 0 ? text.length() : comma;
            String tag = text.substring(pos, end);
            pos = end + 1;
            int colon = tag.indexOf(':');
            if (colon <= 0 || colon == tag.length() - 1) {
                dropped++; // empty, valueless ("canary"), empty key or empty value
                continue;
            }
            String label = sanitize(tag.substring(0, colon));
            if (label.startsWith("__")) {
                dropped++;
                continue;
            }
            b.set(label, tag.substring(colon + 1));
        }
        return dropped;
    }

    /** statsd_exporter's escaping: {@code [a-zA-Z0-9_]} kept, anything else {@code _}, a leading digit prefixed. */
    static String sanitize(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 1);
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            i += Character.charCount(c);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            sb.append(ok ? (char) c : '_');
        }
        if (sb.length() == 0 || (sb.charAt(0) >= '0' && sb.charAt(0) <= '9')) {
            sb.insert(0, '_');
        }
        return sb.toString();
    }

    private static String strip(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isBlank(s.charAt(a))) {
            a++;
        }
        while (b > a && isBlank(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(a, b);
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
