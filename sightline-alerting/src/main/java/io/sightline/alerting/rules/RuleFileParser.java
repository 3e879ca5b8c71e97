package io.sightline.alerting.rules;

import io.sightline.common.Labels;
import io.sightline.common.Names;
import io.sightline.common.PromDuration;
import io.sightline.promql.ast.Expr;
import io.sightline.promql.parser.ParseException;
import io.sightline.promql.parser.Parser;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads Prometheus rule files ({@code groups:} of recording and alerting rules) with the checks
 * {@code promtool check rules} makes: known keys only, unique group names per file, exactly one of
 * {@code record} and {@code alert}, an expression that parses, a valid metric name to record, valid
 * label and annotation names, durations, no {@code for}/{@code annotations} on recording rules, and
 * templates that parse. Every problem is reported, not just the first, each as
 * {@code file:line: group "g", rule N ("name"): reason}.
 */
public final class RuleFileParser {
    /** Checks a label or annotation template; returns why it cannot be used, or null. */
    @FunctionalInterface
    public interface TemplateChecker {
        String check(String name, String text);

        TemplateChecker NONE = (n, t) -> null;
    }

    private final TemplateChecker templates;

    public RuleFileParser(TemplateChecker templates) {
        this.templates = templates;
    }

    /** Reads and checks one file. */
    public List<RuleGroup> parse(Path file) throws RuleFileException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new RuleFileException(List.of(file + ": cannot read the file: " + e.getMessage()));
        }
        return parse(file.toString(), text);
    }

    /** Checks {@code text} as the content of {@code file}. */
    public List<RuleGroup> parse(String file, String text) throws RuleFileException {
        List<String> problems = new ArrayList<>();
        Node root;
        try {
            LoaderOptions o = new LoaderOptions();
            o.setAllowDuplicateKeys(false);
            o.setMaxAliasesForCollections(50);
            root = new Yaml(o).compose(new StringReader(text));
        } catch (RuntimeException e) {
            throw new RuleFileException(List.of(file + ": not valid YAML: " + e.getMessage().replace('\n', ' ')));
        }
        if (root == null) {
            return List.of();
        }
        Map<String, Node> top = mapping(file, root, problems, "the file", "groups");
        if (top == null) {
            throw new RuleFileException(problems);
        }
        List<RuleGroup> groups = new ArrayList<>();
        Node groupsNode = top.get("groups");
        if (groupsNode != null && !(groupsNode instanceof SequenceNode)) {
            problems.add(at(file, groupsNode) + "groups must be a list");
        } else if (groupsNode != null) {
            Set<String> names = new HashSet<>();
            for (Node g : ((SequenceNode) groupsNode).getValue()) {
                RuleGroup group = group(file, g, problems);
                if (group != null && !names.add(group.name())) {
                    problems.add(at(file, g) + "groupname: \"" + group.name() + "\" is repeated in the same file");
                } else if (group != null) {
                    groups.add(group);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new RuleFileException(problems);
        }
        return groups;
    }

    private RuleGroup group(String file, Node n, List<String> problems) {
        int before = problems.size();
        Map<String, Node> m = mapping(file, n, problems, "a group", "name", "interval", "limit", "query_offset", "labels",
                "rules");
        if (m == null) {
            return null;
        }
        String name = scalar(file, m.get("name"), problems, "name");
        if (name == null || name.isEmpty()) {
            problems.add(at(file, n) + "groupname must not be empty");
            return null;
        }
        String where = "group \"" + name + "\": ";
        long interval = duration(file, m.get("interval"), problems, where + "interval", 0);
        long offset = duration(file, m.get("query_offset"), problems, where + "query_offset", 0);
        int limit = 0;
        String limitText = scalar(file, m.get("limit"), problems, where + "limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
                if (limit < 0) {
                    problems.add(at(file, m.get("limit")) + where + "limit must not be negative");
                }
            } catch (NumberFormatException e) {
                problems.add(at(file, m.get("limit")) + where + "limit \"" + limitText + "\" is not an integer");
            }
        }
        Labels labels = labels(file, m.get("labels"), problems, where + "labels");
        List<Rule> rules = new ArrayList<>();
        Node rulesNode = m.get("rules");
        if (rulesNode instanceof SequenceNode seq) {
            int i = 0;
            for (Node r : seq.getValue()) {
                i++;
                Rule rule = rule(file, r, problems, where + "rule " + i);
                if (rule != null) {
                    rules.add(rule);
                }
            }
        } else if (rulesNode != null) {
            problems.add(at(file, rulesNode) + where + "rules must be a list");
        }
        return problems.size() > before ? null : new RuleGroup(file, name, interval, limit, offset, labels, rules);
    }

    private Rule rule(String file, Node n, List<String> problems, String where) {
        int before = problems.size();
        Map<String, Node> m = mapping(file, n, problems, "a rule", "record", "alert", "expr", "for", "keep_firing_for",
                "labels", "annotations");
        if (m == null) {
            return null;
        }
        String record = scalar(file, m.get("record"), problems, where + " record");
        String alert = scalar(file, m.get("alert"), problems, where + " alert");
        String name = record != null ? record : alert;
        String w = where + (name == null ? "" : " (\"" + name + "\")") + ": ";
        if ((record == null) == (alert == null)) {
            problems.add(at(file, n) + w + "one of 'record' or 'alert' must be set");
            return null;
        }
        if (name.isEmpty()) {
            problems.add(at(file, n) + w + (record != null ? "record" : "alert") + " name must not be empty");
            return null;
        }
        if (record != null && !Names.isValidMetricName(record)) {
            problems.add(at(file, m.get("record")) + w + "invalid recording rule name: " + record);
        }
        String exprText = scalar(file, m.get("expr"), problems, w + "expr");
        Expr expr = null;
        if (exprText == null || exprText.isBlank()) {
            problems.add(at(file, n) + w + "field 'expr' must be set in rule");
        } else {
            try {
                expr = Parser.parse(exprText);
            } catch (ParseException e) {
                problems.add(at(file, m.get("expr")) + w + "could not parse expression: " + e.getMessage());
            }
        }
        Labels labels = labels(file, m.get("labels"), problems, w + "labels");
        Map<String, String> annotations = new LinkedHashMap<>();
        Node ann = m.get("annotations");
        if (record != null) {
            for (String key : new String[] {"for", "keep_firing_for", "annotations"}) {
                if (m.containsKey(key)) {
                    problems.add(at(file, m.get(key)) + w + "invalid field '" + key + "' in recording rule");
                }
            }
            if (labels != null && labels.has(Labels.METRIC_NAME)) {
                problems.add(at(file, m.get("labels")) + w + "invalid label name: __name__ (a recording rule names its series)");
            }
        } else {
            if (ann instanceof MappingNode am) {
                for (NodeTuple t : am.getValue()) {
                    String k = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "";
                    if (!Names.isValidLabelName(k)) {
                        problems.add(at(file, t.getKeyNode()) + w + "invalid annotation name: " + k);
                        continue;
                    }
                    String v = scalar(file, t.getValueNode(), problems, w + "annotation " + k);
                    if (v != null) {
                        String bad = templates.check("__alert_" + alert, v);
                        if (bad != null) {
                            problems.add(at(file, t.getValueNode()) + w + "annotation \"" + k + "\": " + bad);
                        }
                        annotations.put(k, v);
                    }
                }
            } else if (ann != null && !(ann instanceof ScalarNode s && s.getValue().isEmpty())) {
                problems.add(at(file, ann) + w + "annotations must be a mapping of names to templates");
            }
            if (labels != null) {
                labels.forEach((k, v) -> {
                    String bad = templates.check("__alert_" + alert, v);
                    if (bad != null) {
                        problems.add(at(file, m.get("labels")) + w + "label \"" + k + "\": " + bad);
                    }
                });
            }
        }
        long forMs = duration(file, m.get("for"), problems, w + "for", 0);
        long keepFiring = duration(file, m.get("keep_firing_for"), problems, w + "keep_firing_for", 0);
        if (problems.size() > before) {
            return null;
        }
        return record != null ? new Rule.Recording(record, expr, exprText, labels)
                : new Rule.Alerting(alert, expr, exprText, forMs, keepFiring, labels, Map.copyOf(annotations));
    }

    private static Labels labels(String file, Node n, List<String> problems, String where) {
        if (n == null || (n instanceof ScalarNode s && s.getValue().isEmpty())) {
            return Labels.empty();
        }
        if (!(n instanceof MappingNode m)) {
            problems.add(at(file, n) + where + " must be a mapping of label names to values");
            return null;
        }
        Labels.Builder b = Labels.builder();
        for (NodeTuple t : m.getValue()) {
            String k = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "";
            if (!Names.isValidLabelName(k)) {
                problems.add(at(file, t.getKeyNode()) + where + ": invalid label name: " + k);
                continue;
            }
            if (!(t.getValueNode() instanceof ScalarNode v)) {
                problems.add(at(file, t.getValueNode()) + where + ": the value of " + k + " must be a string");
                continue;
            }
            b.set(k, v.getValue());
        }
        return b.build();
    }

    private static long duration(String file, Node n, List<String> problems, String where, long dflt) {
        if (n == null) {
            return dflt;
        }
        String s = scalar(file, n, problems, where);
        if (s == null) {
            return dflt;
        }
        try {
            Duration d = PromDuration.parse(s);
            return d.toMillis();
        } catch (IllegalArgumentException e) {
            problems.add(at(file, n) + where + ": " + e.getMessage());
            return dflt;
        }
    }

    private static String scalar(String file, Node n, List<String> problems, String what) {
        if (n == null) {
            return null;
        }
        if (!(n instanceof ScalarNode s)) {
            problems.add(at(file, n) + what + " must be a single value");
            return null;
        }
        return s.getValue();
    }

    /** The keys of a mapping node; unknown keys are problems. */
    private static Map<String, Node> mapping(String file, Node n, List<String> problems, String what, String... known) {
        if (!(n instanceof MappingNode m)) {
            problems.add(at(file, n) + what + " must be a mapping");
            return null;
        }
        Set<String> allowed = Set.of(known);
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String k = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : String.valueOf(t.getKeyNode());
            if (!allowed.contains(k)) {
                problems.add(at(file, t.getKeyNode()) + "field " + k + " not found in " + what.replaceFirst("^an? ", "")
                        + " (known: " + String.join(", ", known) + ")");
                continue;
            }
            if (out.put(k, t.getValueNode()) != null) {
                problems.add(at(file, t.getKeyNode()) + "key \"" + k + "\" is repeated in " + what.replaceFirst("^an? ", ""));
            }
        }
        return out;
    }

    private static String at(String file, Node n) {
        return file + ":" + (n.getStartMark().getLine() + 1) + ":" + (n.getStartMark().getColumn() + 1) + ": ";
    }
}
