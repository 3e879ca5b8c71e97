package io.sightline.scrape;

import static io.sightline.scrape.ScrapeTesting.job;
import static io.sightline.scrape.ScrapeTesting.samples;
import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.Labels;
import io.sightline.common.http.HttpClientConfig;
import io.sightline.scrape.ScrapeTesting.Sample;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.memory.MemoryStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery, reloads and the real schedule, with targets on real sockets. */
class ScrapeManagerTest {
    @TempDir
    Path dir;

    private final FixtureTarget[] fixtures = new FixtureTarget[2];
    private MemoryStorage storage;
    private ScrapeManager manager;

    @BeforeEach
    void setUp() throws Exception {
        for (int i = 0; i < fixtures.length; i++) {
            fixtures[i] = new FixtureTarget();
            fixtures[i].answer = FixtureTarget.Answer.text("thing{n=\"" + i + "\"} " + i + "\n");
        }
        storage = new MemoryStorage(StorageOptions.DEFAULTS);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (manager != null) {
            manager.close();
        }
        for (FixtureTarget f : fixtures) {
            f.close();
        }
        storage.close();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static ScrapeConfig fileJob(String name, Duration interval, String file) {
        return new ScrapeConfig(name, interval, interval, "/metrics", "http", java.util.Map.of(), false, true, true, 0, 0,
                HttpClientConfig.NONE, List.of(), List.of(new FileSdConfig(List.of(file), Duration.ofMinutes(5))),
                List.of(), List.of());
    }

    @Test
    void theScheduleScrapesEveryIntervalAtRegularTimestamps() throws Exception {
        manager = new ScrapeManager(() -> storage, new ScrapeManager.Options("t", 100, 1, System::currentTimeMillis, true));
        ScrapeConfig c = job("fast", List.of(fixtures[0].address()));
        c = new ScrapeConfig(c.jobName(), Duration.ofMillis(200), Duration.ofMillis(200), c.metricsPath(), c.scheme(),
                c.params(), false, true, true, 0, 0, c.http(), c.staticConfigs(), List.of(), List.of(), List.of());
        manager.apply(List.of(c), dir);
        await("4 scrapes", () -> samples(storage, "up").size() >= 4);
        List<Sample> up = samples(storage, "up");
        assertThat(up).allSatisfy(s -> assertThat(s.v()).isEqualTo(1));
        for (int i = 1; i < up.size(); i++) {
            // A busy host may skip a slot, never scrape twice in one.
            assertThat(up.get(i).t() - up.get(i - 1).t()).isGreaterThanOrEqualTo(150L);
        }
        long offset = ScrapeLoop.offsetMs(manager.pools().get(0).active().get(0), 200, 1);
        // Each scrape on time is stamped with its slot: regular timestamps, spread by the target's offset.
        assertThat(up.stream().filter(s -> Math.floorMod(s.t(), 200) == offset).count()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void fileSd_followsTheFile_keepsTargetsOnABadFile_andStalesRemovedTargets() throws Exception {
        manager = new ScrapeManager(() -> storage, new ScrapeManager.Options("t", 50, 1, System::currentTimeMillis, true));
        Path file = dir.resolve("targets.json");
        Files.writeString(file, "[{\"targets\": [\"" + fixtures[0].address() + "\", \"" + fixtures[1].address()
                + "\"], \"labels\": {\"team\": \"a\"}}]");
        manager.apply(List.of(fileJob("files", Duration.ofMillis(200), "*.json")), dir);
        assertThat(manager.pools().get(0).active()).hasSize(2);
        Target first = manager.pools().get(0).active().get(0);
        assertThat(first.discoveredLabels().get("__meta_filepath")).isEqualTo(file.toString());
        assertThat(first.publicLabels().get("team")).isEqualTo("a");
        await("both targets scraped", () -> samples(storage, "thing", "n", "1").size() >= 2
                && samples(storage, "thing", "n", "0").size() >= 2);

        Files.writeString(file, "[{\"targets\": [oops");
        await("the bad file counted", () -> manager.stats().fileSdErrors() > 0);
        assertThat(manager.pools().get(0).active()).hasSize(2);

        Files.writeString(file, "[{\"targets\": [\"" + fixtures[0].address() + "\"], \"labels\": {\"team\": \"a\"}}]");
        await("one target left", () -> manager.pools().get(0).active().size() == 1);
        List<Sample> gone = samples(storage, "thing", "n", "1");
        assertThat(StaleNaN.is(gone.get(gone.size() - 1).v())).as("the removed target's series end stale").isTrue();
        List<Sample> up1 = samples(storage, "up", "instance", fixtures[1].address());
        assertThat(StaleNaN.is(up1.get(up1.size() - 1).v())).isTrue();
        int before = gone.size();
        Thread.sleep(500);
        assertThat(samples(storage, "thing", "n", "1")).hasSize(before);
        assertThat(samples(storage, "thing", "n", "0").size()).isGreaterThan(2);
    }

    @Test
    void reload_removedJobsEndStale_changedJobsKeepTheirSeries_andDroppedTargetsAreListed() throws Exception {
        manager = new ScrapeManager(() -> storage, new ScrapeManager.Options("t", 50, 1, System::currentTimeMillis, true));
        ScrapeConfig a = job("a", List.of(fixtures[0].address()));
        ScrapeConfig b = job("b", List.of(fixtures[1].address()));
        manager.apply(List.of(a, b), dir);
        ScrapeLoop la = manager.loop(manager.pools().get(0).active().get(0));
        ScrapeLoop lb = manager.loop(manager.pools().get(1).active().get(0));
        long t = System.currentTimeMillis() - 60_000;
        la.scrapeOnce(t).get();
        lb.scrapeOnce(t).get();

        // b goes away; a's interval changes: a's loop restarts without stale markers.
        ScrapeConfig a2 = new ScrapeConfig("a", Duration.ofSeconds(30), Duration.ofSeconds(10), a.metricsPath(), a.scheme(),
                a.params(), false, true, true, 0, 0, a.http(), a.staticConfigs(), List.of(), List.of(), List.of());
        manager.apply(List.of(a2), dir);
        List<Sample> bThing = samples(storage, "thing", "job", "b");
        assertThat(bThing).hasSize(2);
        assertThat(StaleNaN.is(bThing.get(1).v())).isTrue();
        assertThat(samples(storage, "thing", "job", "a")).hasSize(1);
        assertThat(manager.pools()).extracting(ScrapeManager.PoolView::job).containsExactly("a");
        assertThat(manager.pools().get(0).active().get(0).interval()).isEqualTo(Duration.ofSeconds(30));

        // A rule that drops every target: it is listed as dropped and a's series end.
        ScrapeConfig a3 = new ScrapeConfig("a", a2.scrapeInterval(), a2.scrapeTimeout(), a.metricsPath(), a.scheme(),
                a.params(), false, true, true, 0, 0, a.http(), a.staticConfigs(), List.of(),
                List.of(ScrapeTesting.rule(io.sightline.common.relabel.RelabelConfig.Action.DROP, List.of("job"), "a", "", "$1")),
                List.of());
        manager.apply(List.of(a3), dir);
        assertThat(manager.pools().get(0).active()).isEmpty();
        assertThat(manager.pools().get(0).dropped()).extracting(l -> l.get("__address__")).containsExactly(fixtures[0].address());
        List<Sample> aThing = samples(storage, "thing", "job", "a");
        assertThat(StaleNaN.is(aThing.get(aThing.size() - 1).v())).isTrue();
    }

    @Test
    void fileSdParsing_namesWhatIsWrong() {
        assertThat(FileSd.parse("f.yml", "- targets: [a:1]\n  labels: {x: y}\n")).singleElement()
                .satisfies(g -> {
                    assertThat(g.targets()).containsExactly(Labels.of("__address__", "a:1"));
                    assertThat(g.labels()).isEqualTo(Labels.of("__meta_filepath", "f.yml", "x", "y"));
                });
        assertThat(FileSd.parse("f.json", "[]")).isEmpty();
        String[][] bad = {
            {"f.json", "{}", "expected a list of target groups"},
            {"f.json", "[{\"targets\": \"a:1\"}]", "group 0: targets must be a list"},
            {"f.json", "[{\"targets\": [\"a:1\"], \"labels\": {\"1x\": \"v\"}}]", "group 0: \"1x\" is not a valid label name"},
            {"f.json", "[{\"targets\": [\"a:1\"], \"labels\": {\"x\": 1}}]", "the value of label x must be a string"},
            {"f.json", "[{\"targets\": [\"a:1\"], \"extra\": 1}]", "unknown field \"extra\""},
            {"f.json", "[{\"targets\": [", "not valid JSON"},
            {"f.yml", "- targets: [a:1]\n  targets: [b:2]\n", "not valid YAML"},
            {"f.yml", "- targets: [\"\"]\n", "non-empty host:port"},
        };
        for (String[] c : bad) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> FileSd.parse(c[0], c[1])).as(c[1])
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(c[2]);
        }
    }

    @Test
    void fileSdParsing_ofMutatedFiles_onlyEverFailsWithAReason() {
        String json = "[{\"targets\": [\"a:1\", \"b:2\"], \"labels\": {\"env\": \"prod\", \"team\": \"x\"}}]";
        String yaml = "- targets: [a:1, 'b:2']\n  labels:\n    env: prod\n- targets: []\n";
        java.util.Random random = new java.util.Random(20261203);
        int parsed = 0;
        for (int i = 0; i < 3000; i++) {
            boolean isJson = i % 2 == 0;
            String text = io.sightline.testkit.Mutations.mutate(random, isJson ? json : yaml, "[]{}\":,-&*!|>'\n ab1_$.");
            try {
                List<TargetGroup> groups = FileSd.parse(isJson ? "f.json" : "f.yml", text);
                for (TargetGroup g : groups) {
                    assertThat(g.targets()).allSatisfy(t -> assertThat(t.get("__address__")).isNotEmpty());
                }
                parsed++;
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
        assertThat(parsed).as("some mutations stay valid").isPositive();
    }
}
