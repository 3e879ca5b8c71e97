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
 * does. In OpenMetrics, a counter's, histogram's or summary's {@code _created} sample (seconds) is also the start time
 * of the family's counting samples with the same labels ({@code _total}; {@code _count}, {@code _sum},
 * {@code _bucket} whatever their {@code le}), handed to the sink with them; the {@code _created} series stays.
 */
final class ParsedBody {
    private record Sample(Labels labels, long t, double v) {}

    private static final class Metadata {
        String type;
        String help = "";
        String unit = "";
    }

    private final String untyped;
    private final boolean createdAsStart;
    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, Metadata> metadata = new LinkedHashMap<>();

    /**
     * @param untyped the type reported for a family without a TYPE line
     * @param createdAsStart whether {@code _created} samples give their family's samples a start time (OpenMetrics)
     */
    ParsedBody(String untyped, boolean createdAsStart) {
        this.untyped = untyped;
        this.createdAsStart = createdAsStart;
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
        long[] sts = new long[1];
        Map<Labels, Long> created = createdAsStart ? created() : Map.of();
        for (Sample s : samples) {
            ts[0] = s.t();
            vs[0] = s.v();
            Long st = created.isEmpty() ? null : created.get(key(countingFamily(s.labels().metricName()), s.labels()));
            if (st == null) {
                sink.series(s.labels(), ts, vs, 1);
            } else {
                sts[0] = st;
                sink.series(s.labels(), ts, vs, sts, 1);
            }
        }
        return samples.size();
    }

    /** The start times {@code _created} samples give, by {@link #key} of family and labels; empty for none. */
    private Map<Labels, Long> created() {
        Map<Labels, Long> out = new java.util.HashMap<>();
        for (Sample s : samples) {
            String name = s.labels().metricName();
            if (!name.endsWith("_created")) {
                continue;
            }
            String family = name.substring(0, name.length() - "_created".length());
            double seconds = s.v();
            if (counting(family) && seconds > 0 && seconds * 1000 < 0x1p63) {
                out.put(key(family, s.labels()), (long) (seconds * 1000));
            }
        }
        return out;
    }

    /** Whether the family is typed as one whose samples count from a start (counter, histogram, summary). */
    private boolean counting(String family) {
        Metadata m = family == null ? null : metadata.get(family);
        return m != null && m.type != null
                && (m.type.equals("counter") || m.type.equals("histogram") || m.type.equals("summary"));
    }

    /** The counting family a sample name belongs to ({@code x_total}: x; {@code x_count}, _sum, _bucket: x), or null. */
    private String countingFamily(String name) {
        for (String suffix : new String[] {"_total", "_count", "_sum", "_bucket"}) {
            if (name.endsWith(suffix)) {
                String family = name.substring(0, name.length() - suffix.length());
                return counting(family) ? family : null;
            }
        }
        return null;
    }

    /** A family with a sample's labels but its name and {@code le}: the samples one {@code _created} applies to. */
    private static Labels key(String family, Labels labels) {
        if (family == null) {
            return Labels.empty();
        }
        return labels.toBuilder().set(Labels.METRIC_NAME, family).remove("le").build();
    }
}
