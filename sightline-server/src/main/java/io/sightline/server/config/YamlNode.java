package io.sightline.server.config;

import io.sightline.common.ByteSize;
import io.sightline.common.PromDuration;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML node that remembers where it came from, so every error names {@code file:line:col}, the key
 * path (e.g. {@code scrape_configs[2].scrape_interval}) and what was expected.
 *
 * <p>We bind by hand instead of through a data-binding library because users' configs are the first
 * thing they see break, and a precise message is worth the few hundred lines: unknown keys are rejected
 * with the list of allowed ones, duplicates are rejected (YAML allows them, silently keeping the last),
 * and values are checked with the key in hand. Aliases are capped to stop entity-expansion attacks.
 */
final class YamlNode {
    private static final int MAX_ALIASES = 20;
    private static final int MAX_CODE_POINTS = 8 * 1024 * 1024;

    private final String file;
    private final String path;
    private final Node node;

    private YamlNode(String file, String path, Node node) {
        this.file = file;
        this.path = path;
        this.node = node;
    }

    /** The SnakeYAML node, for sections another module reads itself (their marks give line and column). */
    Node raw() {
        return node;
    }

    String file() {
        return file;
    }

    /** Parses one YAML document; an empty document is an empty mapping. */
    static YamlNode parse(String file, String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_CODE_POINTS);
        options.setAllowDuplicateKeys(false);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        Node root;
        try {
            root = yaml.compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = m == null ? file : file + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            throw new ConfigException.Unchecked(where + ": invalid YAML: " + oneLine(problem));
        } catch (YAMLException e) {
            throw new ConfigException.Unchecked(file + ": invalid YAML: " + oneLine(e.getMessage()));
        } catch (IllegalArgumentException e) {
            // SnakeYAML rejects some malformed tags (e.g. "!%2") this way rather than with a YAMLException.
            throw new ConfigException.Unchecked(file + ": invalid YAML: " + oneLine(String.valueOf(e.getMessage())));
        }
        if (root == null) {
            root = new MappingNode(Tag.MAP, new ArrayList<>(), org.yaml.snakeyaml.DumperOptions.FlowStyle.BLOCK);
        }
        return new YamlNode(file, "", root);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').trim();
    }

    String path() {
        return path.isEmpty() ? "(top level)" : path;
    }

    /** An error about this node: {@code file:line:col: path: message}. */
    ConfigException.Unchecked error(String message) {
        Mark m = node.getStartMark();
        String where = m == null ? file : file + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
        return new ConfigException.Unchecked(where + ": " + path() + ": " + message);
    }

    boolean isNull() {
        return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
    }

    /** This node as a mapping whose keys must be among {@code allowed}. A null node is an empty mapping. */
    Mapping mapping(String... allowed) {
        if (isNull()) {
            return new Mapping(this, new LinkedHashMap<>());
        }
        if (!(node instanceof MappingNode mn)) {
            throw error("expected a mapping (key: value lines), got " + describe());
        }
        List<String> allowedList = Arrays.asList(allowed);
        Map<String, YamlNode> entries = new LinkedHashMap<>();
        for (NodeTuple t : mn.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw child("?", t.getKeyNode()).error("keys must be plain strings");
            }
            String key = k.getValue();
            YamlNode keyNode = child(key, k);
            if (!allowedList.contains(key)) {
                throw keyNode.error("unknown key \"" + key + "\"" + suggestion(key, allowedList)
                        + " (allowed here: " + String.join(", ", new TreeSet<>(allowedList)) + ")");
            }
            if (entries.containsKey(key)) {
                throw keyNode.error("key \"" + key + "\" appears twice");
            }
            entries.put(key, child(key, t.getValueNode()));
        }
        return new Mapping(this, entries);
    }

    /** A mapping with free-form string keys (labels, params), as an ordered map of child nodes. */
    Map<String, YamlNode> freeMapping() {
        if (isNull()) {
            return new LinkedHashMap<>();
        }
        if (!(node instanceof MappingNode mn)) {
            throw error("expected a mapping, got " + describe());
        }
        Map<String, YamlNode> entries = new LinkedHashMap<>();
        for (NodeTuple t : mn.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw child("?", t.getKeyNode()).error("keys must be plain strings");
            }
            if (entries.put(k.getValue(), child(k.getValue(), t.getValueNode())) != null) {
                throw child(k.getValue(), k).error("key \"" + k.getValue() + "\" appears twice");
            }
        }
        return entries;
    }

    private static String suggestion(String key, Collection<String> allowed) {
        String best = null;
        int bestDistance = 3;
        for (String a : allowed) {
            int d = editDistance(key, a);
            if (d < bestDistance) {
                bestDistance = d;
                best = a;
            }
        }
        return best == null ? "" : ", did you mean \"" + best + "\"?";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private YamlNode child(String key, Node n) {
        return new YamlNode(file, path.isEmpty() ? key : path + "." + key, n);
    }

    /** This node as a list; a null node is an empty list. */
    List<YamlNode> list() {
        if (isNull()) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sn)) {
            throw error("expected a list, got " + describe());
        }
        List<YamlNode> out = new ArrayList<>();
        for (int i = 0; i < sn.getValue().size(); i++) {
            out.add(new YamlNode(file, path + "[" + i + "]", sn.getValue().get(i)));
        }
        return out;
    }

    String string() {
        if (!(node instanceof ScalarNode s) || isNull()) {
            throw error("expected a string, got " + describe());
        }
        return s.getValue();
    }

    List<String> stringList() {
        List<String> out = new ArrayList<>();
        for (YamlNode n : list()) {
            out.add(n.string());
        }
        return out;
    }

    Map<String, String> stringMap() {
        Map<String, String> out = new LinkedHashMap<>();
        freeMapping().forEach((k, v) -> out.put(k, v.isNull() ? "" : v.string()));
        return out;
    }

    boolean bool() {
        if (node instanceof ScalarNode s && s.getTag().equals(Tag.BOOL)) {
            String v = s.getValue().toLowerCase(java.util.Locale.ROOT);
            return v.equals("true") || v.equals("yes") || v.equals("on") || v.equals("y");
        }
        throw error("expected true or false, got " + describe());
    }

    long integer(long min, long max) {
        if (node instanceof ScalarNode s && s.getTag().equals(Tag.INT)) {
            long v;
            try {
                v = Long.parseLong(s.getValue().replace("_", ""));
            } catch (NumberFormatException e) {
                throw error("expected a whole number, got " + describe());
            }
            if (v < min || v > max) {
                throw error("must be between " + min + " and " + max + ", got " + v);
            }
            return v;
        }
        throw error("expected a whole number, got " + describe());
    }

    Duration duration() {
        String text = string();
        try {
            return PromDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    long byteSize() {
        String text = string();
        try {
            return ByteSize.parse(text);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    private String describe() {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (isNull()) {
            return "nothing (null)";
        }
        return "\"" + ((ScalarNode) node).getValue() + "\"";
    }

    /** The entries of a mapping node whose keys were checked against an allowed set. */
    static final class Mapping {
        private final YamlNode owner;
        private final Map<String, YamlNode> entries;

        private Mapping(YamlNode owner, Map<String, YamlNode> entries) {
            this.owner = owner;
            this.entries = entries;
        }

        YamlNode owner() {
            return owner;
        }

        /** The value of {@code key} unless absent or explicitly null. */
        Optional<YamlNode> get(String key) {
            YamlNode n = entries.get(key);
            return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
        }

        YamlNode required(String key) {
            return get(key).orElseThrow(() -> owner.error("missing required key \"" + key + "\""));
        }

        boolean has(String key) {
            return get(key).isPresent();
        }

        String string(String key, String dflt) {
            return get(key).map(YamlNode::string).orElse(dflt);
        }

        boolean bool(String key, boolean dflt) {
            return get(key).map(YamlNode::bool).orElse(dflt);
        }

        Duration duration(String key, Duration dflt) {
            return get(key).map(YamlNode::duration).orElse(dflt);
        }

        long integer(String key, long dflt, long min, long max) {
            return get(key).map(n -> n.integer(min, max)).orElse(dflt);
        }

        long byteSize(String key, long dflt) {
            return get(key).map(YamlNode::byteSize).orElse(dflt);
        }

        List<YamlNode> list(String key) {
            return get(key).map(YamlNode::list).orElse(List.of());
        }

        List<String> stringList(String key) {
            return get(key).map(YamlNode::stringList).orElse(List.of());
        }

        Map<String, String> stringMap(String key) {
            return get(key).map(YamlNode::stringMap).orElse(Map.of());
        }
    }
}
