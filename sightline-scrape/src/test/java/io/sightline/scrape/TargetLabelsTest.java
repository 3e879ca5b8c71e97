package io.sightline.scrape;

import static io.sightline.scrape.ScrapeTesting.job;
import static io.sightline.scrape.ScrapeTesting.rule;
import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.Labels;
import io.sightline.common.relabel.RelabelConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Prometheus's target label rules (scrape.PopulateLabels) and sample label merging, case by case. */
class TargetLabelsTest {
    private static ScrapeConfig withRules(List<RelabelConfig> rules, Map<String, List<String>> params) {
        ScrapeConfig c = job("node", List.of());
        return new ScrapeConfig(c.jobName(), c.scrapeInterval(), c.scrapeTimeout(), c.metricsPath(), c.scheme(), params,
                false, true, true, 0, 0, c.http(), List.of(), List.of(), rules, List.of());
    }

    @Test
    void defaults_jobInstanceAndInternalLabels() {
        TargetLabels.Result r = TargetLabels.populate(withRules(List.of(), Map.of()), Labels.of("env", "prod"),
                Labels.of("__address__", "h:9100", "__meta_x", "y"));
        assertThat(r.error()).isNull();
        assertThat(r.labels()).isEqualTo(Labels.of("__address__", "h:9100", "__metrics_path__", "/metrics",
                "__scheme__", "http", "__scrape_interval__", "15s", "__scrape_timeout__", "10s", "env", "prod",
                "instance", "h:9100", "job", "node"));
        assertThat(r.discovered().get("__meta_x")).isEqualTo("y");
        assertThat(TargetLabels.publicLabels(r.labels())).isEqualTo(Labels.of("env", "prod", "instance", "h:9100", "job", "node"));
    }

    @Test
    void targetLabelsOverrideGroupLabels_andDiscoveryMaySetJobAndScheme() {
        TargetLabels.Result r = TargetLabels.populate(withRules(List.of(), Map.of()), Labels.of("env", "prod", "job", "g"),
                Labels.of("__address__", "h:1", "env", "dev", "__scheme__", "https"));
        assertThat(r.labels().get("env")).isEqualTo("dev");
        assertThat(r.labels().get("job")).isEqualTo("g");
        assertThat(r.labels().get("__scheme__")).isEqualTo("https");
    }

    @Test
    void relabeling_canDrop_rewriteAddress_andSetInstance() {
        ScrapeConfig c = withRules(List.of(
                rule(RelabelConfig.Action.DROP, List.of("env"), "test", "", "$1"),
                rule(RelabelConfig.Action.REPLACE, List.of("__address__"), "(.*):.*", "__param_target", "$1"),
                rule(RelabelConfig.Action.REPLACE, List.of("__param_target"), "(.*)", "instance", "$1"),
                rule(RelabelConfig.Action.REPLACE, List.of(), "(.*)", "__address__", "exporter:9115"),
                rule(RelabelConfig.Action.REPLACE, List.of("__meta_zone"), "(.+)", "zone", "$1")), Map.of());
        TargetLabels.Result dropped = TargetLabels.populate(c, Labels.empty(), Labels.of("__address__", "a:1", "env", "test"));
        assertThat(dropped.dropped()).isTrue();
        assertThat(dropped.discovered().get("env")).isEqualTo("test");

        TargetLabels.Result r = TargetLabels.populate(c, Labels.empty(),
                Labels.of("__address__", "example.org:443", "__meta_zone", "eu"));
        assertThat(TargetLabels.publicLabels(r.labels()))
                .isEqualTo(Labels.of("instance", "example.org", "job", "node", "zone", "eu"));
        Target t = new Target("node", r.labels(), r.discovered(), Map.of("module", List.of("http_2xx"))); 
        assertThat(t.url().toString()).isEqualTo("http://exporter:9115/metrics?module=http_2xx&target=example.org");
    }

    @Test
    void errors_noAddress_badAddress_badInterval_timeoutOverInterval() {
        ScrapeConfig none = withRules(List.of(rule(RelabelConfig.Action.LABELDROP, List.of(), "__address__", "", "$1")), Map.of());
        assertThat(TargetLabels.populate(none, Labels.empty(), Labels.of("__address__", "a:1")).error()).isEqualTo("no address");
        ScrapeConfig plain = withRules(List.of(), Map.of());
        assertThat(TargetLabels.populate(plain, Labels.empty(), Labels.of("__address__", "http://a:1/x")).error())
                .contains("is not a valid hostname");
        assertThat(TargetLabels.populate(plain, Labels.empty(), Labels.of("__address__", "a:1", "__scrape_interval__", "soon"))
                .error()).startsWith("error parsing scrape interval");
        assertThat(TargetLabels.populate(plain, Labels.empty(), Labels.of("__address__", "a:1", "__scrape_timeout__", "1m"))
                .error()).isEqualTo("scrape timeout cannot be greater than scrape interval (\"1m\" > \"15s\")");
        TargetLabels.Result slower = TargetLabels.populate(plain, Labels.empty(),
                Labels.of("__address__", "a:1", "__scrape_interval__", "1m", "__scrape_timeout__", "30s"));
        Target t = new Target("node", slower.labels(), slower.discovered(), Map.of());
        assertThat(t.interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(t.timeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void sampleLabels_mergeLikePrometheus() {
        Labels target = Labels.of("job", "j", "instance", "i");
        Labels scraped = Labels.of("__name__", "m", "job", "x", "exported_job", "y", "instance", "");
        assertThat(ScrapeLoop.sampleLabels(scraped, target, false, List.of())).isEqualTo(
                Labels.of("__name__", "m", "job", "j", "instance", "i", "exported_job", "y", "exported_exported_job", "x"));
        assertThat(ScrapeLoop.sampleLabels(scraped, target, true, List.of())).isEqualTo(
                Labels.of("__name__", "m", "job", "x", "instance", "i", "exported_job", "y"));
        assertThat(ScrapeLoop.sampleLabels(Labels.of("__name__", "m"), target, false,
                List.of(rule(RelabelConfig.Action.DROP, List.of("__name__"), "m", "", "$1")))).isNull();
    }

    @Test
    void offsets_areStableAndSpreadOverTheInterval() {
        ScrapeConfig c = withRules(List.of(), Map.of());
        long[] buckets = new long[4];
        for (int i = 0; i < 400; i++) {
            TargetLabels.Result r = TargetLabels.populate(c, Labels.empty(), Labels.of("__address__", "host" + i + ":9100"));
            Target t = new Target("node", r.labels(), r.discovered(), Map.of());
            long off = ScrapeLoop.offsetMs(t, 15_000, 7);
            assertThat(off).isBetween(0L, 14_999L).isEqualTo(ScrapeLoop.offsetMs(t, 15_000, 7));
            buckets[(int) (off / 3750)]++;
        }
        for (long b : buckets) {
            assertThat(b).isBetween(60L, 140L);
        }
    }

    @Test
    void openMetricsContentType() {
        assertThat(ScrapeLoop.isOpenMetrics("application/openmetrics-text; version=1.0.0; charset=utf-8")).isTrue();
        assertThat(ScrapeLoop.isOpenMetrics("text/plain; version=0.0.4")).isFalse();
        assertThat(ScrapeLoop.isOpenMetrics("")).isFalse();
    }
}
