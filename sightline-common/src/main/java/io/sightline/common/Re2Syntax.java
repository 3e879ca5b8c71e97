package io.sightline.common;

import java.util.Map;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a regular expression as Go's RE2 syntax (what Prometheus users write) and writes the
 * {@link java.util.regex.Pattern} that means the same, where the two dialects part:
 * <ul>
 *   <li>a {@code {} that does not start a repetition ({@code {2}}, {@code {2,}}, {@code {2,5}}) is a literal
 *       brace in RE2 and an error in Java;
 *   <li>inside a character class, {@code [} and {@code &&} are literal in RE2 and nest or intersect classes
 *       in Java; RE2's POSIX classes ({@code [[:digit:]]}, {@code [[:^space:]]}) become Java's
 *       {@code \p{Digit}}, {@code \P{Space}};
 *   <li>{@code (?P<name>...)} is RE2's named group, {@code (?<name>...)} Java's;
 *   <li>what RE2 refuses, Java's possessive quantifiers, lookaround, atomic groups and backreferences, is
 *       refused here too, with RE2's words, instead of compiling into something RE2 users never meant.
 * </ul>
 * Left as they are: everything the two spell alike. Not translated: RE2's {@code U} flag (ungreedy),
 * which is refused ({@code (?U)} is a different flag in Java).
 */
public final class Re2Syntax {
    private Re2Syntax() {}

    private static final Map<String, String> POSIX = Map.ofEntries(Map.entry("alnum", "Alnum"),
            Map.entry("alpha", "Alpha"), Map.entry("ascii", "ASCII"), Map.entry("blank", "Blank"),
            Map.entry("cntrl", "Cntrl"), Map.entry("digit", "Digit"), Map.entry("graph", "Graph"),
            Map.entry("lower", "Lower"), Map.entry("print", "Print"), Map.entry("punct", "Punct"),
            Map.entry("space", "Space"), Map.entry("upper", "Upper"), Map.entry("xdigit", "XDigit"));

    /**
     * {@code re} anchored at both ends with {@code .} matching newlines, as Prometheus compiles matchers,
     * {@code label_replace} and relabelling ({@code ^(?s:re)$}).
     *
     * @throws PatternSyntaxException if RE2 or Java refuses it
     */
    public static java.util.regex.Pattern anchored(String re) {
        return java.util.regex.Pattern.compile("^(?:" + toJava(re) + ")$", java.util.regex.Pattern.DOTALL);
    }

    /**
     * @throws PatternSyntaxException where RE2 refuses the expression and Java would have taken it
     */
    public static String toJava(String re) {
        StringBuilder out = new StringBuilder(re.length() + 8);
        int n = re.length();
        int i = 0;
        while (i < n) {
            char c = re.charAt(i);
            if (c == '\\') {
                i = escape(re, i, out);
            } else if (c == '[') {
                i = charClass(re, i, out);
            } else if (c == '{') {
                int end = repetitionEnd(re, i);
                if (end < 0) {
                    out.append("\\{");
                    i++;
                } else {
                    out.append(re, i, end);
                    i = end;
                    refusePossessive(re, i);
                }
            } else if (c == '(' && re.startsWith("(?", i)) {
                i = groupStart(re, i, out);
            } else {
                out.append(c);
                i++;
                if (c == '*' || c == '+' || c == '?') {
                    if (i < n && re.charAt(i) == '?') { // lazy
                        out.append('?');
                        i++;
                    }
                    refusePossessive(re, i);
                }
            }
        }
        return out.toString();
    }

    private static void refusePossessive(String re, int i) {
        if (i < re.length() && (re.charAt(i) == '+' || re.charAt(i) == '*')) {
            throw new PatternSyntaxException("invalid nested repetition operator", re, i);
        }
    }

    /** An escape outside a class: copied, except backreferences, which RE2 does not have. */
    private static int escape(String re, int i, StringBuilder out) {
        if (i + 1 >= re.length()) {
            throw new PatternSyntaxException("trailing backslash at end of expression", re, i);
        }
        char e = re.charAt(i + 1);
        if (e >= '1' && e <= '9') {
            throw new PatternSyntaxException("invalid escape sequence: \\" + e, re, i);
        }
        if ((e == 'p' || e == 'P' || e == 'x') && i + 2 < re.length() && re.charAt(i + 2) == '{') {
            int close = re.indexOf('}', i + 3); // \p{Greek}, \x{263a}: the braces are the escape's
            int stop = close < 0 ? re.length() : close + 1;
            out.append(re, i, stop);
            return stop;
        }
        if (e == 'Q') { // literal text up to \E, as in both
            int end = re.indexOf("\\E", i + 2);
            int stop = end < 0 ? re.length() : end + 2;
            out.append(re, i, stop);
            return stop;
        }
        out.append(re, i, i + 2);
        return i + 2;
    }

    /** {@code {n}}, {@code {n,}} or {@code {n,m}} at {@code i}: the index after it, else -1. */
    private static int repetitionEnd(String re, int i) {
        int j = i + 1;
        int digits = 0;
        while (j < re.length() && Character.isDigit(re.charAt(j))) {
            j++;
            digits++;
        }
        if (digits == 0 || j >= re.length()) {
            return -1;
        }
        if (re.charAt(j) == ',') {
            j++;
            while (j < re.length() && Character.isDigit(re.charAt(j))) {
                j++;
            }
        }
        return j < re.length() && re.charAt(j) == '}' ? j + 1 : -1;
    }

    private static int groupStart(String re, int i, StringBuilder out) {
        if (re.startsWith("(?P<", i)) {
            out.append("(?<");
            return i + 4;
        }
        if (re.startsWith("(?=", i) || re.startsWith("(?!", i) || re.startsWith("(?<=", i)
                || re.startsWith("(?<!", i) || re.startsWith("(?>", i)) {
            throw new PatternSyntaxException("invalid or unsupported Perl syntax", re, i);
        }
        int j = i + 2;
        if (j < re.length() && re.charAt(j) == '<') { // (?<name>...), as Java writes it
            out.append("(?");
            return j;
        }
        while (j < re.length() && re.charAt(j) != ')' && re.charAt(j) != ':') {
            if (re.charAt(j) == 'U') {
                throw new PatternSyntaxException("the ungreedy flag (?U) is not supported", re, j);
            }
            j++;
        }
        out.append("(?");
        return i + 2;
    }

    /** A class {@code [...]} at {@code i}, written for Java; the index after it. */
    private static int charClass(String re, int i, StringBuilder out) {
        int n = re.length();
        int j = i + 1;
        out.append('[');
        if (j < n && re.charAt(j) == '^') {
            out.append('^');
            j++;
        }
        boolean first = true;
        while (j < n) {
            char c = re.charAt(j);
            if (c == ']' && !first) {
                out.append(']');
                return j + 1;
            }
            first = false;
            if (c == '[' && re.startsWith("[:", j)) {
                int end = re.indexOf(":]", j + 2);
                if (end > 0) {
                    String name = re.substring(j + 2, end);
                    boolean negated = name.startsWith("^");
                    String key = negated ? name.substring(1) : name;
                    String java = key.equals("word") ? (negated ? "\\W" : "\\w") : POSIX.get(key);
                    if (java == null) {
                        throw new PatternSyntaxException("invalid character class range: [:" + name + ":]", re, j);
                    }
                    out.append(java.startsWith("\\") ? java : (negated ? "\\P{" : "\\p{") + java + "}");
                    j = end + 2;
                    continue;
                }
            }
            if (c == '\\') {
                if (j + 1 >= n) {
                    break;
                }
                out.append(re, j, j + 2);
                j += 2;
            } else if (c == '[' || c == ']' || c == '&') {
                out.append('\\').append(c); // literal in RE2: no nesting or intersection
                j++;
            } else {
                out.append(c);
                j++;
            }
        }
        throw new PatternSyntaxException("missing closing ]", re, i);
    }
}
