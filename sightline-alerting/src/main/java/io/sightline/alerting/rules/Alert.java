package io.sightline.alerting.rules;

import io.sightline.common.Labels;
import java.util.Map;

/**
 * One alert of an alerting rule: a result series of its expression, with the rule's labels and
 * {@code alertname}. Mutable state owned by its rule's evaluator (read through {@link #snapshot}).
 */
public final class Alert {
    /** As Prometheus names them. */
    public enum State {
        INACTIVE("inactive"), PENDING("pending"), FIRING("firing");

        private final String text;

        State(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    final Labels labels;
    Map<String, String> annotations;
    State state = State.PENDING;
    long activeAt;
    long firedAt;
    long resolvedAt;
    long keepFiringSince;
    double value;

    Alert(Labels labels, Map<String, String> annotations, long activeAt, double value) {
        this.labels = labels;
        this.annotations = annotations;
        this.activeAt = activeAt;
        this.value = value;
    }

    /** An immutable copy for the API and notifications; times in ms since the epoch, 0 when not set. */
    public record View(Labels labels, Map<String, String> annotations, State state, long activeAt, long firedAt,
            long resolvedAt, double value) {}

    View snapshot() {
        return new View(labels, Map.copyOf(annotations), state, activeAt, firedAt, resolvedAt, value);
    }
}
