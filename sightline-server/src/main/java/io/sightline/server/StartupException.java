package io.sightline.server;

/**
 * The server cannot start for a reason the user can fix (bad config, data dir unusable, port taken).
 * The CLI prints the message as one line and exits with code 2; no stack trace.
 */
public final class StartupException extends Exception {
    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
