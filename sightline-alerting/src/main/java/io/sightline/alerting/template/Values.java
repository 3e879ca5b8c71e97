package io.sightline.alerting.template;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The values of a template beyond Java's own: Go's invalid value, structs, times, safe HTML. */
final class Values {
    private Values() {}

    /** Go's invalid {@code reflect.Value}: a missing map key. Prints as {@code <no value>}, is false. */
    static final Object NO_VALUE = new Object() {
        @Override
        public String toString() {
            return "<no value>";
        }
    };

    /**
     * A Go struct: fields by name, in declaration order; a field it lacks is an error, unlike a map key.
     *
     * @param typeName for messages and {@code %T}, e.g. {@code *template.sample}
     */
    record Struct(String typeName, Map<String, Object> fields) {
        static Struct of(String typeName, Object... nameValue) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < nameValue.length; i += 2) {
                m.put((String) nameValue[i], nameValue[i + 1]);
            }
            return new Struct(typeName, m);
        }
    }

    /** A query result's sample, as Prometheus's templates see it: {@code .Labels}, {@code .Value}. */
    static Struct sample(Map<String, String> labels, double value) {
        return Struct.of("*template.sample", "Labels", labels, "Value", value);
    }

    /** {@code html/template.HTML} from {@code safeHtml}: printed as it is. */
    record HtmlSafe(String html) {
        @Override
        public String toString() {
            return html;
        }
    }

    /** A {@code *time.Time} (from {@code toTime}); printed as Go prints a UTC time. */
    record Time(long epochSecond, int nanos) {
        private static final DateTimeFormatter BASE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .withZone(ZoneOffset.UTC);

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(BASE.format(Instant.ofEpochSecond(epochSecond, nanos)));
            if (nanos != 0) {
                String frac = String.format("%09d", nanos);
                int end = frac.length();
                while (frac.charAt(end - 1) == '0') {
                    end--;
                }
                sb.append('.').append(frac, 0, end);
            }
            return sb.append(" +0000 UTC").toString();
        }
    }

    /** Go's truth: false, 0, "", nil, an empty map or slice, and the invalid value are false. */
    static boolean isTrue(Object v) {
        if (v == null || v == NO_VALUE) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof Double d) {
            return d != 0;
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        if (v instanceof List<?> l) {
            return !l.isEmpty();
        }
        if (v instanceof HtmlSafe h) {
            return !h.html().isEmpty();
        }
        return true;
    }
}
