package io.sightline.promql.parser;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a PromQL query into tokens. Identifiers include keywords (the parser decides by context,
 * since {@code on} or {@code by} are also valid label names); numbers include hex, {@code Inf} and
 * {@code NaN} are left as identifiers; a number followed by a unit is a duration.
 */
final class Lexer {

    private static final java.util.Set<String> OPS2 = java.util.Set.of("==", "!=", ">=", "<=", "=~", "!~");

    private final String q;
    private int pos;
    /** Inside {@code [...]} a colon separates a subquery's range from its step; elsewhere it is part of a name. */
    private int bracketDepth;

    private Lexer(String q) {
        this.q = q;
    }

    static List<Token> tokenize(String query) {
        Lexer lx = new Lexer(query);
        List<Token> out = new ArrayList<>();
        while (true) {
            Token t = lx.next();
            out.add(t);
            if (t.kind() == Token.Kind.EOF) {
                return out;
            }
        }
    }

    private ParseException error(int at, String reason) {
        return new ParseException(q, at, reason);
    }

    private Token next() {
        skipSpaceAndComments();
        int start = pos;
        if (pos >= q.length()) {
            return new Token(Token.Kind.EOF, "", pos, pos);
        }
        char c = q.charAt(pos);
        if (c == '"' || c == '\'' || c == '`') {
            return string(c);
        }
        if (Character.isDigit(c) || (c == '.' && pos + 1 < q.length() && Character.isDigit(q.charAt(pos + 1)))) {
            return number();
        }
        if (isIdentStart(c) && !(c == ':' && bracketDepth > 0)) {
            while (pos < q.length() && isIdentPart(q.charAt(pos)) && !(q.charAt(pos) == ':' && bracketDepth > 0)) {
                pos++;
            }
            return new Token(Token.Kind.IDENT, q.substring(start, pos), start, pos);
        }
        if (pos + 1 < q.length() && OPS2.contains(q.substring(pos, pos + 2))) {
            pos += 2;
            return new Token(Token.Kind.OP, q.substring(start, pos), start, pos);
        }
        if ("+-*/%^<>=(){}[],:@".indexOf(c) >= 0) {
            pos++;
            if (c == '[') {
                bracketDepth++;
            } else if (c == ']' && bracketDepth > 0) {
                bracketDepth--;
            }
            return new Token(Token.Kind.OP, String.valueOf(c), start, pos);
        }
        if (c == '!') {
            throw error(pos, "unexpected character after '!': " + describeChar(pos + 1));
        }
        throw error(pos, "unexpected character: " + describeChar(pos));
    }

    private String describeChar(int at) {
        if (at >= q.length()) {
            return "end of input";
        }
        return "'" + new String(Character.toChars(q.codePointAt(at))) + "'";
    }

