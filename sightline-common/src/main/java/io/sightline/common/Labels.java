package io.sightline.common;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * An immutable label set, sorted by name, with unique names and no empty values: the identity of a
 * series. As in Prometheus, a label with an empty value is the same as no label, so builders drop it.
 *
 * <p>Stored as one flat array {@code [name0, value0, name1, value1, ...]} to keep the per-series
 * footprint small (the head holds one per series) and comparisons cache-friendly. Instances are
 * thread-safe.
 */
public final class Labels implements Comparable<Labels> {
    /** The reserved label that holds the metric name. */
    public static final String METRIC_NAME = "__name__";

    private static final Labels EMPTY = new Labels(new String[0]);

    private final String[] pairs;
    private int hash;

    private Labels(String[] pairs) {
        this.pairs = pairs;
    }

    public static Labels empty() {
        return EMPTY;
    }

    /**
     * From alternating names and values, in any order.
     *
     * @throws IllegalArgumentException on an odd count or a repeated name
     */
    public static Labels of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("cannot build labels: odd number of names and values");
        }
        Builder b = builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return b.build();
    }

    public static Labels fromMap(Map<String, String> map) {
        Builder b = builder();
        map.forEach(b::add);
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this set: {@code set} replaces, {@code remove} drops. */
    public Builder toBuilder() {
        Builder b = new Builder();
        for (int i = 0; i < pairs.length; i += 2) {
            b.add(pairs[i], pairs[i + 1]);
        }
        return b;
    }

    /**
     * The same labels with every string {@linkplain String#intern() interned}: kept by long-lived holders (the
     * head's series, the blocks' symbols) so that equal names and values are one object, stored once and
     * compared by reference.
     */
    public Labels interned() {
        String[] out = null;
        for (int i = 0; i < pairs.length; i++) {
            String x = pairs[i].intern();
            if (x != pairs[i] && out == null) {
                out = pairs.clone();
            }
            if (out != null) {
                out[i] = x;
            }
        }
        if (out == null) {
            return this; // interned already (e.g. decoded through a cache of interned strings): no copy
        }
        Labels l = new Labels(out);
        l.hash = hash;
        return l;
    }

    public int size() {
        return pairs.length / 2;
    }

    public boolean isEmpty() {
        return pairs.length == 0;
    }

    public String name(int i) {
        return pairs[2 * i];
    }

    public String value(int i) {
        return pairs[2 * i + 1];
    }

    /** The value of {@code name}, or the empty string when absent (Prometheus's convention). */
    public String get(String name) {
        int i = indexOf(name);
        return i < 0 ? "" : pairs[2 * i + 1];
    }

    public boolean has(String name) {
        return indexOf(name) >= 0;
    }

    /** The metric name, or the empty string. */
    public String metricName() {
        return get(METRIC_NAME);
    }

    private int indexOf(String name) {
        int lo = 0;
        int hi = size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = pairs[2 * mid].compareTo(name);
            if (c == 0) {
                return mid;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return -1;
    }

    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < pairs.length; i += 2) {
            action.accept(pairs[i], pairs[i + 1]);
        }
    }

    public List<Label> asList() {
        List<Label> list = new ArrayList<>(size());
        forEach((n, v) -> list.add(new Label(n, v)));
        return list;
    }

    /** Lexicographic over (name, value) pairs, as Prometheus sorts series. */
    @Override
    public int compareTo(Labels o) {
        int n = Math.min(pairs.length, o.pairs.length);
        for (int i = 0; i < n; i++) {
            String a = pairs[i];
            String b = o.pairs[i];
            if (a == b) {
                continue; // interned strings (see interned()) compare without reading them
            }
            int c = a.compareTo(b);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(pairs.length, o.pairs.length);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof Labels other && hashCode() == other.hashCode() && Arrays.equals(pairs, other.pairs));
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Arrays.hashCode(pairs);
            hash = h == 0 ? 1 : h;
        }
        return hash;
    }

    /**
     * PromQL's text form: {@code name{a="b", c="d"}} with the metric name outside the braces, just
     * {@code name} when it has no other labels, {@code {}} when empty.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        String metric = metricName();
        sb.append(metric);
        if (!metric.isEmpty() && size() == 1) {
            return sb.toString();
        }
        sb.append('{');
        boolean first = true;
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(METRIC_NAME)) {
                continue;
            }
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append(pairs[i]).append("=\"");
            escape(pairs[i + 1], sb);
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    /** Escapes backslash, double quote and newline as the exposition format does. */
    public static void escape(String value, StringBuilder sb) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
    }

    /** Collects labels in any order; later {@link #set} calls replace earlier values of the same name. */
    public static final class Builder {
        private final List<String> names = new ArrayList<>();
        private final List<String> values = new ArrayList<>();

        private Builder() {}

        /**
         * Adds a label that must not be there yet.
         *
         * @throws IllegalArgumentException on a repeated name
         */
        public Builder add(String name, String value) {
            if (names.contains(name)) {
                throw new IllegalArgumentException("cannot build labels: duplicate label name \"" + name + "\"");
            }
            names.add(name);
            values.add(value);
            return this;
        }

        /** Sets or replaces a label; an empty value removes it. */
        public Builder set(String name, String value) {
            int i = names.indexOf(name);
            if (i >= 0) {
                values.set(i, value);
            } else {
                names.add(name);
                values.add(value);
            }
            return this;
        }

        /** The value of {@code name} so far, or null (an empty value reads as null: it is not a label). */
        public String get(String name) {
            int i = names.indexOf(name);
            return i < 0 || values.get(i).isEmpty() ? null : values.get(i);
        }

        public Builder remove(String name) {
            int i = names.indexOf(name);
            if (i >= 0) {
                names.remove(i);
                values.remove(i);
            }
            return this;
        }

        public Labels build() {
            Labels inOrder = buildIfSorted();
            if (inOrder != null) {
                return inOrder;
            }
            Integer[] order = new Integer[names.size()];
            int n = 0;
            for (int i = 0; i < names.size(); i++) {
                if (!values.get(i).isEmpty()) {
                    order[n++] = i;
                }
            }
            Integer[] kept = Arrays.copyOf(order, n);
            Arrays.sort(kept, (a, b) -> names.get(a).compareTo(names.get(b)));
            String[] pairs = new String[2 * n];
            for (int i = 0; i < n; i++) {
                pairs[2 * i] = names.get(kept[i]);
                pairs[2 * i + 1] = values.get(kept[i]);
            }
            return n == 0 ? EMPTY : new Labels(pairs);
        }

        /**
         * The labels without sorting when the names came in strictly ascending order with no empty value
         * (labels read back from storage), else null.
         */
        private Labels buildIfSorted() {
            int n = names.size();
            if (n == 0) {
                return null;
            }
            for (int i = 0; i < n; i++) {
                if (values.get(i).isEmpty() || i > 0 && names.get(i - 1).compareTo(names.get(i)) >= 0) {
                    return null;
                }
            }
            String[] pairs = new String[2 * n];
            for (int i = 0; i < n; i++) {
                pairs[2 * i] = names.get(i);
                pairs[2 * i + 1] = values.get(i);
            }
            return new Labels(pairs);
        }
    }
}
