package io.sightline.tsdb;

/** Hands out appenders. Thread-safe: any number of appenders may be open at once, from any threads. */
public interface Appendable {
    /** A new appender; see {@link Appender} for its lifecycle. */
    Appender appender();
}
