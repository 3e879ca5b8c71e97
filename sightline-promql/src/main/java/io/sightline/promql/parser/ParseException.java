package io.sightline.promql.parser;

/**
 * A query that does not parse or does not type-check. The message reads like Prometheus's:
 * {@code 1:14: parse error: unexpected end of input}, with a 1-based line and column.
 */
public final class ParseException extends RuntimeException {

    private final int position;
    private final String reason;

    public ParseException(String query, int position, String reason) {
        super(location(query, position) + ": parse error: " + reason);
        this.position = position;
        this.reason = reason;
    }

    /** The 0-based character offset the error points at. */
    public int position() {
        return position;
    }

    /** The message without the position prefix. */
    public String reason() {
        return reason;
    }

    /** {@code line:col} (both 1-based) of a 0-based character offset in {@code query}. */
    public static String location(String query, int position) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < Math.min(position, query.length()); i++) {
            if (query.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return line + ":" + col;
    }
}
