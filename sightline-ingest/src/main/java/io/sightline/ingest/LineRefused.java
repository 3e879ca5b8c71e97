package io.sightline.ingest;

/**
 * One line of a line protocol (Graphite, StatsD) could not be taken; the message says why, without the
 * line number, and {@link #reason} is its kind for the self-metrics. The other lines are kept.
 */
public final class LineRefused extends Exception {
    private static final long serialVersionUID = 1L;

    /** A kind of refusal; {@link #tag} is the value of the {@code reason} label of the self-metrics. */
    public interface Reason {
        String tag();
    }

    private final transient Reason reason;

    public LineRefused(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
