package io.sightline.alerting.template;

import io.sightline.common.GoFloat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Go's {@code fmt} for the values a template handles: {@code Sprint} ({@code %v} of each operand, a
 * space between two operands when neither is a string), {@code Sprintln}, and {@code Sprintf} with the
 * verbs {@code %v %s %q %d %f %F %e %E %g %G %x %X %t %T %%}, the flags {@code - + 0 space #}, width
 * and precision (also {@code *}), and Go's error forms for what does not fit
 * ({@code %!d(string=x)}, {@code %!s(MISSING)}, {@code %!(EXTRA int=1)}).
 *
 * <p>Values: {@link String}, {@link Double} (float64), {@link Long} (int), {@link Boolean},
 * {@link Map} (Go maps, printed with sorted keys), {@link List} (slices), {@link Values.Struct},
 * {@link Values.Time}, null (nil) and {@link Values#NO_VALUE}.
 */
final class GoFmt {
    private GoFmt() {}

    /** As Go's fmt: a width or precision above this is refused ({@code %!(BADWIDTH)}, {@code %!(BADPREC)}). */
    static final int TOO_LARGE = 1_000_000;

    /** {@code fmt.Sprint}. */
    static String sprint(List<Object> args) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            if (i > 0 && !(a instanceof String) && !(args.get(i - 1) instanceof String)) {
                sb.append(' ');
            }
            sb.append(value(a));
        }
        return sb.toString();
    }

    /** {@code fmt.Sprintln}: operands separated by spaces, then a newline. */
    static String sprintln(List<Object> args) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(value(args.get(i)));
        }
        return sb.append('\n').toString();
    }

    /** {@code %v} of one value. */
    static String value(Object v) {
        if (v == null) {
            return "<nil>";
        }
        if (v == Values.NO_VALUE) {
            return "<no value>";
        }
        if (v instanceof Double d) {
            return GoFloat.format(d, 'g', -1);
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("map[");
            boolean first = true;
            for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
                if (!first) {
                    sb.append(' ');
                }
                first = false;
                sb.append(value(e.getKey())).append(':').append(value(e.getValue()));
            }
            return sb.append(']').toString();
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    sb.append(' ');
                }
                sb.append(value(l.get(i)));
            }
            return sb.append(']').toString();
        }
        if (v instanceof Values.Struct s) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (Object f : s.fields().values()) {
                if (!first) {
                    sb.append(' ');
                }
                first = false;
                sb.append(value(f));
            }
            return sb.append('}').toString();
        }
        return String.valueOf(v);
    }

    /** {@code %T}. */
    static String typeName(Object v) {
        if (v == null || v == Values.NO_VALUE) {
            return "<nil>";
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Double) {
            return "float64";
        }
        if (v instanceof Long) {
            return "int";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Map<?, ?>) {
            return "map[string]string";
        }
        if (v instanceof List<?>) {
            return "[]interface {}";
        }
        if (v instanceof Values.Struct s) {
            return s.typeName();
        }
        if (v instanceof Values.Time) {
            return "*time.Time";
        }
        return v.getClass().getSimpleName();
    }

    /** {@code fmt.Sprintf}. */
    static String sprintf(String format, List<Object> args) {
        StringBuilder out = new StringBuilder();
        int argi = 0;
        int i = 0;
        int n = format.length();
        while (i < n) {
            char c = format.charAt(i);
            if (c != '%') {
                out.append(c);
                i++;
                continue;
            }
            i++;
            if (i >= n) {
                out.append("%!(NOVERB)");
                break;
            }
            Spec s = new Spec();
            // flags
            for (; i < n; i++) {
                char f = format.charAt(i);
                if (f == '-') {
                    s.minus = true;
                } else if (f == '+') {
                    s.plus = true;
                } else if (f == '0') {
                    s.zero = true;
                } else if (f == ' ') {
                    s.space = true;
                } else if (f == '#') {
                    s.sharp = true;
                } else {
                    break;
                }
            }
            // width
            if (i < n && format.charAt(i) == '*') {
                i++;
                if (argi < args.size() && args.get(argi) instanceof Long w && Math.abs(w) <= TOO_LARGE) {
                    s.width = (int) Math.abs(w);
                    s.minus |= w < 0;
                } else {
                    out.append("%!(BADWIDTH)");
                }
                argi++;
            } else {
                int start = i;
                while (i < n && Character.isDigit(format.charAt(i))) {
                    i++;
                }
                if (i > start) {
                    s.width = Integer.parseInt(format.substring(start, Math.min(i, start + 6)));
                }
            }
            // precision
            if (i < n && format.charAt(i) == '.') {
                i++;
                if (i < n && format.charAt(i) == '*') {
                    i++;
                    if (argi < args.size() && args.get(argi) instanceof Long p && p >= 0 && p <= TOO_LARGE) {
                        s.prec = (int) (long) p;
                    } else {
                        out.append("%!(BADPREC)");
                    }
                    argi++;
                } else {
                    int start = i;
                    while (i < n && Character.isDigit(format.charAt(i))) {
                        i++;
                    }
                    s.prec = i > start ? Integer.parseInt(format.substring(start, Math.min(i, start + 6))) : 0;
                }
            }
            if (i >= n) {
                out.append("%!(NOVERB)");
                break;
            }
            int verb = format.codePointAt(i);
            i += Character.charCount(verb);
            if (verb == '%') {
                out.append('%');
                continue;
            }
            if (argi >= args.size()) {
                out.append("%!").appendCodePoint(verb).append("(MISSING)");
                continue;
            }
            out.append(one(s, verb, args.get(argi++)));
        }
        if (argi < args.size()) {
            out.append("%!(EXTRA ");
            for (int k = argi; k < args.size(); k++) {
                if (k > argi) {
                    out.append(", ");
                }
                out.append(typeName(args.get(k))).append('=').append(value(args.get(k)));
            }
            out.append(')');
        }
        return out.toString();
    }

    private static final class Spec {
        boolean minus;
        boolean plus;
        boolean zero;
        boolean space;
        boolean sharp;
        int width = -1;
        int prec = -1;
    }

    private static String bad(int verb, Object v) {
        return "%!" + new String(Character.toChars(verb)) + "(" + typeName(v) + "=" + value(v) + ")";
    }

    private static String one(Spec s, int verb, Object v) {
        String body;
        boolean numeric = false;
        switch (verb) {
            case 'v' -> {
                if (v instanceof Double d) {
                    body = signed(s, GoFloat.format(d, 'g', s.prec));
                    numeric = true;
                } else if (v instanceof Long l) {
                    body = signed(s, Long.toString(l));
                    numeric = true;
                } else if (v instanceof String str) {
                    body = s.prec >= 0 ? truncate(str, s.prec) : str;
                } else {
                    body = value(v);
                }
            }
            case 's' -> {
                if (v instanceof String str) {
                    body = s.prec >= 0 ? truncate(str, s.prec) : str;
                } else if (v instanceof Values.Time || v instanceof Values.HtmlSafe) {
                    body = value(v);
                } else if (v instanceof Map<?, ?> || v instanceof List<?>) {
                    body = value(v);
                } else {
                    return bad(verb, v);
                }
            }
            case 'q' -> {
                if (v instanceof String str) {
                    body = quote(str);
                } else if (v instanceof Long l) {
                    // Go prints a number that is no code point as U+FFFD.
                    body = "'" + new String(Character.toChars(validRune(l) ? (int) (long) l : 0xFFFD)) + "'";
                } else {
                    return bad(verb, v);
                }
            }
            case 'd' -> {
                if (!(v instanceof Long l)) {
                    return bad(verb, v);
                }
                body = signed(s, Long.toString(l));
                numeric = true;
            }
            case 'x', 'X' -> {
                if (v instanceof Long l) {
                    String h = Long.toHexString(Math.abs(l));
                    body = signed(s, (l < 0 ? "-" : "") + (s.sharp ? "0x" : "") + h);
                    numeric = true;
                } else if (v instanceof String str) {
                    StringBuilder sb = new StringBuilder();
                    for (byte b : str.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                        sb.append(String.format("%02x", b & 0xff));
                    }
                    body = sb.toString();
                } else {
                    return bad(verb, v);
                }
                if (verb == 'X') {
                    body = body.toUpperCase(java.util.Locale.ROOT);
                }
            }
            case 'f', 'F', 'e', 'E', 'g', 'G' -> {
                if (!(v instanceof Double d)) {
                    return bad(verb, v);
                }
                char f = Character.toLowerCase((char) verb) == 'g' ? 'g' : Character.toLowerCase((char) verb) == 'e' ? 'e' : 'f';
                int prec = s.prec >= 0 ? s.prec : (f == 'g' ? -1 : 6);
                body = signed(s, GoFloat.format(d, f, prec));
                if (verb == 'E' || verb == 'G') {
                    body = body.toUpperCase(java.util.Locale.ROOT).replace("INF", "Inf").replace("NAN", "NaN");
                }
                numeric = Double.isFinite(d);
            }
            case 't' -> {
                if (!(v instanceof Boolean b)) {
                    return bad(verb, v);
                }
                body = b.toString();
            }
            case 'T' -> body = typeName(v);
            default -> {
                return bad(verb, v);
            }
        }
        return pad(s, body, numeric);
    }

    private static String signed(Spec s, String digits) {
        if (digits.startsWith("-") || digits.startsWith("+")) {
            return digits;
        }
        if (s.plus) {
            return "+" + digits;
        }
        if (s.space) {
            return " " + digits;
        }
        return digits;
    }

    private static String truncate(String s, int runes) {
        int end = 0;
        for (int k = 0; k < runes && end < s.length(); k++) {
            end += Character.charCount(s.codePointAt(end));
        }
        return s.substring(0, end);
    }

    private static String pad(Spec s, String body, boolean numeric) {
        int len = body.codePointCount(0, body.length());
        if (s.width <= len) {
            return body;
        }
        int fill = s.width - len;
        if (s.minus) {
            return body + " ".repeat(fill);
        }
        if (s.zero && numeric) {
            int signLen = body.startsWith("-") || body.startsWith("+") || body.startsWith(" ") ? 1 : 0;
            return body.substring(0, signLen) + "0".repeat(fill) + body.substring(signLen);
        }
        return " ".repeat(fill) + body;
    }

    /** Go's {@code strconv.Quote}. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case 7 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case 11 -> sb.append("\\v");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", c));
                    } else if (!Character.isDefined(c) || Character.getType(c) == Character.FORMAT) {
                        sb.append(c > 0xffff ? String.format("\\U%08x", c) : String.format("\\u%04x", c));
                    } else {
                        sb.appendCodePoint(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** Go's {@code utf8.ValidRune}: a code point, at most U+10FFFF and not a surrogate. */
    static boolean validRune(long c) {
        return c >= 0 && c <= Character.MAX_CODE_POINT
                && !(c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
    }
}
