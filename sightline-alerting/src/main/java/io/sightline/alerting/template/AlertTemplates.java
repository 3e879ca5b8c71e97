package io.sightline.alerting.template;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Alert label and annotation templates as Prometheus expands them: the text runs after
 * {@code {{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}},
 * with {@code .Labels} the alert's labels, {@code .Value} its value (a float64), the server's external
 * labels and URL. Parsed templates are cached by text. Thread-safe.
 */
public final class AlertTemplates {
    private static final String DEFS = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}"
            + "{{$externalURL := .ExternalURL}}{{$value := .Value}}";
    private static final int MAX_CACHED = 10_000;

    private volatile String externalUrl;
    private volatile Map<String, String> externalLabels;
    private final Map<String, GoTemplate> cache = new ConcurrentHashMap<>();

    public AlertTemplates(String externalUrl, Map<String, String> externalLabels) {
        configure(externalUrl, externalLabels);
    }

    /** Sets what {@code $externalURL} and {@code $externalLabels} are (after a config reload). */
    public void configure(String externalUrl, Map<String, String> externalLabels) {
        this.externalUrl = externalUrl;
        this.externalLabels = Map.copyOf(externalLabels);
    }

    /**
     * Why {@code text} cannot be used as a template (Go's parse error), or null when it parses.
     *
     * @param name the template's name in messages: {@code __alert_<alertname>}
     */
    public static String check(String name, String text) {
        try {
            GoTemplate.parse(name, DEFS + text);
            return null;
        } catch (TemplateException e) {
            return e.getMessage();
        }
    }

    /**
     * Expands {@code text}.
     *
     * @param query what the template's {@code query} runs (at the rule's evaluation time)
     * @throws TemplateException as Go words it, for a template that does not parse or fails
     */
    public String expand(String name, String text, Map<String, String> labels, double value, QueryFunc query)
            throws TemplateException {
        String key = name + "\u0000" + text;
        GoTemplate t = cache.get(key);
        if (t == null) {
            t = GoTemplate.parse(name, DEFS + text);
            if (cache.size() < MAX_CACHED) {
                cache.put(key, t);
            }
        }
        Values.Struct data = Values.Struct.of("struct { Labels map[string]string; ExternalLabels map[string]string;"
                + " ExternalURL string; Value interface {} }",
                "Labels", Map.copyOf(labels), "ExternalLabels", externalLabels, "ExternalURL", externalUrl, "Value", value);
        return t.execute(data, externalUrl, query);
    }
}