    private void skipSpaceAndComments() {
        while (pos < q.length()) {
            char c = q.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else if (c == '#') {
                while (pos < q.length() && q.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    }

    static boolean isIdentPart(char c) {
        return isIdentStart(c) || (c >= '0' && c <= '9');
    }

    private Token number() {
        int start = pos;
        if (q.startsWith("0x", pos) || q.startsWith("0X", pos)) {
            pos += 2;
            int digits = pos;
            while (pos < q.length() && Character.digit(q.charAt(pos), 16) >= 0) {
                pos++;
            }
            if (digits == pos) {
                throw error(start, "bad number or duration syntax: \"" + q.substring(start, pos) + "\"");
            }
            return finishNumber(start);
        }
        while (pos < q.length() && Character.isDigit(q.charAt(pos))) {
            pos++;
        }
        // A duration: digits followed by a unit, possibly several components (1h30m, 5m1ms).
        if (pos < q.length() && "smhdwy".indexOf(q.charAt(pos)) >= 0) {
            int end = pos;
            while (end < q.length() && Character.isLetterOrDigit(q.charAt(end))) {
                end++;
            }
            String text = q.substring(start, end);
            if (Durations.parseMillis(text) < 0) {
                throw error(start, "bad number or duration syntax: \"" + text + "\"");
            }
            pos = end;
            return new Token(Token.Kind.DURATION, text, start, pos);
        }
        if (pos < q.length() && q.charAt(pos) == '.') {
            pos++;
            while (pos < q.length() && Character.isDigit(q.charAt(pos))) {
                pos++;
            }
        }
        if (pos < q.length() && (q.charAt(pos) == 'e' || q.charAt(pos) == 'E')) {
            int save = pos;
            pos++;
            if (pos < q.length() && (q.charAt(pos) == '+' || q.charAt(pos) == '-')) {
                pos++;
            }
            int digits = pos;
            while (pos < q.length() && Character.isDigit(q.charAt(pos))) {
                pos++;
            }
            if (digits == pos) {
                pos = save;
            }
        }
        return finishNumber(start);
    }

    private Token finishNumber(int start) {
        boolean subquerySeparator = pos < q.length() && q.charAt(pos) == ':' && bracketDepth > 0;
        if (!subquerySeparator && pos < q.length() && (isIdentPart(q.charAt(pos)) || q.charAt(pos) == '.')) {
            int end = pos;
            while (end < q.length() && (isIdentPart(q.charAt(end)) || q.charAt(end) == '.')) {
                end++;
            }
            throw error(start, "bad number or duration syntax: \"" + q.substring(start, end) + "\"");
        }
        return new Token(Token.Kind.NUMBER, q.substring(start, pos), start, pos);
    }

    /**
     * A quoted string. Escapes follow Go: {@code \\xHH} and octal escapes are raw bytes, so the value is
     * assembled as UTF-8 bytes and decoded at the end; bytes that are not UTF-8 become U+FFFD, which
     * label-name checks then reject as Prometheus rejects invalid UTF-8.
     */
    private Token string(char quote) {
        int start = pos;
        pos++;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        while (true) {
            if (pos >= q.length()) {
                throw error(start, "unterminated quoted string");
            }
            char c = q.charAt(pos);
            if (c == quote) {
                pos++;
                // new String(bytes, UTF_8) replaces malformed input with U+FFFD.
                String value = new String(bytes.toByteArray(), java.nio.charset.StandardCharsets.UTF_8);
                return new Token(Token.Kind.STRING, value, start, pos);
            }
            if (quote != '`' && c == '\n') {
                throw error(start, "unterminated quoted string");
            }
            if (c == '\\' && quote != '`') {
                pos++;
                escape(quote, bytes);
                continue;
            }
            int cp = q.codePointAt(pos);
            bytes.writeBytes(new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            pos += Character.charCount(cp);
        }
    }

    private static void appendCodePoint(java.io.ByteArrayOutputStream bytes, int cp) {
        bytes.writeBytes(new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Go string-literal escapes, as PromQL uses them. */
    private void escape(char quote, java.io.ByteArrayOutputStream sb) {
        if (pos >= q.length()) {
            throw error(pos, "unterminated quoted string");
        }
        int at = pos - 1;
        char c = q.charAt(pos++);
        switch (c) {
            case 'a' -> sb.write(7);
            case 'b' -> sb.write('\b');
            case 'f' -> sb.write('\f');
            case 'n' -> sb.write('\n');
            case 'r' -> sb.write('\r');
            case 't' -> sb.write('\t');
            case 'v' -> sb.write(11);
            case '\\' -> sb.write('\\');
            case '"', '\'' -> {
                if (c != quote) {
                    throw error(at, "unknown escape sequence '\\" + c + "' in string");
                }
                sb.write(c);
            }
            case 'x' -> sb.write((int) hex(2, at));
            case 'u' -> appendCodePoint(sb, checkedCodePoint(hex(4, at), at));
            case 'U' -> appendCodePoint(sb, checkedCodePoint(hex(8, at), at));
            default -> {
                if (c >= '0' && c <= '7') {
                    int v = c - '0';
                    for (int i = 0; i < 2; i++) {
                        if (pos >= q.length() || q.charAt(pos) < '0' || q.charAt(pos) > '7') {
                            throw error(at, "invalid octal escape sequence in string");
                        }
                        v = v * 8 + (q.charAt(pos++) - '0');
                    }
                    if (v > 255) {
                        throw error(at, "octal escape value > 255 in string");
                    }
                    sb.write(v);
                } else {
                    throw error(at, "unknown escape sequence '\\" + c + "' in string");
                }
            }
        }
    }

    private int checkedCodePoint(long cp, int at) {
        if (cp > Character.MAX_CODE_POINT || (cp >= 0xD800 && cp <= 0xDFFF)) {
            throw error(at, "invalid Unicode code point in escape sequence");
        }
        return (int) cp;
    }

    /** {@code n} hex digits; a long, since eight of them overflow an int. */
    private long hex(int n, int at) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            int d = pos < q.length() ? Character.digit(q.charAt(pos), 16) : -1;
            if (d < 0) {
                throw error(at, "invalid hex escape sequence in string");
            }
            v = v * 16 + d;
            pos++;
        }
        return v;
    }
}
