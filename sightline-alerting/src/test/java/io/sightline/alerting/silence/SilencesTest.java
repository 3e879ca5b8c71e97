package io.sightline.alerting.silence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.Labels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Silence rules, muting, expiry, retention and the file they live in. */
class SilencesTest {
    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_800_000_000_000L);

    private static List<Silence.Matcher> m(String name, String value, boolean regex) {
        return List.of(new Silence.Matcher(name, value, regex, true));
    }

    @Test
    void mutesWhileActive_expires_andIsKeptOnDisk() throws Exception {
        Path file = dir.resolve("silences.json");
        Silences s = new Silences(file, now::get);
        String id = s.put(null, m("instance", "db-.*", true), now.get() + 60_000, now.get() + 3_600_000, "alice", "upgrade");
        assertThat(s.get(id).state(now.get())).isEqualTo("pending");
        assertThat(s.mutedBy(Labels.of("instance", "db-1"))).isEmpty();
        now.addAndGet(120_000);
        assertThat(s.mutedBy(Labels.of("instance", "db-1"))).containsExactly(id);
        assertThat(s.mutedBy(Labels.of("instance", "web-1"))).isEmpty();

        Silences reread = new Silences(file, now::get);
        assertThat(reread.get(id)).isEqualTo(s.get(id));

        s.expire(id);
        assertThat(s.mutedBy(Labels.of("instance", "db-1"))).isEmpty();
        assertThat(s.get(id).state(now.get())).isEqualTo("expired");
        assertThatThrownBy(() -> s.expire(id)).hasMessageContaining("already expired");
        now.addAndGet(Silences.RETENTION_MS + 1);
        assertThat(s.list()).isEmpty();
    }

    @Test
    void invalidSilences() {
        Silences s = new Silences(null, now::get);
        long t = now.get();
        assertThatThrownBy(() -> s.put(null, List.of(), t, t + 1000, "", "")).hasMessage("at least one matcher required");
        assertThatThrownBy(() -> s.put(null, m("a", ".*", true), t, t + 1000, "", ""))
                .hasMessage("at least one matcher must not match the empty string");
        assertThatThrownBy(() -> s.put(null, m("a", "x", false), t, t - 1000, "", "")).hasMessageContaining("end time");
        assertThatThrownBy(() -> s.put("missing", m("a", "x", false), t, t + 1000, "", "")).hasMessage("silence missing not found");
        assertThatThrownBy(() -> s.put(null, m("a", "(", true), t, t + 1000, "", "")).hasMessageContaining("invalid regular expression");
    }

    @Test
    void aDamagedFile_isMovedAside() throws Exception {
        Path file = dir.resolve("silences.json");
        Files.writeString(file, "{not json");
        Silences s = new Silences(file, now::get);
        assertThat(s.list()).isEmpty();
        assertThat(dir.resolve("silences.json.damaged")).exists();
        s.put(null, m("a", "x", false), now.get(), now.get() + 1000, "", "");
        assertThat(new Silences(file, now::get).list()).hasSize(1);
    }
}
