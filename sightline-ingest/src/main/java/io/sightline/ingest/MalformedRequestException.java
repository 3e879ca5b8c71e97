package io.sightline.ingest;

/**
 * The request as a whole cannot be decoded: nothing of it may be stored. A client error (400); the
 * message says what was wrong and where, e.g. {@code cannot decode remote write request: truncated
 * varint at byte 1043}.
 */
public final class MalformedRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedRequestException(String message) {
        super(message, null, false, false);
    }
}
