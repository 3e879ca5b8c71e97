package io.sightline.server.config;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One Prometheus relabeling step. {@code regex} is anchored at both ends, as in Prometheus.
 */
public record RelabelConfig(
        List<String> sourceLabels,
        String separator,
        String targetLabel,
        Pattern regex,
        long modulus,
        String replacement,
        Action action) {

    public enum Action {
        REPLACE, KEEP, DROP, KEEPEQUAL, DROPEQUAL, HASHMOD, LABELMAP, LABELDROP, LABELKEEP, LOWERCASE, UPPERCASE;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Action fromConfigName(String name) {
            for (Action a : values()) {
                if (a.configName().equals(name)) {
                    return a;
                }
            }
            return null;
        }
    }
}
