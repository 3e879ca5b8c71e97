package io.sightline.promql.parser;

/** A lexical token: its kind, its text as written (unquoted for strings), and where it starts and ends. */
record Token(Kind kind, String text, int start, int end) {

    enum Kind { IDENT, NUMBER, DURATION, STRING, OP, EOF }

    boolean is(String op) {
        return kind == Kind.OP && text.equals(op);
    }

    /** An identifier spelled {@code word}, ignoring case (PromQL keywords are case-insensitive). */
    boolean isWord(String word) {
        return kind == Kind.IDENT && text.equalsIgnoreCase(word);
    }

    String describe() {
        return switch (kind) {
            case EOF -> "end of input";
            case STRING -> "string \"" + text + "\"";
            case NUMBER -> "number \"" + text + "\"";
            case DURATION -> "duration \"" + text + "\"";
            case IDENT -> "identifier \"" + text + "\"";
            case OP -> "\"" + text + "\"";
        };
    }
}
