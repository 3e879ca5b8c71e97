package io.sightline.server.logging;

/** How log lines are written to stdout: one event per line either way. */
public enum LogFormat {
    /** {@code ts=... level=info logger=... msg="..." key=value}: easy to read and to grep. */
    LOGFMT,
    /** One JSON object per line, for log shippers. */
    JSON
}
