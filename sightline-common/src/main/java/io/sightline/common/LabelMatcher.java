package io.sightline.common;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One PromQL label matcher: {@code name="v"}, {@code name!="v"}, {@code name=~"re"}, {@code name!~"re"}.
 * As in Prometheus, regular expressions are anchored at both ends, and an absent label has the value
 * {@code ""}, so {@code {env=""}} selects series without {@code env}. Immutable and thread-safe.
 */
public final class LabelMatcher {
    /** The four matcher types and their PromQL operators. */
    public enum Type {
        EQUAL("="), NOT_EQUAL("!="), REGEX("=~"), NOT_REGEX("!~");

        private final String op;

        Type(String op) {
            this.op = op;
        }

        public String op() {
            return op;
        }
    }

    private final Type type;
    private final String name;
    private final String value;
    private final Pattern pattern;

    private LabelMatcher(Type type, String name, String value, Pattern pattern) {
        this.type = type;
        this.name = name;
        this.value = value;
        this.pattern = pattern;
    }

    /**
     * @throws IllegalArgumentException for a regular expression that does not compile, quoting it
     */
    public static LabelMatcher of(Type type, String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Pattern p = null;
        if (type == Type.REGEX || type == Type.NOT_REGEX) {
            try {
                p = Re2Syntax.anchored(value);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        "invalid regular expression \"" + value + "\" for label " + name + ": " + e.getDescription());
            }
        }
        return new LabelMatcher(type, name, value, p);
    }

    public static LabelMatcher equal(String name, String value) {
        return of(Type.EQUAL, name, value);
    }

    public static LabelMatcher notEqual(String name, String value) {
        return of(Type.NOT_EQUAL, name, value);
    }

    public static LabelMatcher regex(String name, String value) {
        return of(Type.REGEX, name, value);
    }

    public static LabelMatcher notRegex(String name, String value) {
        return of(Type.NOT_REGEX, name, value);
    }

    public Type type() {
        return type;
    }

    public String name() {
        return name;
    }

    public String value() {
        return value;
    }

    /** Whether a label value (the empty string for an absent label) satisfies this matcher. */
    public boolean matches(String labelValue) {
        return switch (type) {
            case EQUAL -> value.equals(labelValue);
            case NOT_EQUAL -> !value.equals(labelValue);
            case REGEX -> regexMatches(labelValue);
            case NOT_REGEX -> !regexMatches(labelValue);
        };
    }

    /**
     * The most character reads one regular-expression match may make. Java's backtracking engine can
     * take exponential time on patterns such as {@code (a+)+b} (RE2, which Prometheus uses, cannot);
     * a match that needs more than this is abandoned with {@link MatchTooExpensive} rather than
     * holding a thread for minutes. Ordinary matches of label values read each character a few times.
     */
    public static final long MATCH_BUDGET = 20_000_000L;

    private boolean regexMatches(String labelValue) {
        return pattern.matcher(new BudgetedChars(labelValue, this)).matches();
    }

    /** A regular expression that would take too long on some label value; the query or request fails. */
    public static final class MatchTooExpensive extends RuntimeException {
        MatchTooExpensive(LabelMatcher m) {
            super("regular expression " + m + " is too expensive to match (catastrophic backtracking); simplify it",
                    null, false, false);
        }
    }

    /** A label value that counts reads and gives up past {@link #MATCH_BUDGET}. Single use, one thread. */
    private static final class BudgetedChars implements CharSequence {
        private final String s;
        private final LabelMatcher owner;
        private long remaining;

        BudgetedChars(String s, LabelMatcher owner) {
            this(s, owner, MATCH_BUDGET);
        }

        private BudgetedChars(String s, LabelMatcher owner, long remaining) {
            this.s = s;
            this.owner = owner;
            this.remaining = remaining;
        }

        @Override
        public char charAt(int index) {
            if (--remaining < 0) {
                throw new MatchTooExpensive(owner);
            }
            return s.charAt(index);
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new BudgetedChars(s.substring(start, end), owner, remaining);
        }

        @Override
        public String toString() {
            return s;
        }
    }

    /** Whether a series' labels satisfy this matcher. */
    public boolean matches(Labels labels) {
        return matches(labels.get(name));
    }

    /** Whether this matcher selects series that lack the label (matches the empty string). */
    public boolean matchesEmpty() {
        return matches("");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelMatcher m && m.type == type && m.name.equals(name) && m.value.equals(value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, name, value);
    }

    /** PromQL form, e.g. {@code job=~"api|web"}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append(type.op).append('"');
        Labels.escape(value, sb);
        return sb.append('"').toString();
    }
}
