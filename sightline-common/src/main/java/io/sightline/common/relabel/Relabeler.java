package io.sightline.common.relabel;

import io.sightline.common.Labels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies relabel rules to a label set with Prometheus's semantics (model/relabel): rules run in
 * order; {@code keep}, {@code drop}, {@code keepequal} and {@code dropequal} can drop the set; a
 * {@code replace} whose regex does not match changes nothing, and one that yields an empty value
 * removes the target label; {@code $1}, {@code ${1}}, {@code $name} and {@code ${name}} expand as in
 * Go (a name is the longest run of letters, digits and underscores, so {@code $1x} is the group named
 * {@code 1x}, usually empty: write {@code ${1}x}); {@code $$} is a dollar. Thread-safe.
 */
public final class Relabeler {
    private static final Pattern GROUP_NAME = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");
    private static final Map<Pattern, List<String>> NAMES = new ConcurrentHashMap<>();

    private Relabeler() {}

    /** The relabeled set, or null if a rule dropped it. An empty result is returned as is. */
    public static Labels process(Labels labels, List<RelabelConfig> rules) {
        if (rules.isEmpty()) {
            return labels;
        }
        Labels.Builder b = labels.toBuilder();
        for (RelabelConfig r : rules) {
            if (!apply(r, b)) {
                return null;
            }
        }
        return b.build();
    }

    private static String get(Labels.Builder b, String name) {
        String v = b.get(name);
        return v == null ? "" : v;
    }

    private static void set(Labels.Builder b, String name, String value) {
        if (value.isEmpty()) {
            b.remove(name);
        } else {
            b.set(name, value);
        }
    }

    private static boolean apply(RelabelConfig r, Labels.Builder b) {
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < r.sourceLabels().size(); i++) {
            if (i > 0) {
                joined.append(r.separator());
            }
            joined.append(get(b, r.sourceLabels().get(i)));
        }
        String val = joined.toString();
        switch (r.action()) {
            case DROP -> {
                return !r.regex().matcher(val).matches();
            }
            case KEEP -> {
                return r.regex().matcher(val).matches();
            }
            case DROPEQUAL -> {
                return !get(b, r.targetLabel()).equals(val);
            }
            case KEEPEQUAL -> {
                return get(b, r.targetLabel()).equals(val);
            }
            case REPLACE -> {
                boolean defaultRegex = r.regex().pattern().equals(RelabelConfig.compileRegex(RelabelConfig.DEFAULT_REGEX)
                        .pattern());
                if (val.isEmpty() && defaultRegex && !r.targetLabel().contains("$") && !r.replacement().contains("$")) {
                    set(b, r.targetLabel(), r.replacement());
                    return true;
                }
                Matcher m = r.regex().matcher(val);
                if (!m.matches()) {
                    return true;
                }
                String target = expand(r.targetLabel(), m, r.regex());
                if (target.isEmpty() || !validUtf8Name(target)) {
                    return true;
                }
                set(b, target, expand(r.replacement(), m, r.regex()));
            }
            case LOWERCASE -> set(b, r.targetLabel(), val.toLowerCase(Locale.ROOT));
            case UPPERCASE -> set(b, r.targetLabel(), val.toUpperCase(Locale.ROOT));
            case HASHMOD -> {
                byte[] md5;
                try {
                    md5 = MessageDigest.getInstance("MD5").digest(val.getBytes(StandardCharsets.UTF_8));
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException("BUG: the JDK always has MD5", e);
                }
                long h = 0;
                for (int i = 8; i < 16; i++) {
                    h = (h << 8) | (md5[i] & 0xFF);
                }
                set(b, r.targetLabel(), Long.toUnsignedString(Long.remainderUnsigned(h, r.modulus())));
            }
            case LABELMAP -> {
                Labels snapshot = b.build();
                for (int i = 0; i < snapshot.size(); i++) {
                    Matcher m = r.regex().matcher(snapshot.name(i));
                    if (m.matches()) {
                        String name = expand(r.replacement(), m, r.regex());
                        if (!name.isEmpty()) {
                            set(b, name, snapshot.value(i));
                        }
                    }
                }
            }
            case LABELDROP, LABELKEEP -> {
                Labels snapshot = b.build();
                boolean drop = r.action() == RelabelConfig.Action.LABELDROP;
                for (int i = 0; i < snapshot.size(); i++) {
                    if (r.regex().matcher(snapshot.name(i)).matches() == drop) {
                        b.remove(snapshot.name(i));
                    }
                }
            }
        }
        return true;
    }

    private static boolean validUtf8Name(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    private static List<String> groupNames(Pattern p) {
        return NAMES.computeIfAbsent(p, x -> {
            List<String> names = new ArrayList<>();
            Matcher m = GROUP_NAME.matcher(x.pattern());
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        });
    }

    /**
     * Go's {@code Regexp.Expand} over a successful match: {@code $1}, {@code ${1}}, {@code $name},
     * {@code ${name}}, {@code $$}; also what Go's {@code ReplaceAllString} does with its replacement.
     */
    public static String expand(String template, Matcher m, Pattern p) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        int n = template.length();
        while (i < n) {
            int d = template.indexOf('$', i);
            if (d < 0) {
                break;
            }
            out.append(template, i, d);
            i = d + 1;
            if (i < n && template.charAt(i) == '$') {
                out.append('$');
                i++;
                continue;
            }
            boolean brace = i < n && template.charAt(i) == '{';
            int start = brace ? i + 1 : i;
            int j = start;
            while (j < n) {
                int cp = template.codePointAt(j);
                if (!Character.isLetter(cp) && !Character.isDigit(cp) && cp != '_') {
                    break;
                }
                j += Character.charCount(cp);
            }
            if (j == start || brace && (j >= n || template.charAt(j) != '}')) {
                out.append('$'); // malformed: the dollar is literal text
                continue;
            }
            String name = template.substring(start, j);
            i = brace ? j + 1 : j;
            int num = groupNumber(name);
            String value = null;
            if (num >= 0) {
                if (num <= m.groupCount()) {
                    value = m.group(num);
                }
            } else if (groupNames(p).contains(name)) {
                value = m.group(name);
            }
            if (value != null) {
                out.append(value);
            }
        }
        out.append(template, i, n);
        return out.toString();
    }

    /** The group number a name stands for, or -1 (Go: digits only, no leading zero, below 10^8). */
    private static int groupNumber(String name) {
        if (name.length() > 1 && name.charAt(0) == '0') {
            return -1;
        }
        int num = 0;
        for (int k = 0; k < name.length(); k++) {
            char c = name.charAt(k);
            if (c < '0' || c > '9' || num >= 100_000_000) {
                return -1;
            }
            num = num * 10 + (c - '0');
        }
        return num;
    }
}
