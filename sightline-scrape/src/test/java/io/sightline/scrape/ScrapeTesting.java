package io.sightline.scrape;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.common.http.HttpClientConfig;
import io.sightline.common.relabel.RelabelConfig;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.Storage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builders and readers shared by the scrape tests. */
final class ScrapeTesting {
    private ScrapeTesting() {}

    /** A sample as stored: timestamp and value. */
    record Sample(long t, double v) {}

    static ScrapeConfig job(String name, List<String> targets) {
        return new ScrapeConfig(name, Duration.ofSeconds(15), Duration.ofSeconds(10), "/metrics", "http", Map.of(),
                false, true, true, 0, 0, HttpClientConfig.NONE,
                List.of(new StaticConfig(targets, Labels.empty())), List.of(), List.of(), List.of());
    }

    static RelabelConfig rule(RelabelConfig.Action action, List<String> source, String regex, String target,
            String replacement) {
        return new RelabelConfig(source, ";", target, RelabelConfig.compileRegex(regex), 0, replacement, action);
    }

    /** Every series the selector matches with its samples, stale markers included. */
    static Map<Labels, List<Sample>> read(Storage s, LabelMatcher... matchers) {
        Map<Labels, List<Sample>> out = new LinkedHashMap<>();
        try (Querier q = s.querier(Long.MIN_VALUE / 2, Long.MAX_VALUE / 2)) {
            SeriesSet set = q.select(true, SelectHints.range(Long.MIN_VALUE / 2, Long.MAX_VALUE / 2), matchers);
            while (set.next()) {
                List<Sample> samples = new ArrayList<>();
                SampleIterator it = set.at().iterator(null);
                while (it.next()) {
                    samples.add(new Sample(it.timestamp(), it.value()));
                }
                out.put(set.at().labels(), samples);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return out;
    }

    static List<Sample> samples(Storage s, String name, String... labels) {
        List<LabelMatcher> m = new ArrayList<>();
        m.add(LabelMatcher.equal(Labels.METRIC_NAME, name));
        for (int i = 0; i < labels.length; i += 2) {
            m.add(LabelMatcher.equal(labels[i], labels[i + 1]));
        }
        Map<Labels, List<Sample>> r = read(s, m.toArray(LabelMatcher[]::new));
        if (r.size() > 1) {
            throw new AssertionError("more than one series for " + name + ": " + r.keySet());
        }
        return r.isEmpty() ? List.of() : r.values().iterator().next();
    }
}
