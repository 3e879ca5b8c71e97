package io.sightline.common;

/** JSON string literals for the places that write JSON by hand (log lines, webhook payloads). */
public final class JsonStrings {
    private JsonStrings() {}

    /** Appends {@code s} as a quoted JSON string, escaping quotes, backslashes and control characters. */
    public static StringBuilder quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    public static String quote(String s) {
        return quote(s, new StringBuilder(s.length() + 2)).toString();
    }
}
