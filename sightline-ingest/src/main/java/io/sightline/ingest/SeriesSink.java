package io.sightline.ingest;

import io.sightline.common.Labels;

/** Receives what a parser decoded, series by series. Implementations are not called concurrently. */
public interface SeriesSink {
    /**
     * A valid series and its samples. The arrays are the parser's and are reused after the call
     * returns: copy what you keep.
     */
    void series(Labels labels, long[] timestamps, double[] values, int count);

    /**
     * As {@link #series(Labels, long[], double[], int)}, each sample with its start time in milliseconds
     * ({@code starts[i]}, 0 where unknown): when the counter it reads began counting (OTLP's
     * {@code start_time_unix_nano}). A sink that stores to a {@code TsdbStorage} keeps them; this default, for sinks
     * that only count or check samples, passes the samples alone.
     */
    default void series(Labels labels, long[] timestamps, double[] values, long[] starts, int count) {
        series(labels, timestamps, values, count);
    }

    /** A series that cannot be stored, with why; the rest of the request is unaffected. */
    void invalid(String series, String reason, int samples);

    /**
     * What the body says about a metric family, from the formats that carry it (the Prometheus text
     * format and OpenMetrics): called once per family that has a {@code # TYPE}, {@code # HELP} or
     * {@code # UNIT} line, in the order the families first appear, and before any of the body's samples
     * reach {@link #series}. Like samples, metadata is only reported once the whole body has parsed. A
     * family repeated in one body is reported once, with its last line of each kind. Does nothing by
     * default: a sink that does not keep metadata loses nothing it needs.
     *
     * @param family the name on the metadata lines: the family's, which in OpenMetrics may differ from
     *     its samples' names (family {@code requests}, counter samples {@code requests_total})
     * @param type the type as written, in lower case: {@code counter}, {@code gauge}, {@code histogram},
     *     {@code summary}, {@code untyped} (text format), {@code gaugehistogram}, {@code info},
     *     {@code stateset}, {@code unknown} (OpenMetrics). Without a TYPE line, the format's word for no
     *     type: {@code untyped} in the text format, {@code unknown} in OpenMetrics
     * @param help the help text with its escapes replaced; "" without a HELP line
     * @param unit the unit, e.g. {@code seconds}; "" without a UNIT line (always, in the text format)
     */
    default void metadata(String family, String type, String help, String unit) {}
}
