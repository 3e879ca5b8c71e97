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
                p = Pattern.compile("^(?:" + value + ")$", Pattern.DOTALL);
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
            case REGEX -> pattern.matcher(labelValue).matches();
            case NOT_REGEX -> !pattern.matcher(labelValue).matches();
        };
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
