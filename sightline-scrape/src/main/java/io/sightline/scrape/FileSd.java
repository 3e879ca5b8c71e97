package io.sightline.scrape;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.Labels;
import io.sightline.common.Names;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * One {@code file_sd_configs} entry: the files its globs match (a glob may only be in the last path
 * element, as in Prometheus), each a JSON or YAML list of {@code {targets: [...], labels: {...}}}.
 * {@link #poll} notices new, changed and removed files by their modification time and size, and every
 * file is re-read each {@code refresh_interval} regardless. A file that cannot be read or parsed keeps
 * the targets it had (the error is logged and counted). Each target gets {@code __meta_filepath}.
 * Not thread-safe: one poller calls it.
 */
final class FileSd {
    private static final Logger log = LoggerFactory.getLogger(FileSd.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Path> patterns;
    private final long refreshMs;
    private final ScrapeStats stats;
    private final Map<Path, String> stamps = new TreeMap<>();
    private final Map<Path, List<TargetGroup>> content = new TreeMap<>();
    private long lastFullRead = Long.MIN_VALUE;

    /**
     * @param baseDir relative paths are read from here (the config file's directory)
     */
    FileSd(FileSdConfig config, Path baseDir, ScrapeStats stats) {
        this.patterns = config.files().stream().map(f -> baseDir.resolve(f).normalize()).toList();
        this.refreshMs = config.refreshInterval().toMillis();
        this.stats = stats;
    }

    /**
     * Re-reads what changed.
     *
     * @return every target group now known, or null if nothing changed since the last call
     */
    List<TargetGroup> poll(long nowMs) {
        boolean full = nowMs - lastFullRead >= refreshMs || lastFullRead == Long.MIN_VALUE;
        if (full) {
            lastFullRead = nowMs;
        }
        Map<Path, String> found = new TreeMap<>();
        for (Path p : patterns) {
            for (Path f : matches(p)) {
                try {
                    BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        found.put(f, a.lastModifiedTime().toMillis() + "/" + a.size());
                    }
                } catch (IOException gone) {
                    // removed between the listing and now: not there
                }
            }
        }
        boolean changed = !found.keySet().equals(stamps.keySet());
        content.keySet().retainAll(found.keySet());
        for (Map.Entry<Path, String> e : found.entrySet()) {
            if (!full && e.getValue().equals(stamps.get(e.getKey()))) {
                continue;
            }
            List<TargetGroup> groups = read(e.getKey());
            if (groups != null && !groups.equals(content.get(e.getKey()))) {
                content.put(e.getKey(), groups);
                changed = true;
            }
        }
        stamps.clear();
        stamps.putAll(found);
        if (!changed) {
            return null;
        }
        List<TargetGroup> all = new ArrayList<>();
        content.values().forEach(all::addAll);
        return all;
    }

    private static List<Path> matches(Path pattern) {
        Path dir = pattern.getParent();
        String name = pattern.getFileName().toString();
        if (!name.contains("*") && !name.contains("?") && !name.contains("[")) {
            return List.of(pattern);
        }
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + name);
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir == null ? Path.of(".") : dir)) {
            for (Path f : ds) {
                if (m.matches(f.getFileName())) {
                    out.add(f);
                }
            }
        } catch (IOException e) {
            // no directory yet: no files
        }
        return out;
    }

    /** The groups of one file, or null if it cannot be used (then its previous groups stay). */
    private List<TargetGroup> read(Path file) {
        try {
            return parse(file.toString(), Files.readString(file));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | IllegalArgumentException e) {
            stats.fileSdErrors.increment();
            log.atError().addKeyValue("file", file).addKeyValue("reason", e.getMessage())
                    .log("cannot read a file_sd file; keeping its previous targets");
            return null;
        }
    }

    /**
     * Parses a file's text by its extension.
     *
     * @throws IllegalArgumentException naming the group and what is wrong
     */
    static List<TargetGroup> parse(String file, String text) {
        Object root;
        try {
            if (file.endsWith(".json")) {
                root = JSON.readValue(text, Object.class);
            } else {
                LoaderOptions o = new LoaderOptions();
                o.setMaxAliasesForCollections(50);
                o.setAllowDuplicateKeys(false);
                root = new Yaml(new SafeConstructor(o)).load(text);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
        if (root == null) {
            return List.of();
        }
        if (!(root instanceof List<?> list)) {
            throw new IllegalArgumentException("expected a list of target groups");
        }
        List<TargetGroup> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "group " + i + ": ";
            if (!(list.get(i) instanceof Map<?, ?> g)) {
                throw new IllegalArgumentException(where + "expected an object with targets and labels");
            }
            for (Object k : g.keySet()) {
                if (!"targets".equals(k) && !"labels".equals(k)) {
                    throw new IllegalArgumentException(where + "unknown field \"" + k + "\" (expected targets and labels)");
                }
            }
            Labels.Builder labels = Labels.builder();
            labels.set("__meta_filepath", file);
            Object l = g.get("labels");
            if (l != null) {
                if (!(l instanceof Map<?, ?> lm)) {
                    throw new IllegalArgumentException(where + "labels must be an object of strings");
                }
                for (Map.Entry<?, ?> e : lm.entrySet()) {
                    String name = String.valueOf(e.getKey());
                    if (!Names.isValidLabelName(name)) {
                        throw new IllegalArgumentException(where + "\"" + name + "\" is not a valid label name");
                    }
                    if (!(e.getValue() instanceof String v)) {
                        throw new IllegalArgumentException(where + "the value of label " + name + " must be a string");
                    }
                    labels.set(name, v);
                }
            }
            Object t = g.get("targets");
            if (!(t instanceof List<?> tl)) {
                throw new IllegalArgumentException(where + "targets must be a list of host:port strings");
            }
            List<Labels> targets = new ArrayList<>();
            for (Object target : tl) {
                if (!(target instanceof String s) || s.isEmpty()) {
                    throw new IllegalArgumentException(where + "targets must be non-empty host:port strings, got " + target);
                }
                targets.add(Labels.of("__address__", s));
            }
            out.add(new TargetGroup(file + ":" + i, targets, labels.build()));
        }
        return out;
    }

    /** For tests and the log: the files being watched right now. */
    Map<Path, Integer> files() {
        Map<Path, Integer> m = new LinkedHashMap<>();
        content.forEach((k, v) -> m.put(k, v.size()));
        return m;
    }
}
