package io.sightline.server.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboards, one JSON file each, {@code <dir>/<id>.json}.
 *
 * <p>Every change is written before it is visible: the document goes to a temporary file
 * ({@code .<id>.json.tmp}), which is fsynced, renamed over the dashboard's file in one atomic step, and
 * the directory is fsynced, so a crash leaves either the old or the new document, never a torn one. A
 * failed write leaves the dashboard as it was.
 *
 * <p>The directory is read at first use (so the data dir is locked by then). A file that cannot be read
 * or breaks the model is logged at error and skipped: it is not listed, and its id cannot be written
 * to until the file is moved away or fixed and the server restarted, so nothing is overwritten that
 * someone may still want. Leftover temporary files of an interrupted write are deleted.
 *
 * <p>At most {@link #MAX_DASHBOARDS} are kept. Versions count from 1 and grow by one with each update;
 * sharing does not change the version, since the token is not part of what the UI edits.
 *
 * <p>Thread-safe: one lock serialises every operation, writes included; dashboards change at human
 * speed, so simplicity wins over concurrency here.
 */
public final class DashboardStore {
    private static final Logger log = LoggerFactory.getLogger(DashboardStore.class);
    public static final int MAX_DASHBOARDS = 1_000;
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final String SUFFIX_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final Path dir;
    private final LongSupplier clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Dashboard> dashboards = new HashMap<>();
    /** Ids whose files could not be read: never written over. */
    private final Set<String> damaged = new HashSet<>();
    private boolean loaded;

    /** @param dir the dashboards directory, created at first use if missing */
    public DashboardStore(Path dir) {
        this(dir, System::currentTimeMillis);
    }

    /** @param clock milliseconds since the epoch, for {@code updated} */
    public DashboardStore(Path dir, LongSupplier clock) {
        this.dir = dir;
        this.clock = clock;
    }

    /**
     * What the list shows of a dashboard.
     *
     * @param panels the number of panels
     */
    public record Summary(String id, String title, List<String> tags, String updated, long version, int panels) {}

    /**
     * The dashboards that carry every one of {@code tags} (all of them when empty), by title
     * (ignoring case, then exactly), then id.
     *
     * @throws IOException when the directory cannot be read
     */
    public synchronized List<Summary> list(Collection<String> tags) throws IOException {
        load();
        List<Summary> out = new ArrayList<>();
        for (Dashboard d : dashboards.values()) {
            if (d.tags().containsAll(tags)) {
                out.add(new Summary(d.id(), d.title(), d.tags(), d.updated(), d.version(), d.panelCount()));
            }
        }
        out.sort(Comparator.comparing(Summary::title, String.CASE_INSENSITIVE_ORDER)
                .thenComparing(Summary::title).thenComparing(Summary::id));
        return out;
    }

    public synchronized Dashboard get(String id) throws IOException, DashboardException.NotFound {
        load();
        Dashboard d = dashboards.get(id);
        if (d == null) {
            throw new DashboardException.NotFound(id);
        }
        return d;
    }

    public synchronized int size() throws IOException {
        load();
        return dashboards.size();
    }

    /**
     * Stores a new dashboard, under its own id or, when it has none, one made from its title. Its
     * version becomes 1 whatever it carried (an import of an exported dashboard starts over).
     *
     * @throws DashboardException.Conflict when the id is taken
     * @throws DashboardException.LimitExceeded when {@link #MAX_DASHBOARDS} are stored already
     * @throws IOException when the file cannot be written; nothing changed
     */
    public synchronized Dashboard create(Dashboard draft)
            throws IOException, DashboardException.Conflict, DashboardException.LimitExceeded {
        load();
        String id = draft.id() == null ? newId(draft.title()) : draft.id();
        if (dashboards.containsKey(id)) {
            throw new DashboardException.Conflict("dashboard \"" + id + "\" already exists; replace it with PUT"
                    + " /api/v1/dashboards/" + id + " or create it under another id");
        }
        checkWritable(id);
        checkRoom();
        Dashboard d = stamp(draft.with(Dashboard.ID, id), 1).with(Dashboard.SHARE_TOKEN, (String) null);
        write(d);
        return d;
    }

    /**
     * Replaces a dashboard, or creates it when there is none with this id. When {@code draft} carries a
     * version, it must be the stored one (optimistic concurrency: the editor read that version and
     * nobody saved since). The share token stays.
     *
     * @throws DashboardException.Invalid when the draft's id is not {@code id}
     * @throws DashboardException.Conflict when the draft's version is stale
     */
    public synchronized Dashboard put(String id, Dashboard draft) throws IOException, DashboardException.Invalid,
            DashboardException.Conflict, DashboardException.LimitExceeded {
        if (!DashboardValidator.ID.matcher(id).matches()) {
            throw new DashboardException.Invalid("id: must be a string matching " + DashboardValidator.ID.pattern());
        }
        if (draft.id() != null && !draft.id().equals(id)) {
            throw new DashboardException.Invalid("id: must be absent or \"" + id + "\" (the id in the path), got \""
                    + draft.id() + "\"");
        }
        load();
        Dashboard old = dashboards.get(id);
        if (old == null) {
            checkWritable(id);
            checkRoom();
            Dashboard d = stamp(draft.with(Dashboard.ID, id), 1).with(Dashboard.SHARE_TOKEN, (String) null);
            write(d);
            return d;
        }
        if (draft.hasVersion() && draft.version() != old.version()) {
            throw new DashboardException.Conflict("dashboard changed since version " + draft.version() + " was read: now "
                    + old.version());
        }
        Dashboard d = stamp(draft.with(Dashboard.ID, id), old.version() + 1).with(Dashboard.SHARE_TOKEN, old.shareToken());
        write(d);
        return d;
    }

    public synchronized void delete(String id) throws IOException, DashboardException.NotFound {
        get(id);
        Files.deleteIfExists(file(id));
        syncDir();
        dashboards.remove(id);
    }

    /**
     * A copy under a new id, unshared, titled {@code title} or, when null, "Copy of" the original's
     * title (cut to the longest title allowed).
     */
    public synchronized Dashboard duplicate(String id, String title) throws IOException, DashboardException.NotFound,
            DashboardException.Invalid, DashboardException.LimitExceeded, DashboardException.Conflict {
        Dashboard source = get(id);
        String newTitle = title != null ? title : cut("Copy of " + source.title(), DashboardValidator.MAX_TITLE);
        ObjectNode copy = source.toJson();
        copy.remove(List.of(Dashboard.ID, Dashboard.VERSION, Dashboard.UPDATED, Dashboard.SHARE_TOKEN));
        copy.put(Dashboard.TITLE, newTitle);
        return create(DashboardValidator.fromBody(copy));
    }

    /**
     * The dashboard's share token, made now (192 random bits, URL-safe base64) if it has none.
     */
    public synchronized String share(String id) throws IOException, DashboardException.NotFound {
        Dashboard d = get(id);
        if (d.shareToken() != null) {
            return d.shareToken();
        }
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        write(d.with(Dashboard.SHARE_TOKEN, token));
        return token;
    }

    /** Revokes the share token; a no-op when there is none. */
    public synchronized void unshare(String id) throws IOException, DashboardException.NotFound {
        Dashboard d = get(id);
        if (d.shareToken() != null) {
            write(d.with(Dashboard.SHARE_TOKEN, (String) null));
        }
    }

    private Dashboard stamp(Dashboard d, long version) {
        return d.with(Dashboard.VERSION, JsonNodeFactory.instance.numberNode(version))
                .with(Dashboard.UPDATED, RFC3339.format(Instant.ofEpochMilli(clock.getAsLong())));
    }

    private void checkRoom() throws DashboardException.LimitExceeded {
        if (dashboards.size() >= MAX_DASHBOARDS) {
            throw new DashboardException.LimitExceeded("cannot create dashboard: the limit of " + MAX_DASHBOARDS
                    + " dashboards is reached; delete one first");
        }
    }

    private void checkWritable(String id) throws DashboardException.Conflict {
        if (damaged.contains(id)) {
            throw new DashboardException.Conflict("cannot write dashboard \"" + id + "\": its file " + file(id)
                    + " could not be read at start (see the log); fix it or move it away, then restart");
        }
    }

    /** A new id: the title as a slug, a dash and six random characters, e.g. {@code node-overview-k3x9qa}. */
    private String newId(String title) {
        String slug = slug(title);
        while (true) {
            StringBuilder id = new StringBuilder(slug).append('-');
            for (int i = 0; i < 6; i++) {
                id.append(SUFFIX_CHARS.charAt(random.nextInt(SUFFIX_CHARS.length())));
            }
            String s = id.toString();
            if (!dashboards.containsKey(s) && !damaged.contains(s)) {
                return s;
            }
        }
    }

    /** Lower-case ASCII letters and digits of the title (accents dropped), runs of others as one dash, at most 48. */
    static String slug(String title) {
        String plain = Normalizer.normalize(title, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "").toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < plain.length() && sb.length() < 48; i++) {
            char c = plain.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                sb.append(c);
            } else if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != '-') {
                sb.append('-');
            }
        }
        while (!sb.isEmpty() && sb.charAt(sb.length() - 1) == '-') {
            sb.setLength(sb.length() - 1);
        }
        return sb.isEmpty() ? "dashboard" : sb.toString();
    }

    private static String cut(String s, int codePoints) {
        return s.codePointCount(0, s.length()) <= codePoints ? s : s.substring(0, s.offsetByCodePoints(0, codePoints));
    }

    private Path file(String id) {
        return dir.resolve(id + ".json");
    }

    private void write(Dashboard d) throws IOException {
        Path tmp = dir.resolve("." + d.id() + ".json.tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(DashboardJson.prettyBytes(d.toJson()));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, file(d.id()), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        syncDir();
        dashboards.put(d.id(), d);
    }

    /** Makes the rename (or delete) itself durable. */
    private void syncDir() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems (and Windows) cannot sync a directory; the file's own fsync still holds.
            log.atDebug().addKeyValue("dir", dir).addKeyValue("reason", e.getMessage()).log("cannot fsync directory");
        }
    }

    private void load() throws IOException {
        if (loaded) {
            return;
        }
        Files.createDirectories(dir);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".json.tmp")) {
                    log.atInfo().addKeyValue("file", p).log("deleting the temporary file of an interrupted dashboard write");
                    Files.deleteIfExists(p);
                    continue;
                }
                if (!name.endsWith(".json")) {
                    continue;
                }
                String id = name.substring(0, name.length() - ".json".length());
                if (!DashboardValidator.ID.matcher(id).matches()) {
                    log.atWarn().addKeyValue("file", p).log("ignoring a file whose name is not a dashboard id");
                    continue;
                }
                try {
                    dashboards.put(id, read(p, id));
                } catch (IOException | DashboardException.Invalid e) {
                    damaged.add(id);
                    log.atError().addKeyValue("file", p).addKeyValue("reason", e.getMessage())
                            .log("cannot read a dashboard; it is skipped and its file left as it is");
                }
            }
        }
        loaded = true;
        log.atInfo().addKeyValue("dir", dir).addKeyValue("dashboards", dashboards.size())
                .addKeyValue("damaged", damaged.size()).log("dashboards loaded");
    }

    private static Dashboard read(Path p, String id) throws IOException, DashboardException.Invalid {
        long size;
        try {
            size = Files.size(p);
        } catch (NoSuchFileException e) {
            throw new IOException("the file vanished while being read", e);
        }
        if (size > 2L * DashboardValidator.MAX_BYTES) {
            throw new DashboardException.Invalid("dashboard: the file has " + size + " bytes, more than a dashboard may");
        }
        JsonNode doc = DashboardJson.parse(Files.readAllBytes(p));
        return DashboardValidator.fromFile(doc, id);
    }
}
