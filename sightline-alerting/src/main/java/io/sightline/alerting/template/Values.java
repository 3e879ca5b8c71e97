package io.sightline.alerting.template;

import java.time.Instant;
import java.time.ZoneOffset;
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

    /**
     * A {@code time.Time} (from {@code toTime}, or an alert's {@code StartsAt}): printed as Go prints a
     * time ({@code 2015-06-23 13:19:44.128 +0000 UTC}), with Go's methods {@code Format},
     * {@code Unix}, {@code UTC}, {@code In}... used by notification templates.
     */
    record Time(long epochSecond, int nanos, java.time.ZoneId zone) implements WithMethods {
        Time(long epochSecond, int nanos) {
            this(epochSecond, nanos, ZoneOffset.UTC);
        }

        static Time ofMillis(long ms) {
            return new Time(Math.floorDiv(ms, 1000), (int) Math.floorMod(ms, 1000) * 1_000_000);
        }

        java.time.ZonedDateTime zoned() {
            return Instant.ofEpochSecond(epochSecond, nanos).atZone(zone);
        }

        @Override
        public String toString() {
            return GoTime.format(zoned(), "2006-01-02 15:04:05.999999999 -0700 MST");
        }

        @Override
        public boolean hasMethod(String name) {
            return List.of("Format", "Unix", "UnixMilli", "UTC", "Local", "String", "Year", "Day", "Hour",
                    "Minute", "Second", "IsZero").contains(name);
        }

        @Override
        public Object call(String name, List<Object> args) {
            int want = name.equals("Format") ? 1 : 0;
            if (args.size() != want) {
                throw new IllegalArgumentException("wrong number of args for " + name + ": want " + want + " got " + args.size());
            }
            return switch (name) {
                case "Format" -> GoTime.format(zoned(), string(args.get(0)));
                case "Unix" -> epochSecond;
                case "UnixMilli" -> epochSecond * 1000 + nanos / 1_000_000;
                case "UTC" -> new Time(epochSecond, nanos, ZoneOffset.UTC);
                case "Local" -> new Time(epochSecond, nanos, java.time.ZoneId.systemDefault());
                case "String" -> toString();
                case "Year" -> (long) zoned().getYear();
                case "Day" -> (long) zoned().getDayOfMonth();
                case "Hour" -> (long) zoned().getHour();
                case "Minute" -> (long) zoned().getMinute();
                case "Second" -> (long) zoned().getSecond();
                default -> epochSecond == -62135596800L && nanos == 0; // IsZero: Go's zero time
            };
        }

        private static String string(Object o) {
            if (o instanceof String s) {
                return s;
            }
            throw new IllegalArgumentException("wrong type for value; expected string; got " + GoFmt.typeName(o));
        }
    }

    /**
     * A value with Go methods ({@code .Alerts.Firing}, {@code .CommonLabels.Remove .GroupLabels.Names}):
     * a method is looked up before a map key or field of the same name, as Go's templates do, and is
     * called without arguments when reached as a field, with the command's arguments when it starts one.
     */
    interface WithMethods {
        /** Whether {@code name} is a method of this value. */
        boolean hasMethod(String name);

        /** @throws Exception why the call failed (wrong arguments...) */
        Object call(String name, List<Object> args) throws Exception;
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
