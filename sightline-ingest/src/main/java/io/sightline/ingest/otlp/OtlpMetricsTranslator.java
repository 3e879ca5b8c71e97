package io.sightline.ingest.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.sightline.common.GoFloat;
import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * OTLP metrics into Prometheus series, following Prometheus's OTLP translation:
 * <ul>
 *   <li>names and label names as {@link OtlpNames} makes them;</li>
 *   <li>resource attributes {@code service.namespace}/{@code service.name} become {@code job}
 *       ({@code namespace/name}) and {@code service.instance.id} {@code instance}; the other resource
 *       attributes go on one {@code target_info} series (value 1) per resource, with job and instance;</li>
 *   <li>gauges: a gauge; monotonic sums: a counter ({@code _total}); non-monotonic sums: a gauge;</li>
 *   <li>histograms: classic {@code _bucket{le}} (cumulative), {@code _sum} (when recorded) and
 *       {@code _count}; exponential histograms likewise, one bucket per populated exponential bucket
 *       with {@code le} at its upper bound (values at or below zero, from the zero and negative buckets,
 *       count in the lowest bucket);</li>
 *   <li>summaries: {@code {quantile}}, {@code _sum}, {@code _count};</li>
 *   <li>delta temporality (sums and histograms): accumulated into cumulative series by a
 *       {@link DeltaAccumulator};</li>
 *   <li>a point flagged "no recorded value" is a stale marker; a point without a timestamp gets the
 *       request's time; exemplars and start times are not stored.</li>
 * </ul>
 * A point that cannot be translated (no value, an unknown metric type, a delta out of order) is refused
 * on its own through {@link SeriesSink#invalid}; the rest of the request goes on. Thread-safe.
 */
public final class OtlpMetricsTranslator {
    /** Prometheus's stale marker: a NaN with this bit pattern. */
    private static final double STALE = Double.longBitsToDouble(0x7ff0000000000002L);
    private static final int FLAG_NO_RECORDED_VALUE = 1;

    private final DeltaAccumulator deltas;

    public OtlpMetricsTranslator(DeltaAccumulator deltas) {
        this.deltas = deltas;
    }

    /** A binary-protobuf {@code ExportMetricsServiceRequest}. */
    public static ExportMetricsServiceRequest parseProtobuf(byte[] body) throws MalformedRequestException {
        try {
            return ExportMetricsServiceRequest.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedRequestException("cannot parse the OTLP protobuf body: " + e.getMessage());
        }
    }

    /** The OTLP/JSON encoding (field names in lowerCamelCase or as in the .proto, enums as numbers or names). */
    public static ExportMetricsServiceRequest parseJson(String body) throws MalformedRequestException {
        ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
        try {
            JsonFormat.parser().ignoringUnknownFields().merge(body, b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new MalformedRequestException("cannot parse the OTLP JSON body: " + m);
        }
        return b.build();
    }

    /**
     * Hands every translated sample to {@code sink}.
     *
     * @param nowMs the time of points that carry none
     * @return the number of data points read
     */
    public long translate(ExportMetricsServiceRequest request, long nowMs, SeriesSink sink) {
        DeltaAccumulator.Batch batch = deltas.batch();
        long points = translate(request, nowMs, sink, batch);
        batch.commit();
        return points;
    }

    /** A batch of deltas for one request: commit it once the request's samples are stored. */
    public DeltaAccumulator.Batch deltaBatch() {
        return deltas.batch();
    }

    /**
     * As {@link #translate(ExportMetricsServiceRequest, long, SeriesSink)}, with delta points staged in
     * {@code batch}, which the caller commits once the samples are stored.
     */
    public long translate(ExportMetricsServiceRequest request, long nowMs, SeriesSink sink, DeltaAccumulator.Batch batch) {
        long points = 0;
        long[] ts = new long[1];
        double[] vs = new double[1];
        long[] sts = new long[1];
        Emitter out = (labels, st, t, v) -> {
            ts[0] = t;
            vs[0] = v;
            sts[0] = st;
            sink.series(labels, ts, vs, sts, 1);
        };
        for (ResourceMetrics rm : request.getResourceMetricsList()) {
            Map<String, String> resource = attributes(rm.getResource().getAttributesList());
            String name = resource.get("service.name");
            String namespace = resource.get("service.namespace");
            String job = name == null ? null : namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
            String instance = resource.get("service.instance.id");
            long newest = Long.MIN_VALUE;
            for (ScopeMetrics sm : rm.getScopeMetricsList()) {
                for (Metric m : sm.getMetricsList()) {
                    Context c = new Context(m, job, instance, nowMs, out, sink, batch);
                    points += c.points();
                    newest = Math.max(newest, c.translate());
                }
            }
            Map<String, String> info = new TreeMap<>(resource);
            info.remove("service.name");
            info.remove("service.namespace");
            info.remove("service.instance.id");
            if (!info.isEmpty() && newest != Long.MIN_VALUE) {
                Labels.Builder b = labels(info);
                setIfPresent(b, "job", job);
                setIfPresent(b, "instance", instance);
                b.set(Labels.METRIC_NAME, "target_info");
                out.emit(b.build(), 0, newest, 1);
            }
        }
        return points;
    }

    @FunctionalInterface
    private interface Emitter {
        /** A sample, with its start time in ms (0: none). */
        void emit(Labels labels, long st, long t, double v);
    }

    /** One metric being translated. */
    private final class Context {
        final Metric m;
        final String job;
        final String instance;
        final long nowMs;
        final Emitter out;
        final SeriesSink sink;
        final DeltaAccumulator.Batch batch;
        long newest = Long.MIN_VALUE;
        /**
         * The start time (ms) of the data point being written, 0 for none: a cumulative (monotonic) sum's,
         * histogram's or summary's ({@code _sum}, {@code _count}) {@code start_time_unix_nano}, kept with its samples
         * so that rate() sees the restarts it marks. Gauges and quantiles have none, and delta points become
         * running totals here, whose start is not the points'.
         */
        long start;

        Context(Metric m, String job, String instance, long nowMs, Emitter out, SeriesSink sink, DeltaAccumulator.Batch batch) {
            this.batch = batch;
            this.m = m;
            this.job = job;
            this.instance = instance;
            this.nowMs = nowMs;
            this.out = out;
            this.sink = sink;
        }

        long points() {
            return switch (m.getDataCase()) {
                case GAUGE -> m.getGauge().getDataPointsCount();
                case SUM -> m.getSum().getDataPointsCount();
                case HISTOGRAM -> m.getHistogram().getDataPointsCount();
                case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsCount();
                case SUMMARY -> m.getSummary().getDataPointsCount();
                default -> 1;
            };
        }

        /** @return the newest timestamp written, or Long.MIN_VALUE */
        long translate() {
            switch (m.getDataCase()) {
                case GAUGE -> {
                    String name = OtlpNames.metricName(m.getName(), m.getUnit(), OtlpNames.Kind.GAUGE);
                    for (NumberDataPoint p : m.getGauge().getDataPointsList()) {
                        number(name, p, false);
                    }
                }
                case SUM -> {
                    boolean monotonic = m.getSum().getIsMonotonic();
                    boolean delta = m.getSum().getAggregationTemporality()
                            == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
                    String name = OtlpNames.metricName(m.getName(), m.getUnit(),
                            monotonic ? OtlpNames.Kind.COUNTER : OtlpNames.Kind.GAUGE);
                    for (NumberDataPoint p : m.getSum().getDataPointsList()) {
                        number(name, p, delta);
                    }
                }
                case HISTOGRAM -> {
                    boolean delta = m.getHistogram().getAggregationTemporality()
                            == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
                    String name = OtlpNames.metricName(m.getName(), m.getUnit(), OtlpNames.Kind.OTHER);
                    for (HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
                        histogram(name, p, delta);
                    }
                }
                case EXPONENTIAL_HISTOGRAM -> {
                    boolean delta = m.getExponentialHistogram().getAggregationTemporality()
                            == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
                    String name = OtlpNames.metricName(m.getName(), m.getUnit(), OtlpNames.Kind.OTHER);
                    for (ExponentialHistogramDataPoint p : m.getExponentialHistogram().getDataPointsList()) {
                        exponential(name, p, delta);
                    }
                }
                case SUMMARY -> {
                    String name = OtlpNames.metricName(m.getName(), m.getUnit(), OtlpNames.Kind.OTHER);
                    for (SummaryDataPoint p : m.getSummary().getDataPointsList()) {
                        summary(name, p);
                    }
                }
                default -> sink.invalid(describe(m.getName()), "metric has no data (gauge, sum, histogram,"
                        + " exponential histogram or summary)", 1);
            }
            return newest;
        }

        private Labels.Builder base(String name, List<KeyValue> attrs) {
            Labels.Builder b = labels(attributes(attrs));
            setIfPresent(b, "job", job);
            setIfPresent(b, "instance", instance);
            b.set(Labels.METRIC_NAME, name);
            return b;
        }

        private long time(long unixNano) {
            return unixNano == 0 ? nowMs : unixNano / 1_000_000L;
        }

        /** A start time in ms from nanoseconds, 0 (unknown) for none or one before 1970. */
        private static long startOf(long unixNano) {
            return unixNano <= 0 ? 0 : unixNano / 1_000_000L;
        }

        private boolean checkName(String name) {
            if (name.isEmpty()) {
                sink.invalid(describe(m.getName()), "the metric name \"" + m.getName() + "\" has no letters or digits", 1);
                return false;
            }
            return true;
        }

        private void number(String name, NumberDataPoint p, boolean delta) {
            if (!checkName(name)) {
                return;
            }
            Labels labels = base(name, p.getAttributesList()).build();
            long t = time(p.getTimeUnixNano());
            boolean counter = m.getDataCase() == Metric.DataCase.SUM && m.getSum().getIsMonotonic();
            start = counter && !delta ? startOf(p.getStartTimeUnixNano()) : 0;
            if ((p.getFlags() & FLAG_NO_RECORDED_VALUE) != 0) {
                write(labels, t, STALE, false);
                return;
            }
            double v = switch (p.getValueCase()) {
                case AS_DOUBLE -> p.getAsDouble();
                case AS_INT -> p.getAsInt();
                default -> Double.NaN;
            };
            if (p.getValueCase() == NumberDataPoint.ValueCase.VALUE_NOT_SET) {
                sink.invalid(labels.toString(), "data point has no value", 1);
                return;
            }
            write(labels, t, v, delta);
        }

        private void histogram(String name, HistogramDataPoint p, boolean delta) {
            if (!checkName(name)) {
                return;
            }
            long t = time(p.getTimeUnixNano());
            start = delta ? 0 : startOf(p.getStartTimeUnixNano());
            Labels.Builder b = base(name, p.getAttributesList());
            boolean stale = (p.getFlags() & FLAG_NO_RECORDED_VALUE) != 0;
            int bounds = p.getExplicitBoundsCount();
            if (!stale && p.getBucketCountsCount() != 0 && p.getBucketCountsCount() != bounds + 1) {
                sink.invalid(b.build().toString(), "histogram has " + p.getBucketCountsCount() + " bucket counts for "
                        + bounds + " bounds (expected bounds + 1)", 1);
                return;
            }
            if (p.hasSum() || stale) {
                write(b.set(Labels.METRIC_NAME, name + "_sum").build(), t, stale ? STALE : p.getSum(), delta);
            }
            write(b.set(Labels.METRIC_NAME, name + "_count").build(), t, stale ? STALE : p.getCount(), delta);
            b.set(Labels.METRIC_NAME, name + "_bucket");
            long cumulative = 0;
            for (int i = 0; i < bounds && p.getBucketCountsCount() > 0; i++) {
                cumulative += p.getBucketCounts(i);
                write(b.set("le", GoFloat.plain(p.getExplicitBounds(i))).build(), t, stale ? STALE : cumulative, delta);
            }
            write(b.set("le", "+Inf").build(), t, stale ? STALE : p.getCount(), delta);
        }

        private void exponential(String name, ExponentialHistogramDataPoint p, boolean delta) {
            if (!checkName(name)) {
                return;
            }
            long t = time(p.getTimeUnixNano());
            start = delta ? 0 : startOf(p.getStartTimeUnixNano());
            Labels.Builder b = base(name, p.getAttributesList());
            boolean stale = (p.getFlags() & FLAG_NO_RECORDED_VALUE) != 0;
            if (p.getScale() < -10 || p.getScale() > 20) {
                sink.invalid(b.build().toString(), "exponential histogram scale " + p.getScale() + " is outside -10..20", 1);
                return;
            }
            if (p.hasSum() || stale) {
                write(b.set(Labels.METRIC_NAME, name + "_sum").build(), t, stale ? STALE : p.getSum(), delta);
            }
            write(b.set(Labels.METRIC_NAME, name + "_count").build(), t, stale ? STALE : p.getCount(), delta);
            b.set(Labels.METRIC_NAME, name + "_bucket");
            long cumulative = p.getZeroCount();
            for (long c : p.getNegative().getBucketCountsList()) {
                cumulative += c;
            }
            double base = Math.pow(2, Math.pow(2, -p.getScale()));
            int offset = p.getPositive().getOffset();
            List<Long> counts = p.getPositive().getBucketCountsList();
            for (int i = 0; i < counts.size(); i++) {
                cumulative += counts.get(i);
                if (counts.get(i) == 0 && i != counts.size() - 1) {
                    continue; // an empty bucket adds no information; the cumulative count carries on
                }
                double upper = Math.pow(base, (double) offset + i + 1);
                write(b.set("le", GoFloat.plain(upper)).build(), t, stale ? STALE : cumulative, delta);
            }
            write(b.set("le", "+Inf").build(), t, stale ? STALE : p.getCount(), delta);
        }

        private void summary(String name, SummaryDataPoint p) {
            if (!checkName(name)) {
                return;
            }
            long t = time(p.getTimeUnixNano());
            start = startOf(p.getStartTimeUnixNano());
            Labels.Builder b = base(name, p.getAttributesList());
            boolean stale = (p.getFlags() & FLAG_NO_RECORDED_VALUE) != 0;
            write(b.set(Labels.METRIC_NAME, name + "_sum").build(), t, stale ? STALE : p.getSum(), false);
            write(b.set(Labels.METRIC_NAME, name + "_count").build(), t, stale ? STALE : p.getCount(), false);
            b.set(Labels.METRIC_NAME, name);
            start = 0; // quantiles are gauges
            for (SummaryDataPoint.ValueAtQuantile q : p.getQuantileValuesList()) {
                write(b.set("quantile", GoFloat.plain(q.getQuantile())).build(), t, stale ? STALE : q.getValue(), false);
            }
        }

        private void write(Labels labels, long t, double v, boolean delta) {
            if (delta && !Double.isNaN(v)) {
                DeltaAccumulator.Result r = batch.add(labels, t, v);
                if (r instanceof DeltaAccumulator.Refused refused) {
                    sink.invalid(labels.toString(), refused.reason(), 1);
                    return;
                }
                v = ((DeltaAccumulator.Accepted) r).cumulative();
            }
            out.emit(labels, start, t, v);
            newest = Math.max(newest, t);
        }
    }

    private static String describe(String metricName) {
        return "metric \"" + metricName + "\"";
    }

    private static void setIfPresent(Labels.Builder b, String name, String value) {
        if (value != null && !value.isEmpty()) {
            b.set(name, value);
        }
    }

    /** Attributes by key, values as strings (arrays and maps as JSON), in key order. */
    static Map<String, String> attributes(List<KeyValue> kvs) {
        Map<String, String> out = new TreeMap<>();
        for (KeyValue kv : kvs) {
            out.put(kv.getKey(), asString(kv.getValue()));
        }
        return out;
    }

    /** Attributes as labels; two attributes whose names become the same label join their values with ";". */
    private static Labels.Builder labels(Map<String, String> attrs) {
        Map<String, String> byLabel = new TreeMap<>();
        attrs.forEach((k, v) -> {
            String name = OtlpNames.labelName(k);
            if (name.isEmpty() || v.isEmpty()) {
                return;
            }
            byLabel.merge(name, v, (a, b) -> a + ";" + b);
        });
        Labels.Builder b = Labels.builder();
        byLabel.forEach(b::set);
        return b;
    }

    static String asString(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case INT_VALUE -> Long.toString(v.getIntValue());
            case DOUBLE_VALUE -> GoFloat.plain(v.getDoubleValue());
            case BYTES_VALUE -> java.util.Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
            case ARRAY_VALUE, KVLIST_VALUE -> json(v);
            default -> "";
        };
    }

    private static String json(AnyValue v) {
        StringBuilder sb = new StringBuilder();
        switch (v.getValueCase()) {
            case ARRAY_VALUE -> {
                sb.append('[');
                List<AnyValue> values = v.getArrayValue().getValuesList();
                for (int i = 0; i < values.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    sb.append(json(values.get(i)));
                }
                sb.append(']');
            }
            case KVLIST_VALUE -> {
                sb.append('{');
                List<KeyValue> kvs = v.getKvlistValue().getValuesList();
                for (int i = 0; i < kvs.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    sb.append(quote(kvs.get(i).getKey())).append(':').append(json(kvs.get(i).getValue()));
                }
                sb.append('}');
            }
            case STRING_VALUE -> sb.append(quote(v.getStringValue()));
            case BOOL_VALUE, INT_VALUE, DOUBLE_VALUE -> sb.append(asString(v));
            case BYTES_VALUE -> sb.append(quote(asString(v)));
            default -> sb.append("null");
        }
        return sb.toString();
    }

    private static String quote(String s) {
        return io.sightline.common.JsonStrings.quote(s);
    }
}
