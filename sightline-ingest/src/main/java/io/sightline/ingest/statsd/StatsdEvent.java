package io.sightline.ingest.statsd;

import io.sightline.common.Labels;

/**
 * One StatsD line, parsed and checked ({@link StatsdParser}), before aggregation.
 *
 * @param name the metric name, already mapped to {@code [a-zA-Z0-9_]}
 * @param tags the DogStatsD tags kept, as labels (without {@code __name__})
 * @param type what the line's type field said
 * @param value the number as sent (milliseconds for {@link Type#TIMER}); unused for sets
 * @param relative for gauges: the value is a change of the current value ({@code +3}, {@code -2})
 * @param sampleRate the {@code @rate} field, in (0, 1]; 1 without one
 * @param setMember for sets: the member as sent; null otherwise
 * @param tagsDropped tags that could not become labels (no value, empty, reserved name)
 */
public record StatsdEvent(String name, Labels tags, Type type, double value, boolean relative, double sampleRate,
        String setMember, int tagsDropped) {

    /** The StatsD metric types, by their code on the wire. */
    public enum Type {
        COUNTER("c"), GAUGE("g"), TIMER("ms"), HISTOGRAM("h"), DISTRIBUTION("d"), SET("s");

        private final String code;

        Type(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        /** The type for a wire code, or null. */
        public static Type of(String code) {
            return switch (code) {
                case "c" -> COUNTER;
                case "g" -> GAUGE;
                case "ms" -> TIMER;
                case "h" -> HISTOGRAM;
                case "d" -> DISTRIBUTION;
                case "s" -> SET;
                default -> null;
            };
        }

        /** Timers, histograms and distributions: observations aggregated into a summary or histogram. */
        public boolean isObservation() {
            return this == TIMER || this == HISTOGRAM || this == DISTRIBUTION;
        }
    }
}
