package io.sightline.common.relabel;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One Prometheus relabeling step, as in {@code relabel_configs}. {@code regex} is anchored at both ends
 * and {@code .} matches newlines, as in Prometheus; {@link #compileRegex} builds it.
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

        /** The action named in a config file, or null. */
        public static Action fromConfigName(String name) {
            for (Action a : values()) {
                if (a.configName().equals(name)) {
                    return a;
                }
            }
            return null;
        }
    }

    /** Prometheus's defaults: replace, {@code ;}, {@code (.*)}, {@code $1}. */
    public static final String DEFAULT_REGEX = "(.*)";

    public RelabelConfig {
        sourceLabels = List.copyOf(sourceLabels);
    }

    /**
     * Compiles a relabel regex the way Prometheus does ({@code ^(?s:regex)$}), accepting RE2's
     * {@code (?P<name>...)} named groups.
     *
     * @throws PatternSyntaxException if it does not compile
     */
    public static Pattern compileRegex(String regex) {
        return io.sightline.common.Re2Syntax.anchored(regex);
    }
}
