package io.sightline.alerting.rules;

import io.sightline.common.Labels;
import java.util.List;

/**
 * A {@code groups:} entry: rules evaluated in order, every {@code intervalMs}, at the evaluation time
 * minus {@code queryOffsetMs}; a rule whose result has more than {@code limit} series fails (0: no limit).
 *
 * @param file the file it was read from
 * @param labels labels added to every rule's results (Prometheus 3 group labels)
 */
public record RuleGroup(String file, String name, long intervalMs, int limit, long queryOffsetMs, Labels labels,
        List<Rule> rules) {
    public RuleGroup {
        rules = List.copyOf(rules);
    }
}
