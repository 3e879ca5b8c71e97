package io.sightline.alerting.notify;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Names;
import java.util.ArrayList;
import java.util.List;

/**
 * Alertmanager's matcher strings: {@code name="value"}, {@code name!="value"}, {@code name=~"regex"},
 * {@code name!~"regex"}, values quoted (with {@code \"}, {@code \\}, {@code \n} escapes) or bare,
 * optionally several in braces separated by commas ({@code {a="1", b=~"x|y"}}).
 */
public final class Matchers {
    private Matchers() {}

    /**
     * @throws IllegalArgumentException saying what is wrong
     */
    public static List<LabelMatcher> parse(String text) {
        String s = text.strip();
        if (s.startsWith("{") && s.endsWith("}")) {
            s = s.substring(1, s.length() - 1);
        }
        List<LabelMatcher> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && (Character.isWhitespace(s.charAt(i)) || s.charAt(i) == ',')) {
                i++;
            }
            if (i >= s.length()) {
                break;
            }
            int nameStart = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                i++;
            }
            String name = s.substring(nameStart, i);
            if (!Names.isValidLabelName(name)) {
                throw new IllegalArgumentException("bad matcher \"" + text + "\": \"" + name + "\" is not a valid label name");
            }
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            LabelMatcher.Type type;
            if (s.startsWith("=~", i)) {
                type = LabelMatcher.Type.REGEX;
                i += 2;
            } else if (s.startsWith("!~", i)) {
                type = LabelMatcher.Type.NOT_REGEX;
                i += 2;
            } else if (s.startsWith("!=", i)) {
                type = LabelMatcher.Type.NOT_EQUAL;
                i += 2;
            } else if (s.startsWith("=", i)) {
                type = LabelMatcher.Type.EQUAL;
                i += 1;
            } else {
                throw new IllegalArgumentException("bad matcher \"" + text + "\": expected =, !=, =~ or !~ after " + name);
            }
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            boolean quoted = i < s.length() && s.charAt(i) == '"';
            if (quoted) {
                i++;
                boolean closed = false;
                while (i < s.length()) {
                    char c = s.charAt(i++);
                    if (c == '"') {
                        closed = true;
                        break;
                    }
                    if (c == '\\' && i < s.length()) {
                        char e = s.charAt(i++);
                        value.append(e == 'n' ? '\n' : e);
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("bad matcher \"" + text + "\": unterminated quoted value");
                }
            } else {
                while (i < s.length() && s.charAt(i) != ',') {
                    value.append(s.charAt(i++));
                }
            }
            try {
                // A quoted value is kept as written, spaces included; a bare one ends at the comma, spaces around it dropped.
                out.add(LabelMatcher.of(type, name, quoted ? value.toString() : value.toString().strip()));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("bad matcher \"" + text + "\": " + e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("bad matcher \"" + text + "\": no matcher");
        }
        return out;
    }
}
