package io.sightline.promql.engine;

import io.sightline.common.Labels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** {@code label_replace} and {@code label_join}: they rewrite label sets, series by series. */
final class LabelFunctions {

    private LabelFunctions() {}

    static List<EvalSeries> labelReplace(Evaluator ev, List<EvalSeries> in, String dst, String replacement,
            String src, String regex) {
        Pattern p;
        try {
            p = io.sightline.common.Re2Syntax.anchored(regex);
        } catch (PatternSyntaxException e) {
            throw QueryException.execution("invalid regular expression in label_replace(): " + regex);
        }
        if (!validLabelName(dst)) {
            throw QueryException.execution("invalid destination label name in label_replace(): " + dst);
        }
        Map<Labels, Labels> cache = new HashMap<>();
        return relabel(ev, in, l -> cache.computeIfAbsent(l, x -> {
            String value = Functions.valueOr(x, src);
            Matcher m = p.matcher(value);
            if (!m.matches()) {
                return x;
            }
            String res = expand(m, replacement);
            Labels.Builder b = x.toBuilder();
            if (res.isEmpty()) {
                b.remove(dst);
            } else {
                b.set(dst, res);
            }
            return b.build();
        }), dst);
    }

    static List<EvalSeries> labelJoin(Evaluator ev, List<EvalSeries> in, String dst, String sep, List<String> src) {
        for (String s : src) {
            if (!validLabelName(s)) {
                throw QueryException.execution("invalid source label name in label_join(): " + s);
            }
        }
        if (!validLabelName(dst)) {
            throw QueryException.execution("invalid destination label name in label_join(): " + dst);
        }
        Map<Labels, Labels> cache = new HashMap<>();
        return relabel(ev, in, l -> cache.computeIfAbsent(l, x -> {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < src.size(); i++) {
                if (i > 0) {
                    sb.append(sep);
                }
                sb.append(Functions.valueOr(x, src.get(i)));
            }
            Labels.Builder b = x.toBuilder();
            if (sb.length() == 0) {
                b.remove(dst);
            } else {
                b.set(dst, sb.toString());
            }
            return b.build();
        }), dst);
    }

    /** Prometheus 3 accepts any non-empty UTF-8 label name; a lone surrogate is not UTF-8. */
    private static boolean validLabelName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (Character.isHighSurrogate(ch)) {
                if (i + 1 >= name.length() || !Character.isLowSurrogate(name.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(ch) || ch == '\uFFFD') {
                return false;
            }
        }
        return true;
    }

    private static List<EvalSeries> relabel(Evaluator ev, List<EvalSeries> in,
            java.util.function.UnaryOperator<Labels> f, String dst) {
        List<EvalSeries> relabelled = new ArrayList<>(in.size());
        for (EvalSeries s : in) {
            Labels l = f.apply(s.labels);
            // Writing the metric name takes back a pending name removal.
            boolean drop = s.dropName && !dst.equals(Labels.METRIC_NAME);
            relabelled.add(new EvalSeries(l, drop, s.ts, s.vs, s.n));
        }
        return Engine.mergeSameLabels(relabelled);
    }

    /** Go's regexp Expand: {@code $1}, {@code ${1}}, {@code $name}, {@code ${name}}, {@code $$}. */
    static String expand(Matcher m, String template) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c != '$' || i + 1 >= template.length()) {
                sb.append(c);
                i++;
                continue;
            }
            char n = template.charAt(i + 1);
            if (n == '$') {
                sb.append('$');
                i += 2;
                continue;
            }
            String name;
            int next;
            if (n == '{') {
                int close = template.indexOf('}', i + 2);
                if (close < 0) {
                    sb.append(c);
                    i++;
                    continue;
                }
                name = template.substring(i + 2, close);
                next = close + 1;
                if (name.isEmpty() || !name.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_')) {
                    sb.append(c);
                    i++;
                    continue;
                }
            } else {
                int j = i + 1;
                while (j < template.length() && (Character.isLetterOrDigit(template.charAt(j))
                        || template.charAt(j) == '_')) {
                    j++;
                }
                if (j == i + 1) {
                    sb.append(c);
                    i++;
                    continue;
                }
                name = template.substring(i + 1, j);
                next = j;
            }
            sb.append(group(m, name));
            i = next;
        }
        return sb.toString();
    }

    private static String group(Matcher m, String name) {
        String g = null;
        boolean numeric = name.chars().allMatch(Character::isDigit);
        try {
            if (numeric) {
                int idx = Integer.parseInt(name);
                if (idx <= m.groupCount()) {
                    g = m.group(idx);
                }
            } else {
                g = m.group(name);
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            g = null;
        }
        return g == null ? "" : g;
    }
}
