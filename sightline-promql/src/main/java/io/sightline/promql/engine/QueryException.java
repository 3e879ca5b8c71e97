package io.sightline.promql.engine;

/**
 * A query that failed while it ran. The {@link Kind} says why, so the HTTP layer can map it to the
 * Prometheus error type and status code without reading the message.
 */
public final class QueryException extends RuntimeException {

    public enum Kind {
        /** The query is well-formed but cannot be evaluated (e.g. duplicate label sets): 422 execution. */
        EXECUTION,
        /** The query exceeded its deadline: 503 timeout. */
        TIMEOUT,
        /** The query was cancelled: 503 canceled. */
        CANCELED,
        /** The query would hold more samples or series than allowed: 422 execution. */
        TOO_LARGE,
        /** A parameter given with the query (not its text) is wrong: 400 bad_data. */
        BAD_DATA
    }

    private final Kind kind;

    public QueryException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    static QueryException execution(String message) {
        return new QueryException(Kind.EXECUTION, message);
    }
}
