package io.sightline.ingest.text;

import io.sightline.common.Labels;
import io.sightline.ingest.SeriesSink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a text body parsed to, held back until the whole body has parsed: the sink gets all of it or,
 * when a line is malformed, nothing. Metadata is kept per family in the order families first appear; a
 * repeated TYPE, HELP or UNIT line for a family replaces the earlier one, as Prometheus's metadata cache
 * does.
 */
final class ParsedBody {
    private record Sample(Labels labels, long t, double v) {}

    private static final class Metadata {
        String type;
        String help = "";
        String unit = "";
    }

    private final String untyped;
    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, Metadata> metadata = new LinkedHashMap<>();

    /** @param untyped the type reported for a family without a TYPE line */
    ParsedBody(String untyped) {
        this.untyped = untyped;
    }

    void sample(Labels labels, long t, double v) {
        samples.add(new Sample(labels, t, v));
    }

    void type(String family, String type) {
        metadata.computeIfAbsent(family, f -> new Metadata()).type = type;
    }

    void help(String family, String help) {
        metadata.computeIfAbsent(family, f -> new Metadata()).help = help;
    }

    void unit(String family, String unit) {
        metadata.computeIfAbsent(family, f -> new Metadata()).unit = unit;
    }

    /** Hands the metadata, then the samples, to the sink; returns the number of samples. */
    int drainTo(SeriesSink sink) {
        for (Map.Entry<String, Metadata> e : metadata.entrySet()) {
            Metadata m = e.getValue();
            sink.metadata(e.getKey(), m.type == null ? untyped : m.type, m.help, m.unit);
        }
        long[] ts = new long[1];
        double[] vs = new double[1];
        for (Sample s : samples) {
            ts[0] = s.t();
            vs[0] = s.v();
            sink.series(s.labels(), ts, vs, 1);
        }
        return samples.size();
    }
}
