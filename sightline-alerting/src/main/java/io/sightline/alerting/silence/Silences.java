package io.sightline.alerting.silence;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.common.Names;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The silences, with Alertmanager's rules: a silence needs at least one matcher, and at least one that
 * does not match the empty label value; it must end after it starts; updating an active silence's
 * matchers or start replaces it by a new one (the old one expires now), as Alertmanager does; expiring
 * sets its end to now. Kept in {@code silences.json} in the data dir, written atomically (temporary
 * file, fsync, rename) on every change, read at start; expired silences are kept five days, as
 * Alertmanager's data retention, then dropped. Thread-safe.
 */
public final class Silences {
    private static final Logger log = LoggerFactory.getLogger(Silences.class);
    static final long RETENTION_MS = 5 * 24 * 3_600_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final LongSupplier clock;
    private final Map<String, Silence> silences = new LinkedHashMap<>();

    /** A silence that breaks the rules above; the message says which. */
    public static final class InvalidSilence extends Exception {
        public InvalidSilence(String message) {
            super(message);
        }
    }

    /**
     * @param file where silences are kept; read now if it exists (a damaged file is renamed aside and logged)
     */
    public Silences(Path file, LongSupplier clock) {
        this.file = file;
        this.clock = clock;
        if (file != null && Files.exists(file)) {
            try {
                List<Silence> list = JSON.readValue(file.toFile(), new TypeReference<List<Silence>>() { });
                for (Silence s : list) {
                    silences.put(s.id(), s);
                }
            } catch (IOException e) {
                Path aside = file.resolveSibling(file.getFileName() + ".damaged");
                log.atError().addKeyValue("file", file).addKeyValue("moved_to", aside).addKeyValue("reason", e.getMessage())
                        .log("cannot read the silences; starting without them");
                try {
                    Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException ignored) {
                    // the next write replaces it anyway
                }
            }
        }
    }

    /** Every silence not yet past retention, newest first. */
    public synchronized List<Silence> list() {
        gc();
        List<Silence> out = new ArrayList<>(silences.values());
        out.sort((a, b) -> Long.compare(b.updatedAt(), a.updatedAt()));
        return out;
    }

    public synchronized Silence get(String id) {
        return silences.get(id);
    }

    /** Whether an active silence mutes these labels; the ids of those that do. */
    public synchronized List<String> mutedBy(Labels labels) {
        long now = clock.getAsLong();
        List<String> ids = new ArrayList<>();
        for (Silence s : silences.values()) {
            if (s.mutes(labels, now)) {
                ids.add(s.id());
            }
        }
        return ids;
    }

    /**
     * Creates a silence, or updates the one with {@code id} if given.
     *
     * @return the id of the silence now in force
     */
    public synchronized String put(String id, List<Silence.Matcher> matchers, long startsAt, long endsAt, String createdBy,
            String comment) throws InvalidSilence, IOException {
        validate(matchers, startsAt, endsAt);
        long now = clock.getAsLong();
        Silence old = id == null || id.isEmpty() ? null : silences.get(id);
        if (id != null && !id.isEmpty() && old == null) {
            throw new InvalidSilence("silence " + id + " not found");
        }
        if (old == null && endsAt <= now) {
            throw new InvalidSilence("end time must not be in the past");
        }
        String newId;
        if (old != null && old.state(now).equals("expired")) {
            throw new InvalidSilence("cannot update an expired silence");
        }
        if (old != null && (old.state(now).equals("pending") || (old.matchers().equals(matchers) && old.startsAt() == startsAt))) {
            newId = old.id(); // Alertmanager updates in place when it can
        } else {
            newId = UUID.randomUUID().toString();
            if (old != null) {
                silences.put(old.id(), new Silence(old.id(), old.matchers(), old.startsAt(), now, now, old.createdBy(), old.comment()));
            }
        }
        // A silence cannot start in the past (Alertmanager moves such a start to now).
        long start = Math.max(startsAt, now);
        if (endsAt <= start) {
            throw new InvalidSilence("end time must not be in the past");
        }
        silences.put(newId, new Silence(newId, matchers, start, endsAt, now,
                createdBy == null ? "" : createdBy, comment == null ? "" : comment));
        save();
        return newId;
    }

    /** Expires a silence now (Alertmanager's DELETE). */
    public synchronized void expire(String id) throws InvalidSilence, IOException {
        Silence s = silences.get(id);
        if (s == null) {
            throw new InvalidSilence("silence " + id + " not found");
        }
        long now = clock.getAsLong();
        if (s.state(now).equals("expired")) {
            throw new InvalidSilence("silence " + id + " is already expired");
        }
        long start = Math.min(s.startsAt(), now);
        silences.put(id, new Silence(id, s.matchers(), start, now, now, s.createdBy(), s.comment()));
        save();
    }

    static void validate(List<Silence.Matcher> matchers, long startsAt, long endsAt) throws InvalidSilence {
        if (matchers == null || matchers.isEmpty()) {
            throw new InvalidSilence("at least one matcher required");
        }
        boolean anyNonEmpty = false;
        for (Silence.Matcher m : matchers) {
            if (m.name() == null || !Names.isValidLabelName(m.name())) {
                throw new InvalidSilence("invalid label name \"" + m.name() + "\"");
            }
            LabelMatcher lm;
            try {
                lm = new Silence.Matcher(m.name(), m.value() == null ? "" : m.value(), m.isRegex(), m.isEqual()).toLabelMatcher();
            } catch (RuntimeException e) {
                throw new InvalidSilence("invalid regular expression \"" + m.value() + "\": " + e.getMessage());
            }
            if (!lm.matchesEmpty()) {
                anyNonEmpty = true;
            }
        }
        if (!anyNonEmpty) {
            throw new InvalidSilence("at least one matcher must not match the empty string");
        }
        if (endsAt <= startsAt) {
            throw new InvalidSilence("end time must not be before start time");
        }
    }

    private void gc() {
        long now = clock.getAsLong();
        silences.values().removeIf(s -> s.endsAt() < now - RETENTION_MS);
    }

    private void save() throws IOException {
        if (file == null) {
            return;
        }
        gc();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(new ArrayList<>(silences.values()));
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
