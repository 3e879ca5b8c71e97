package io.sightline.server.dashboards;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts a dashboard's variables into a panel's query before it is evaluated, as Grafana does for
 * Prometheus data sources: {@code $name} and {@code ${name}} become the variable's selected values,
 * written for use inside a regular-expression matcher's double-quoted string, {@code instance=~"$instance"}:
 * <ul>
 *   <li>one value: the value with the regular-expression metacharacters {@code \.+*?()|[]{}^$}
 *       backslash-escaped, then escaped for a PromQL string (backslash, double quote, control
 *       characters), so that the matcher selects exactly that value;
 *   <li>several values: {@code (a|b|c)}, each escaped the same way;
 *   <li>{@code $__all} among the values, or nothing selected on a variable with {@code includeAll}:
 *       {@code .*};
 *   <li>nothing selected otherwise: the empty string (which matches series without the label).
 * </ul>
 * Two built-ins depend on the query's step: {@code $__interval} is the step rounded to whole seconds
 * ({@code 30s}, at least {@code 1s}); {@code $__rate_interval} is the larger of four 15 s scrape
 * intervals and the step plus one ({@code max(60s, step + 15s)}), so that {@code rate()} over it
 * always sees two samples. An identifier after {@code $} is read greedily ({@code $instance_id} names
 * {@code instance_id}; write {@code ${instance}_id} for the other); names that are not variables are
 * left as written. Pure and thread-safe.
 */
public final class VariableSubstitution {
    /** The value that selects every value of a variable. */
    public static final String ALL = "$__all";
    /** Expansion stops beyond this many characters: a few variables repeated could otherwise blow up. */
    public static final int MAX_LENGTH = 1_000_000;
    private static final String REGEX_META = "\\.+*?()|[]{}^$";

    private VariableSubstitution() {}

    /**
     * A variable as substitution sees it.
     *
     * @param current the selected values, possibly {@link #ALL}
     */
    public record Variable(String name, boolean includeAll, List<String> current) {}

    /** The expression would be longer than {@link #MAX_LENGTH} once substituted. */
    public static final class TooLong extends Exception {
        private static final long serialVersionUID = 1L;

        TooLong() {
            super("the query is longer than " + MAX_LENGTH + " characters once its variables are substituted", null,
                    false, false);
        }
    }

    /**
     * @param stepMs the range query's step, for {@code $__interval} and {@code $__rate_interval}
     */
    public static String substitute(String expr, List<Variable> variables, long stepMs) throws TooLong {
        Map<String, String> values = new HashMap<>();
        for (Variable v : variables) {
            values.put(v.name(), regexValue(v));
        }
        values.put("__interval", interval(stepMs));
        values.put("__rate_interval", rateInterval(stepMs));
        StringBuilder out = new StringBuilder(expr.length() + 16);
        int i = 0;
        int n = expr.length();
        while (i < n) {
            char c = expr.charAt(i);
            if (c == '$' && i + 1 < n) {
                int nameStart;
                int nameEnd;
                int next;
                if (expr.charAt(i + 1) == '{') {
                    nameStart = i + 2;
                    nameEnd = expr.indexOf('}', nameStart);
                    next = nameEnd + 1;
                } else {
                    nameStart = i + 1;
                    nameEnd = nameStart;
                    while (nameEnd < n && isIdentifierChar(expr.charAt(nameEnd), nameEnd == nameStart)) {
                        nameEnd++;
                    }
                    next = nameEnd;
                }
                String value = nameEnd > nameStart ? values.get(expr.substring(nameStart, nameEnd)) : null;
                if (value != null) {
                    append(out, value);
                    i = next;
                    continue;
                }
            }
            append(out, c);
            i++;
        }
        return out.toString();
    }

    private static boolean isIdentifierChar(char c, boolean first) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
    }

    private static void append(StringBuilder out, String s) throws TooLong {
        if (out.length() + s.length() > MAX_LENGTH) {
            throw new TooLong();
        }
        out.append(s);
    }

    private static void append(StringBuilder out, char c) throws TooLong {
        if (out.length() >= MAX_LENGTH) {
            throw new TooLong();
        }
        out.append(c);
    }

    /** What {@code $name} becomes, per the rules in the class comment. */
    static String regexValue(Variable v) {
        List<String> current = v.current();
        if (current.contains(ALL) || (current.isEmpty() && v.includeAll())) {
            return ".*";
        }
        if (current.size() == 1) {
            return promqlString(regexEscape(current.get(0)));
        }
        StringBuilder sb = new StringBuilder();
        for (String value : current) {
            sb.append(sb.isEmpty() ? "(" : "|").append(regexEscape(value));
        }
        return current.isEmpty() ? "" : promqlString(sb.append(')').toString());
    }

    /** {@code s} as a regular expression that matches exactly {@code s}, in RE2's and Java's syntax alike. */
    public static String regexEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (REGEX_META.indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** {@code s} escaped for the inside of a double-quoted PromQL string (Go's escapes). */
    public static String promqlString(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** {@code $__interval}: the step in whole seconds, at least one. */
    static String interval(long stepMs) {
        return Math.max(1, Math.round(stepMs / 1000.0)) + "s";
    }

    /** {@code $__rate_interval}: {@code max(4 × 15s, step + 15s)}. */
    static String rateInterval(long stepMs) {
        long ms = Math.max(60_000, stepMs + 15_000);
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
