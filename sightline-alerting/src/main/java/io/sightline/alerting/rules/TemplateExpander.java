package io.sightline.alerting.rules;

import io.sightline.alerting.template.QueryFunc;
import java.util.Map;

/** Expands an alert's label and annotation templates ({@code {{ $labels.instance }}}, {@code {{ $value }}}). */
@FunctionalInterface
public interface TemplateExpander {
    /**
     * @param name the template's name in error messages ({@code __alert_<alertname>})
     * @param labels the alert's labels ({@code $labels})
     * @param value the alert's value ({@code $value})
     * @param query what the template's {@code query} function runs, at the rule's evaluation time
     * @return the expansion
     * @throws Exception why it failed; the rule then shows {@code <error expanding template: ...>}
     */
    String expand(String name, String text, Map<String, String> labels, double value, QueryFunc query) throws Exception;

    /** Leaves templates as written. */
    TemplateExpander NONE = (name, text, labels, value, query) -> text;
}
