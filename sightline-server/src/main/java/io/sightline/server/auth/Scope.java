package io.sightline.server.auth;

import java.util.Locale;

/**
 * What a token may do. {@code admin} includes {@code read} and {@code write}, so one admin token is
 * enough for an operator; ingest agents get {@code write} only and dashboards {@code read} only.
 */
public enum Scope {
    /** Ingest endpoints: remote_write, Influx, OTLP, imports. */
    WRITE,
    /** Queries, metadata, the UI, {@code /metrics} and {@code /-/ready}. */
    READ,
    /** Configuration, reload, admin APIs. Implies the other two. */
    ADMIN;

    /** Whether a token holding this scope may use an endpoint that requires {@code required}. */
    public boolean grants(Scope required) {
        return this == ADMIN || this == required;
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code read}, {@code write} or {@code admin}; null when unknown. */
    public static Scope fromConfigName(String name) {
        for (Scope s : values()) {
            if (s.configName().equals(name)) {
                return s;
            }
        }
        return null;
    }
}
