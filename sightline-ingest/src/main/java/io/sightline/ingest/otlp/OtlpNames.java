package io.sightline.ingest.otlp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Prometheus's OTLP naming conventions (its {@code otlptranslator}, with metric suffixes on):
 * the metric name split into ASCII alphanumeric words and joined with {@code _}, the unit appended as words
 * ({@code s} -> {@code seconds}, {@code By/s} -> {@code bytes_per_second}, annotations such as
 * {@code {packets}} dropped), {@code _total} for monotonic sums, {@code _ratio} for gauges with unit
 * {@code 1}, and {@code _} before a leading digit. Attribute names: characters outside
 * {@code [a-zA-Z0-9_]} become {@code _}, a leading digit gets {@code key_}, a single leading underscore
 * gets {@code key}.
 */
public final class OtlpNames {
    private static final Map<String, String> UNITS = Map.ofEntries(
            Map.entry("d", "days"), Map.entry("h", "hours"), Map.entry("min", "minutes"), Map.entry("s", "seconds"),
            Map.entry("ms", "milliseconds"), Map.entry("us", "microseconds"), Map.entry("ns", "nanoseconds"),
            Map.entry("By", "bytes"), Map.entry("KiBy", "kibibytes"), Map.entry("MiBy", "mebibytes"),
            Map.entry("GiBy", "gibibytes"), Map.entry("TiBy", "tibibytes"), Map.entry("KBy", "kilobytes"),
            Map.entry("MBy", "megabytes"), Map.entry("GBy", "gigabytes"), Map.entry("TBy", "terabytes"),
            Map.entry("m", "meters"), Map.entry("V", "volts"), Map.entry("A", "amperes"), Map.entry("J", "joules"),
            Map.entry("W", "watts"), Map.entry("g", "grams"), Map.entry("Cel", "celsius"), Map.entry("Hz", "hertz"),
            Map.entry("1", ""), Map.entry("%", "percent"));
    private static final Map<String, String> PER_UNITS = Map.of(
            "s", "second", "m", "minute", "h", "hour", "d", "day", "w", "week", "mo", "month", "y", "year");

    private OtlpNames() {}

    /** What kind of metric a name is for: it decides {@code _total} and {@code _ratio}. */
    public enum Kind { COUNTER, GAUGE, OTHER }

    public static String metricName(String name, String unit, Kind kind) {
        List<String> words = words(name);
        String u = unit == null ? "" : unit.strip();
        if (!u.isEmpty() && !u.contains("{") && !u.contains("}")) {
            String[] parts = u.split("/", 2);
            String main = clean(UNITS.getOrDefault(parts[0].strip(), parts[0].strip()));
            if (!main.isEmpty() && !words.contains(main)) {
                words.add(main);
            }
            if (parts.length > 1 && !parts[1].isBlank()) {
                String per = clean(PER_UNITS.getOrDefault(parts[1].strip(), parts[1].strip()));
                if (!per.isEmpty() && !words.contains(per)) {
                    words.add("per");
                    words.add(per);
                }
            }
        }
        if (kind == Kind.COUNTER) {
            words.remove("total");
            words.add("total");
        }
        if ("1".equals(u) && kind == Kind.GAUGE) {
            words.remove("ratio");
            words.add("ratio");
        }
        String joined = String.join("_", words);
        if (!joined.isEmpty() && Character.isDigit(joined.charAt(0))) {
            joined = "_" + joined;
        }
        return joined;
    }

    /** An attribute name as a Prometheus label name. */
    public static String labelName(String attribute) {
        if (attribute.isEmpty()) {
            return attribute;
        }
        StringBuilder sb = new StringBuilder(attribute.length() + 4);
        for (int i = 0; i < attribute.length(); i++) {
            char c = attribute.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            sb.append(ok ? c : '_');
        }
        String s = sb.toString();
        if (Character.isDigit(s.charAt(0))) {
            return "key_" + s;
        }
        if (s.startsWith("_") && !s.startsWith("__")) {
            return "key" + s;
        }
        return s;
    }

    private static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
                w.appendCodePoint(cp);
            } else if (w.length() > 0) {
                out.add(w.toString());
                w.setLength(0);
            }
        });
        if (w.length() > 0) {
            out.add(w.toString());
        }
        return out;
    }

    private static String clean(String s) {
        return String.join("_", words(s));
    }
}
