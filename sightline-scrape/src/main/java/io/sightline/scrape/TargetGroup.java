package io.sightline.scrape;

import io.sightline.common.Labels;
import java.util.List;

/**
 * Targets found by one discovery source, as Prometheus's {@code targetgroup.Group}: each target is a
 * label set with at least {@code __address__}; the group's labels apply to every target unless the
 * target sets the same name itself.
 *
 * @param source where the group came from, unique within its scrape config (e.g. {@code file.json:0})
 */
public record TargetGroup(String source, List<Labels> targets, Labels labels) {
    public TargetGroup {
        targets = List.copyOf(targets);
    }
}
