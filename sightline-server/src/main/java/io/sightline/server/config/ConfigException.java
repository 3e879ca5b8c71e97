package io.sightline.server.config;

/**
 * A configuration file that cannot be used, with where ({@code file:line:col}), which key and why.
 * The message is meant for the user as it is: one line, no stack trace needed.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    /** Thrown inside the binder, where checked exceptions would clutter every accessor. */
    static final class Unchecked extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unchecked(String message) {
            super(message, null, false, false);
        }
    }
}
