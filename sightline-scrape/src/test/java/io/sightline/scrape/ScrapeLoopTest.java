package io.sightline.scrape;

import static io.sightline.scrape.ScrapeTesting.job;
import static io.sightline.scrape.ScrapeTesting.read;
import static io.sightline.scrape.ScrapeTesting.rule;
import static io.sightline.scrape.ScrapeTesting.samples;
import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.common.http.HttpClientConfig;
import io.sightline.common.relabel.RelabelConfig;
import io.sightline.scrape.ScrapeTesting.Sample;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.StartTimes;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.memory.MemoryStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One target over a real socket, scrapes driven one by one with chosen timestamps. */
class ScrapeLoopTest {
    private static final long T0 = 1_800_000_000_000L;

    private FixtureTarget fixture;
    private Storage storage;
    private ScrapeManager manager;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new FixtureTarget();
        // Samples and their start times (OpenMetrics' _created), as the server's store keeps them.
        storage = StartTimes.storage(new MemoryStorage(StorageOptions.DEFAULTS),
                new MemoryStorage(StorageOptions.DEFAULTS));
        manager = new ScrapeManager(() -> storage, new ScrapeManager.Options("Sightline/test", 1000, 0, () -> T0, false));
    }

    @AfterEach
    void tearDown() throws Exception {
        manager.close();
        fixture.close();
        storage.close();
    }

    private ScrapeLoop start(ScrapeConfig cfg) {
        manager.apply(List.of(cfg), Path.of("."));
        Target t = manager.pools().get(0).active().get(0);
        return manager.loop(t);
    }

    private Target target() {
        return manager.pools().get(0).active().get(0);
    }

    private static ScrapeConfig with(ScrapeConfig c, boolean honorLabels, boolean honorTimestamps, long sampleLimit,
            long bodyLimit, List<RelabelConfig> metricRelabel) {
        return new ScrapeConfig(c.jobName(), c.scrapeInterval(), c.scrapeTimeout(), c.metricsPath(), c.scheme(), c.params(),
                honorLabels, honorTimestamps, c.enableCompression(), sampleLimit, bodyLimit, c.http(), c.staticConfigs(),
                c.fileSdConfigs(), c.relabelConfigs(), metricRelabel);
    }

    @Test
    void storesSamplesWithTargetLabels_andTheReportSeries() throws Exception {
        fixture.answer = FixtureTarget.Answer.text("""
                # HELP http_requests_total Requests.
                # TYPE http_requests_total counter
                http_requests_total{code="200"} 10
                http_requests_total{code="500"} 2
                temperature 21.5
                """);
        ScrapeLoop loop = start(job("app", List.of(fixture.address())));
        loop.scrapeOnce(T0).get();

        String inst = fixture.address();
        assertThat(samples(storage, "http_requests_total", "code", "200", "job", "app", "instance", inst))
                .containsExactly(new Sample(T0, 10));
        assertThat(samples(storage, "temperature", "job", "app")).containsExactly(new Sample(T0, 21.5));
        assertThat(samples(storage, "up", "job", "app", "instance", inst)).containsExactly(new Sample(T0, 1));
        assertThat(samples(storage, "scrape_samples_scraped", "job", "app")).containsExactly(new Sample(T0, 3));
        assertThat(samples(storage, "scrape_samples_post_metric_relabeling", "job", "app")).containsExactly(new Sample(T0, 3));
        assertThat(samples(storage, "scrape_series_added", "job", "app")).containsExactly(new Sample(T0, 3));
        assertThat(samples(storage, "scrape_duration_seconds", "job", "app")).hasSize(1)
                .allSatisfy(s -> assertThat(s.v()).isGreaterThan(0).isLessThan(10));
        assertThat(target().health()).isEqualTo(Target.Health.UP);
        assertThat(target().lastError()).isEmpty();
        assertThat(target().lastScrapeMs()).isEqualTo(T0);
        assertThat(target().metadata()).containsEntry("http_requests_total",
                new Target.Metadata("counter", "Requests.", ""));

        var headers = fixture.requests.get(0);
        assertThat(headers.get("Accept")).containsExactly(ScrapeClient.ACCEPT);
        assertThat(headers.get("User-agent")).containsExactly("Sightline/test");
        assertThat(headers.get("X-prometheus-scrape-timeout-seconds")).containsExactly("10.0");
        assertThat(headers.get("Accept-encoding")).containsExactly("gzip");
    }

    @Test
    void aSeriesThatGoesAway_getsAStaleMarker_andComesBackLater() throws Exception {
        fixture.answer = FixtureTarget.Answer.text("a 1\nb 1\n");
        ScrapeLoop loop = start(job("app", List.of(fixture.address())));
        loop.scrapeOnce(T0).get();
        fixture.answer = FixtureTarget.Answer.text("a 2\n");
        loop.scrapeOnce(T0 + 15_000).get();
        fixture.answer = FixtureTarget.Answer.text("a 3\nb 3\n");
        loop.scrapeOnce(T0 + 30_000).get();

        assertThat(samples(storage, "a")).extracting(Sample::v).containsExactly(1.0, 2.0, 3.0);
        List<Sample> b = samples(storage, "b");
        assertThat(b).hasSize(3);
        assertThat(b.get(0)).isEqualTo(new Sample(T0, 1));
        assertThat(Double.doubleToRawLongBits(b.get(1).v())).isEqualTo(StaleNaN.BITS);
        assertThat(b.get(1).t()).isEqualTo(T0 + 15_000);
        assertThat(b.get(2)).isEqualTo(new Sample(T0 + 30_000, 3));
        assertThat(samples(storage, "scrape_series_added")).extracting(Sample::v).containsExactly(2.0, 0.0, 1.0);
    }

    @Test
    void aFailedScrape_isUpZero_marksEverySeriesStale_andSaysWhy() throws Exception {
        fixture.answer = FixtureTarget.Answer.text("a 1\n");
        ScrapeLoop loop = start(job("app", List.of(fixture.address())));
        loop.scrapeOnce(T0).get();
        fixture.answer = new FixtureTarget.Answer(500, "text/plain", "boom", false, 0);
        loop.scrapeOnce(T0 + 15_000).get();

        assertThat(samples(storage, "up")).extracting(Sample::v).containsExactly(1.0, 0.0);
        List<Sample> a = samples(storage, "a");
        assertThat(a).hasSize(2);
        assertThat(StaleNaN.is(a.get(1).v())).isTrue();
        assertThat(target().health()).isEqualTo(Target.Health.DOWN);
        assertThat(target().lastError()).isEqualTo("server returned HTTP status 500 Internal Server Error");
        assertThat(samples(storage, "scrape_samples_scraped")).extracting(Sample::v).containsExactly(1.0, 0.0);
    }

    @Test
    void aMalformedBody_storesNothingOfIt() throws Exception {
        fixture.answer = FixtureTarget.Answer.text("good 1\nbad{ 2\n");
        ScrapeLoop loop = start(job("app", List.of(fixture.address())));
        loop.scrapeOnce(T0).get();
        assertThat(samples(storage, "good")).isEmpty();
        assertThat(samples(storage, "up")).containsExactly(new Sample(T0, 0));
        assertThat(target().lastError()).contains("line 2");
    }

    @Test
    void anUnreachableTarget_isDown() throws Exception {
        String address = fixture.address();
        fixture.close();
        ScrapeLoop loop = start(job("app", List.of(address)));
        loop.scrapeOnce(T0).get();
        assertThat(samples(storage, "up")).containsExactly(new Sample(T0, 0));
        assertThat(target().lastError()).startsWith("connection refused");
    }

    @Test
    void aSlowTarget_timesOut() throws Exception {
        fixture.answer = new FixtureTarget.Answer(200, "text/plain", "a 1\n", false, 3000);
        ScrapeConfig c = job("app", List.of(fixture.address()));
        c = new ScrapeConfig(c.jobName(), Duration.ofSeconds(1), Duration.ofMillis(300), c.metricsPath(), c.scheme(),
                c.params(), false, true, true, 0, 0, c.http(), c.staticConfigs(), List.of(), List.of(), List.of());
        ScrapeLoop loop = start(c);
        loop.scrapeOnce(T0).get();
        assertThat(samples(storage, "up")).containsExactly(new Sample(T0, 0));
        assertThat(target().lastError()).startsWith("context deadline exceeded");
        assertThat(samples(storage, "scrape_duration_seconds").get(0).v()).isBetween(0.25, 2.0);
    }

    @Test
    void sampleLimit_failsTheWholeScrape() throws Exception {
        fixture.answer = FixtureTarget.Answer.text("a 1\nb 2\nc 3\n");
        ScrapeLoop loop = start(with(job("app", List.of(fixture.address())), false, true, 2, 0, List.of()));
        loop.scrapeOnce(T0).get();
        assertThat(samples(storage, "a")).isEmpty();
        assertThat(samples(storage, "up")).containsExactly(new Sample(T0, 0));
        assertThat(samples(storage, "scrape_samples_scraped")).containsExactly(new Sample(T0, 3));
        assertThat(target().lastError()).isEqualTo("sample limit exceeded: 3 samples after metric relabeling, sample_limit is 2");
        assertThat(manager.stats().sampleLimitExceeded()).isEqualTo(1);
    }

    @Test
    void bodySizeLimit_appliesToCompressedAndUncompressedBodies() throws Exception {
        String big = "a_metric_with_a_long_name 1\n".repeat(100);
        fixture.answer = new FixtureTarget.Answer(200, "text/plain", big, true, 0);
        ScrapeLoop loop = start(with(job("app", List.of(fixture.address())), false, true, 0, 1000, List.of()));
        loop.scrapeOnce(T0).get();
        assertThat(target().lastError()).startsWith("body size limit exceeded: the uncompressed body");
        fixture.answer = new FixtureTarget.Answer(200, "text/plain", big, false, 0);
        loop.scrapeOnce(T0 + 15_000).get();
        assertThat(target().lastError()).startsWith("body size limit exceeded: the body is larger than 1000 bytes");
        fixture.answer = new FixtureTarget.Answer(200, "text/plain", "small 1\n", true, 0);
        loop.scrapeOnce(T0 + 30_000).get();
        assertThat(target().lastError()).isEmpty();
        assertThat(samples(storage, "small")).containsExactly(new Sample(T0 + 30_000, 1));
    }

    @Test
    void explicitTimestamps_honouredOrNot_andNotMarkedStale() throws Exception {
        fixture.answer = FixtureTarget.Answer.text("with_ts 1 " + (T0 - 5000) + "\nplain 1\n");
        ScrapeLoop loop = start(job("app", List.of(fixture.address())));
        loop.scrapeOnce(T0).get();
        fixture.answer = FixtureTarget.Answer.text("");
        loop.scrapeOnce(T0 + 15_000).get();
        assertThat(samples(storage, "with_ts")).containsExactly(new Sample(T0 - 5000, 1));
        assertThat(samples(storage, "plain")).hasSize(2);

        manager.apply(List.of(with(job("other", List.of(fixture.address())), false, false, 0, 0, List.of())), Path.of("."));
        fixture.answer = FixtureTarget.Answer.text("with_ts 7 " + (T0 - 5000) + "\n");
        manager.loop(target()).scrapeOnce(T0 + 60_000).get();
        assertThat(samples(storage, "with_ts", "job", "other")).containsExactly(new Sample(T0 + 60_000, 7));
    }

    @Test
    void honorLabels_decidesConflicts() throws Exception {
        fixture.answer = FixtureTarget.Answer.text("m{job=\"exposed\",instance=\"i\",exported_job=\"x\"} 1\n");
        ScrapeLoop loop = start(job("app", List.of(fixture.address())));
        loop.scrapeOnce(T0).get();
        Map<Labels, List<Sample>> got = read(storage, LabelMatcher.equal("__name__", "m"));
        assertThat(got.keySet()).containsExactly(Labels.of("__name__", "m", "job", "app", "instance", fixture.address(),
                "exported_job", "x", "exported_exported_job", "exposed", "exported_instance", "i"));

        manager.apply(List.of(with(job("app", List.of(fixture.address())), true, true, 0, 0, List.of())), Path.of("."));
        fixture.answer = FixtureTarget.Answer.text("n{job=\"exposed\"} 1\n");
        manager.loop(target()).scrapeOnce(T0 + 15_000).get();
        assertThat(read(storage, LabelMatcher.equal("__name__", "n")).keySet())
                .containsExactly(Labels.of("__name__", "n", "job", "exposed", "instance", fixture.address()));
    }

    @Test
    void metricRelabeling_dropsAndRewrites_beforeTheLimit() throws Exception {
        fixture.answer = FixtureTarget.Answer.text("keep_me{x=\"1\"} 1\ndrop_me 2\ndrop_me_too 3\n");
        List<RelabelConfig> rules = List.of(
                rule(RelabelConfig.Action.DROP, List.of("__name__"), "drop_.*", "", "$1"),
                rule(RelabelConfig.Action.REPLACE, List.of("x"), "(.*)", "y", "v$1"));
        ScrapeLoop loop = start(with(job("app", List.of(fixture.address())), false, true, 1, 0, rules));
        loop.scrapeOnce(T0).get();
        assertThat(read(storage, LabelMatcher.equal("__name__", "keep_me")).keySet())
                .containsExactly(Labels.of("__name__", "keep_me", "x", "1", "y", "v1", "job", "app", "instance", fixture.address()));
        assertThat(samples(storage, "drop_me")).isEmpty();
        assertThat(samples(storage, "scrape_samples_scraped")).containsExactly(new Sample(T0, 3));
        assertThat(samples(storage, "scrape_samples_post_metric_relabeling")).containsExactly(new Sample(T0, 1));
        assertThat(samples(storage, "up")).containsExactly(new Sample(T0, 1));
    }

    @Test
    void openMetrics_isParsedWhenTheTargetSaysSo() throws Exception {
        fixture.answer = new FixtureTarget.Answer(200, "application/openmetrics-text; version=1.0.0; charset=utf-8", """
                # TYPE job_seconds counter
                # UNIT job_seconds seconds
                job_seconds_total 4 1800000000.5
                job_seconds_created 1700000000
                # EOF
                """, false, 0);
        ScrapeLoop loop = start(job("app", List.of(fixture.address())));
        loop.scrapeOnce(T0).get();
        assertThat(target().lastError()).isEmpty();
        assertThat(samples(storage, "job_seconds_total")).containsExactly(new Sample(1_800_000_000_500L, 4));
        assertThat(samples(storage, "job_seconds_created")).containsExactly(new Sample(T0, 1.7e9));
        // _created is also the start time of the counter's sample.
        try (Querier q = storage.querier(0, Long.MAX_VALUE / 2)) {
            SeriesSet set = q.select(false, new SelectHints(0, Long.MAX_VALUE / 2, 0, "rate", 0, List.of(), false, 0,
                    false), LabelMatcher.equal(Labels.METRIC_NAME, "job_seconds_total"));
            assertThat(set.next()).isTrue();
            SampleIterator it = set.at().iterator(null);
            assertThat(it.hasStartTimestamps()).isTrue();
            assertThat(it.next()).isTrue();
            assertThat(it.startTimestamp()).isEqualTo(1_700_000_000_000L);
        }
        assertThat(target().metadata().get("job_seconds").unit()).isEqualTo("seconds");
    }

    @Test
    void credentialsAndParams_areSent() throws Exception {
        fixture.answer = FixtureTarget.Answer.text("a 1\n");
        ScrapeConfig c = job("app", List.of(fixture.address()));
        Path secret = java.nio.file.Files.createTempFile("token", ".txt");
        java.nio.file.Files.writeString(secret, "s3cret\n");
        c = new ScrapeConfig(c.jobName(), c.scrapeInterval(), c.scrapeTimeout(), "/probe", "http",
                Map.of("module", List.of("http_2xx", "b c")), false, true, false, 0, 0,
                new HttpClientConfig(null, new HttpClientConfig.Authorization("Bearer", null, secret.toString()),
                        HttpClientConfig.Tls.NONE, true),
                c.staticConfigs(), List.of(), List.of(), List.of());
        ScrapeLoop loop = start(c);
        assertThat(target().url().toString()).isEqualTo("http://" + fixture.address() + "/probe?module=http_2xx&module=b+c");
        loop.scrapeOnce(T0).get();
        assertThat(fixture.requests.get(0).get("Authorization")).containsExactly("Bearer s3cret");
        assertThat(fixture.requests.get(0)).doesNotContainKey("Accept-encoding");
        assertThat(fixture.queries.get(0)).isEqualTo("module=http_2xx&module=b+c");
        java.nio.file.Files.delete(secret);
    }

    @Test
    void basicAuth_isSent() throws Exception {
        fixture.answer = FixtureTarget.Answer.text("a 1\n");
        ScrapeConfig c = job("app", List.of(fixture.address()));
        c = new ScrapeConfig(c.jobName(), c.scrapeInterval(), c.scrapeTimeout(), c.metricsPath(), c.scheme(), c.params(),
                false, true, true, 0, 0,
                new HttpClientConfig(new HttpClientConfig.BasicAuth("user", "pa:ss", null), null, HttpClientConfig.Tls.NONE, true),
                c.staticConfigs(), List.of(), List.of(), List.of());
        start(c).scrapeOnce(T0).get();
        assertThat(fixture.requests.get(0).get("Authorization"))
                .containsExactly("Basic " + java.util.Base64.getEncoder().encodeToString("user:pa:ss".getBytes()));
    }
}
