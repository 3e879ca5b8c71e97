package io.sightline.server.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The store on a real directory: files, limits, damaged files, concurrency. */
class DashboardStoreTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static Dashboard draft(String json) throws Exception {
        return DashboardValidator.fromBody(DashboardJson.parse(json.getBytes(StandardCharsets.UTF_8)));
    }

    static String doc(String id, String title) {
        return "{" + (id == null ? "" : "\"id\":\"" + id + "\",") + "\"title\":\"" + title + "\",\"panels\":[{\"id\":\"p1\","
                + "\"title\":\"Up\",\"type\":\"stat\",\"queries\":[{\"expr\":\"up\"}],\"gridPos\":{\"x\":0,\"y\":0,\"w\":12,\"h\":8}}]}";
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void create_writesOneFileAtomically_andNoTemporaryFileRemains() throws Exception {
        AtomicLong clock = new AtomicLong(1_700_000_000_123L);
        Path dir = tmp.resolve("dashboards");
        DashboardStore store = new DashboardStore(dir, clock::get);
        Dashboard d = store.create(draft(doc("node", "Node")));
        assertThat(d.version()).isEqualTo(1);
        assertThat(d.updated()).isEqualTo("2023-11-14T22:13:20.123Z");
        assertThat(files(dir)).containsExactly("node.json");
        JsonNode onDisk = JSON.readTree(dir.resolve("node.json").toFile());
        assertThat(onDisk.path("id").asText()).isEqualTo("node");
        assertThat(onDisk.path("version").asLong()).isEqualTo(1);
        assertThat(onDisk.has("shareToken")).isFalse();

        clock.addAndGet(1000);
        Dashboard v2 = store.put("node", draft(doc(null, "Node v2")));
        assertThat(v2.version()).isEqualTo(2);
        assertThat(files(dir)).containsExactly("node.json");
        assertThat(JSON.readTree(dir.resolve("node.json").toFile()).path("title").asText()).isEqualTo("Node v2");
    }

    @Test
    void generatedIds_areSlugsWithARandomSuffix() throws Exception {
        DashboardStore store = new DashboardStore(tmp.resolve("d"));
        assertThat(store.create(draft(doc(null, "Node Exporter — Überblick (prod)"))).id())
                .matches("node-exporter-uberblick-prod-[a-z0-9]{6}");
        assertThat(store.create(draft(doc(null, "監視"))).id()).matches("dashboard-[a-z0-9]{6}");
        String long_ = store.create(draft(doc(null, "x".repeat(150)))).id();
        assertThat(long_).matches("x{48}-[a-z0-9]{6}").matches(DashboardValidator.ID);
    }

    @Test
    void putsReadAgainAfterARestart_withTheirShareTokens() throws Exception {
        Path dir = tmp.resolve("d");
        DashboardStore store = new DashboardStore(dir);
        store.create(draft(doc("a", "A")));
        store.put("a", draft(doc(null, "A2")));
        String token = store.share("a");
        assertThat(token).matches("[A-Za-z0-9_-]{32}");
        assertThat(store.share("a")).as("sharing again returns the same token").isEqualTo(token);
        assertThat(store.get("a").version()).as("sharing is no edit").isEqualTo(2);

        DashboardStore reopened = new DashboardStore(dir);
        Dashboard a = reopened.get("a");
        assertThat(a.title()).isEqualTo("A2");
        assertThat(a.version()).isEqualTo(2);
        assertThat(a.shareToken()).isEqualTo(token);
        reopened.put("a", draft(doc(null, "A3")));
        assertThat(reopened.get("a").shareToken()).as("an update keeps the token").isEqualTo(token);
        reopened.unshare("a");
        assertThat(new DashboardStore(dir).get("a").shareToken()).isNull();
    }

    @Test
    void limit_refusesTheThousandAndFirst() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("d"));
        // Written directly (as a restored backup would be), so that the test does not fsync a thousand times.
        for (int i = 0; i < DashboardStore.MAX_DASHBOARDS; i++) {
            String id = "d" + i;
            String file = doc(id, "Dash " + i).replaceFirst("\\{", "{\"version\":1,\"updated\":\"2026-01-01T00:00:00.000Z\",");
            Files.writeString(dir.resolve(id + ".json"), file);
        }
        DashboardStore store = new DashboardStore(dir);
        assertThat(store.size()).isEqualTo(1_000);
        assertThatThrownBy(() -> store.create(draft(doc(null, "One more"))))
                .isInstanceOf(DashboardException.LimitExceeded.class)
                .hasMessage("cannot create dashboard: the limit of 1000 dashboards is reached; delete one first");
        assertThatThrownBy(() -> store.put("new-one", draft(doc(null, "One more"))))
                .isInstanceOf(DashboardException.LimitExceeded.class);
        assertThatThrownBy(() -> store.duplicate("d1", null)).isInstanceOf(DashboardException.LimitExceeded.class);
        // Replacing one that exists is no growth.
        assertThat(store.put("d1", draft(doc(null, "Replaced"))).version()).isEqualTo(2);
        store.delete("d2");
        assertThat(store.create(draft(doc(null, "Room again"))).version()).isEqualTo(1);
        assertThat(store.size()).isEqualTo(1_000);
    }

    @Test
    void damagedFiles_areLoggedAndSkipped_andNeverOverwritten() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("d"));
        DashboardStore first = new DashboardStore(dir);
        first.create(draft(doc("good", "Good")));
        Files.writeString(dir.resolve("broken.json"), "{\"id\":\"broken\",\"title\":");
        Files.writeString(dir.resolve("invalid.json"), "{\"id\":\"invalid\",\"title\":\"\",\"version\":1,\"updated\":\"x\"}");
        Files.writeString(dir.resolve("renamed.json"), Files.readString(dir.resolve("good.json")));
        Files.writeString(dir.resolve(".good.json.tmp"), "{\"half a wri");
        Files.writeString(dir.resolve("notes.txt"), "not a dashboard");

        Logger logger = (Logger) LoggerFactory.getLogger(DashboardStore.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        DashboardStore store;
        try {
            store = new DashboardStore(dir);
            assertThat(store.list(List.of())).extracting(DashboardStore.Summary::id).containsExactly("good");
        } finally {
            logger.detachAppender(appender);
        }
        List<String> errors = appender.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR)
                .map(e -> e.getKeyValuePairs().stream().map(kv -> kv.key + "=" + kv.value).collect(Collectors.joining(" "))
                        + " " + e.getFormattedMessage())
                .toList();
        assertThat(errors).hasSize(3);
        assertThat(errors).anySatisfy(e -> assertThat(e).contains("broken.json").contains("cannot parse the dashboard as JSON")
                .contains("line 1"));
        assertThat(errors).anySatisfy(e -> assertThat(e).contains("invalid.json")
                .contains("title: must be a non-empty string of at most 200 characters"));
        assertThat(errors).anySatisfy(e -> assertThat(e).contains("renamed.json")
                .contains("id: must be \"renamed\", the name of the file"));
        assertThat(files(dir)).as("the temporary file of an interrupted write is gone, the rest stays")
                .containsExactly("broken.json", "good.json", "invalid.json", "notes.txt", "renamed.json");

        assertThatThrownBy(() -> store.create(draft(doc("broken", "Mine now"))))
                .isInstanceOf(DashboardException.Conflict.class)
                .hasMessageContaining("cannot write dashboard \"broken\": its file")
                .hasMessageContaining("could not be read at start");
        assertThatThrownBy(() -> store.put("invalid", draft(doc(null, "Mine now"))))
                .isInstanceOf(DashboardException.Conflict.class);
        assertThatThrownBy(() -> store.get("broken")).isInstanceOf(DashboardException.NotFound.class);
        assertThat(Files.readString(dir.resolve("broken.json"))).isEqualTo("{\"id\":\"broken\",\"title\":");
    }

    @Test
    void concurrentWriters_loseNothing() throws Exception {
        DashboardStore store = new DashboardStore(tmp.resolve("d"));
        store.create(draft(doc("shared", "Shared")));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int n = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        store.create(draft(doc("w" + n + "-" + i, "W")));
                        store.put("shared", draft(doc(null, "by " + n)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.size()).isEqualTo(81);
        assertThat(store.get("shared").version()).as("80 updates, none lost").isEqualTo(81);
        assertThat(new DashboardStore(tmp.resolve("d")).list(List.of())).hasSize(81);
    }

    @Test
    void put_withAStaleVersion_isAConflict() throws Exception {
        DashboardStore store = new DashboardStore(tmp.resolve("d"));
        store.create(draft(doc("a", "A")));
        store.put("a", draft(doc(null, "A2").replaceFirst("\\{", "{\"version\":1,")));
        assertThatThrownBy(() -> store.put("a", draft(doc(null, "A3").replaceFirst("\\{", "{\"version\":1,"))))
                .isInstanceOf(DashboardException.Conflict.class)
                .hasMessage("dashboard changed since version 1 was read: now 2");
        assertThat(store.get("a").title()).isEqualTo("A2");
    }

    @Test
    void list_filtersByEveryTag_andSortsByTitleThenId() throws Exception {
        DashboardStore store = new DashboardStore(tmp.resolve("d"));
        store.create(draft("{\"id\":\"z\",\"title\":\"alpha\",\"tags\":[\"prod\",\"db\"]}"));
        store.create(draft("{\"id\":\"b\",\"title\":\"Beta\",\"tags\":[\"prod\"]}"));
        store.create(draft("{\"id\":\"a\",\"title\":\"beta\"}"));
        store.create(draft("{\"id\":\"c\",\"title\":\"Beta\"}"));
        assertThat(store.list(List.of())).extracting(DashboardStore.Summary::id).containsExactly("z", "b", "c", "a");
        assertThat(store.list(List.of("prod"))).extracting(DashboardStore.Summary::id).containsExactly("z", "b");
        assertThat(store.list(List.of("prod", "db"))).extracting(DashboardStore.Summary::id).containsExactly("z");
        assertThat(store.list(Set.of("nope"))).isEmpty();
    }
}
