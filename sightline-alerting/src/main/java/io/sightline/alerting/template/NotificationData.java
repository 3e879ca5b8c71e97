package io.sightline.alerting.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The data Alertmanager's notification templates see ({@code .Receiver}, {@code .Status},
 * {@code .Alerts} with {@code .Firing}/{@code .Resolved}, {@code .GroupLabels}, {@code .CommonLabels},
 * {@code .CommonAnnotations} with {@code .SortedPairs}/{@code .Names}/{@code .Values}/{@code .Remove},
 * {@code .ExternalURL}; each alert's {@code .Status}, {@code .Labels}, {@code .Annotations},
 * {@code .StartsAt}, {@code .EndsAt}, {@code .GeneratorURL}, {@code .Fingerprint}), built from plain
 * values.
 */
public final class NotificationData {
    private NotificationData() {}

    /**
     * One alert of a notification.
     *
     * @param endsAt ms, 0 while it fires with no end known
     * @param fingerprint 16 hex digits
     */
    public record Alert(boolean firing, Map<String, String> labels, Map<String, String> annotations, long startsAt,
            long endsAt, String generatorUrl, String fingerprint) {}

    /** The template data of one notification. */
    public static Object of(String receiver, List<Alert> alerts, Map<String, String> groupLabels, String externalUrl) {
        Alerts list = new Alerts();
        List<Map<String, String>> labelSets = new ArrayList<>();
        List<Map<String, String>> annotationSets = new ArrayList<>();
        boolean anyFiring = false;
        for (Alert a : alerts) {
            anyFiring |= a.firing();
            labelSets.add(a.labels());
            annotationSets.add(a.annotations());
            list.add(Values.Struct.of("template.Alert", "Status", a.firing() ? "firing" : "resolved",
                    "Labels", new KV(a.labels()), "Annotations", new KV(a.annotations()),
                    "StartsAt", Values.Time.ofMillis(a.startsAt()),
                    "EndsAt", a.endsAt() == 0 ? new Values.Time(-62135596800L, 0) : Values.Time.ofMillis(a.endsAt()),
                    "GeneratorURL", a.generatorUrl(), "Fingerprint", a.fingerprint()));
        }
        return Values.Struct.of("*template.Data", "Receiver", receiver, "Status", anyFiring ? "firing" : "resolved",
                "Alerts", list, "GroupLabels", new KV(groupLabels), "CommonLabels", new KV(common(labelSets)),
                "CommonAnnotations", new KV(common(annotationSets)), "ExternalURL", externalUrl);
    }

    /** The pairs every map has with the same value. */
    static Map<String, String> common(List<Map<String, String>> maps) {
        Map<String, String> out = new TreeMap<>();
        if (maps.isEmpty()) {
            return out;
        }
        out.putAll(maps.get(0));
        for (Map<String, String> m : maps.subList(1, maps.size())) {
            out.entrySet().removeIf(e -> !e.getValue().equals(m.get(e.getKey())));
        }
        return out;
    }

    /** Alertmanager's {@code template.KV}: a map with {@code SortedPairs}, {@code Names}, {@code Values}, {@code Remove}. */
    static final class KV extends TreeMap<String, String> implements Values.WithMethods {
        private static final long serialVersionUID = 1L;

        KV(Map<String, String> m) {
            super(m);
        }

        @Override
        public boolean hasMethod(String name) {
            return name.equals("SortedPairs") || name.equals("Names") || name.equals("Values") || name.equals("Remove");
        }

        @Override
        public Object call(String name, List<Object> args) {
            if (name.equals("Remove")) {
                if (args.size() != 1 || !(args.get(0) instanceof List<?> keys)) {
                    throw new IllegalArgumentException("Remove needs one list of label names");
                }
                KV out = new KV(this);
                keys.forEach(out::remove);
                return out;
            }
            if (!args.isEmpty()) {
                throw new IllegalArgumentException("wrong number of args for " + name + ": want 0 got " + args.size());
            }
            return switch (name) {
                case "Names" -> new ArrayList<Object>(keySet());
                case "Values" -> new ArrayList<Object>(values());
                default -> {
                    Pairs p = new Pairs();
                    forEach((k, v) -> p.add(Values.Struct.of("template.Pair", "Name", k, "Value", v)));
                    yield p;
                }
            };
        }
    }

    /** Alertmanager's {@code template.Pairs}: {@code Names}, {@code Values}. */
    static final class Pairs extends ArrayList<Object> implements Values.WithMethods {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean hasMethod(String name) {
            return name.equals("Names") || name.equals("Values");
        }

        @Override
        public Object call(String name, List<Object> args) {
            List<Object> out = new ArrayList<>();
            for (Object o : this) {
                out.add(((Values.Struct) o).fields().get(name.equals("Names") ? "Name" : "Value"));
            }
            return out;
        }
    }

    /** Alertmanager's {@code template.Alerts}: {@code Firing}, {@code Resolved}. */
    static final class Alerts extends ArrayList<Object> implements Values.WithMethods {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean hasMethod(String name) {
            return name.equals("Firing") || name.equals("Resolved");
        }

        @Override
        public Object call(String name, List<Object> args) {
            Alerts out = new Alerts();
            String want = name.equals("Firing") ? "firing" : "resolved";
            for (Object o : this) {
                if (want.equals(((Values.Struct) o).fields().get("Status"))) {
                    out.add(o);
                }
            }
            return out;
        }
    }
}
