package io.sightline.ingest.text;

import io.sightline.common.Labels;
import io.sightline.common.Names;
import io.sightline.ingest.MalformedRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One line of a text body being parsed, and the lexical pieces the Prometheus text format and
 * OpenMetrics share: names, label sets, escaped label values, Go floats, and errors that name the line
 * and column. The formats differ in strictness: the text format allows blanks (spaces, tabs) around
 * tokens and hexadecimal floats; OpenMetrics allows neither, so its parser turns both off.
 */
class TextLine {
    private static final Pattern HEX_FLOAT =
            Pattern.compile("([0-9a-fA-F]+(\\.[0-9a-fA-F]*)?|\\.[0-9a-fA-F]+)[pP][+-]?[0-9]+");

    final String text;
    final int start;
    final int end;
    final int lineNo;
    int pos;
    private final String format;
    private final boolean blanks;
    private final boolean hexFloats;

    /**
     * @param format what the error messages say could not be parsed, e.g. {@code exposition text}
     * @param blanks whether spaces and tabs may surround tokens ({@link #skipBlanks} skips them)
     * @param hexFloats whether values may be hexadecimal floats ({@code 0x1p-2})
     */
    TextLine(String text, int start, int end, int lineNo, String format, boolean blanks, boolean hexFloats) {
        this.text = text;
        this.start = start;
        this.end = end;
        this.lineNo = lineNo;
        this.pos = start;
        this.format = format;
        this.blanks = blanks;
        this.hexFloats = hexFloats;
    }

    final MalformedRequestException error(String what) {
        return error(format, lineNo, pos - start + 1, text.substring(start, end), what);
    }

    static MalformedRequestException error(String format, int lineNo, int column, String line, String what) {
        if (line.length() > 120) {
            line = line.substring(0, 117) + "...";
        }
        return new MalformedRequestException("cannot parse " + format + ": line " + lineNo + ": " + what
                + " (at column " + column + " of \"" + line + "\")");
    }

    final boolean at(char c) {
        return pos < end && text.charAt(pos) == c;
    }

    final boolean startsWith(String s) {
        return end - pos >= s.length() && text.startsWith(s, pos);
    }

    /** Skips spaces and tabs, where the format allows them. */
    final void skipBlanks() {
        if (!blanks) {
            return;
        }
        while (pos < end && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
            pos++;
        }
    }

    /** The text up to the next space (or tab, where blanks are allowed) or the end of the line. */
    final String token(String what) throws MalformedRequestException {
        int s = pos;
        while (pos < end && text.charAt(pos) != ' ' && (!blanks || text.charAt(pos) != '\t')) {
            pos++;
        }
        if (s == pos && !what.isEmpty()) {
            throw error("expected " + what);
        }
        return text.substring(s, pos);
    }

    /** The longest metric name ({@code [a-zA-Z_:][a-zA-Z0-9_:]*}) or label name at pos; "" if none. */
    final String name(boolean metric) {
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

    /**
     * Label pairs up to and including the closing brace; pos is just after the opening one. A trailing
     * comma is allowed; duplicate names are not.
     *
     * @param b receives the pairs; null to only validate them (exemplars, which are not stored)
     * @param sampleLabels whether these are a sample's labels, which must not repeat the metric name
     *     as {@code __name__}
     */
    final void labels(Labels.Builder b, boolean sampleLabels) throws MalformedRequestException {
        List<String> seen = new ArrayList<>();
        while (true) {
            skipBlanks();
            if (at('}')) {
                pos++;
                return;
            }
            String label = name(false);
            if (label.isEmpty() || !Names.isValidLabelName(label)) {
                throw error("expected a label name or '}'");
            }
            if (sampleLabels && label.equals(Labels.METRIC_NAME)) {
                throw error("label __name__ is not allowed in braces; the metric name comes first");
            }
            if (seen.contains(label)) {
                throw error("duplicate label name \"" + label + "\"");
            }
            seen.add(label);
            skipBlanks();
            if (!at('=')) {
                throw error("expected '=' after label name " + label);
            }
            pos++;
            skipBlanks();
            if (!at('"')) {
                throw error("expected '\"' to open the value of label " + label);
            }
            pos++;
            String value = quoted(label);
            if (b != null) {
                b.add(label, value);
            }
            skipBlanks();
            if (at(',')) {
                pos++;
            } else if (!at('}')) {
                throw error("expected ',' or '}' after the value of label " + label);
            }
        }
    }

    /** A label value with {@code \\}, {@code \"} and {@code \n} escapes, up to its closing quote. */
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

    /** A sample value: a Go float, see {@link #isGoFloat}. */
    final double value(String s) throws MalformedRequestException {
        if (!isGoFloat(s, hexFloats)) {
            throw error("invalid value \"" + s + "\"");
        }
        try {
            return goFloat(s);
        } catch (NumberFormatException e) {
            throw error("invalid value \"" + s + "\""); // belt and braces: a 500 must never come of a value
        }
    }

    /**
     * Whether {@code s} is a float as Go's {@code strconv.ParseFloat} reads it: decimal with an optional
     * exponent, {@code NaN} and the infinities in any case ({@code +Inf}, {@code -inf}, {@code Infinity}),
     * and, if {@code hex}, hexadecimal with a {@code p} exponent. No Java suffixes ({@code 1d}, {@code 1f}).
     */
    static boolean isGoFloat(String s, boolean hex) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "nan", "+inf", "inf", "+infinity", "infinity", "-inf", "-infinity":
                return true;
            default:
                break;
        }
        int i = 0;
        int n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        if (i + 1 < n && s.charAt(i) == '0' && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')) {
            // At least one hex digit in the mantissa: "0xp51" is not a number (a fuzzing finding).
            return hex && HEX_FLOAT.matcher(s.substring(i + 2)).matches();
        }
        int digits = 0;
        while (i < n && isAsciiDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isAsciiDigit(s.charAt(i))) {
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
            while (i < n && isAsciiDigit(s.charAt(i))) {
                i++;
                exp++;
            }
            if (exp == 0) {
                return false;
            }
        }
        return i == n;
    }

    /** The value of {@code s}, which {@link #isGoFloat} accepted. */
    static double goFloat(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "nan":
                return Double.NaN;
            case "+inf", "inf", "+infinity", "infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                return Double.parseDouble(s);
        }
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * Help text with its escapes replaced as Prometheus replaces them: {@code \\} and {@code \n}, and
     * {@code \"} if {@code quotes}. Any other backslash stays as written: help is prose, not identity, and
     * Prometheus keeps it too.
     */
    static String unescapeHelp(String s, boolean quotes) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(i + 1);
                if (e == '\\' || e == 'n' || (quotes && e == '"')) {
                    sb.append(e == 'n' ? '\n' : e);
                    i++;
                    continue;
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
