package io.sightline.ingest.remotewrite;

import io.sightline.common.Labels;
import io.sightline.common.Names;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
import io.sightline.ingest.proto.ProtoReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Decodes a remote_write 2.0 request body: snappy block compression around
 * {@code io.prometheus.write.v2.Request}, whose strings are interned in one symbol table:
 *
 * <pre>
 * Request    { repeated string symbols = 4; repeated TimeSeries timeseries = 5; }
 * TimeSeries { repeated uint32 labels_refs = 1; repeated Sample samples = 2; repeated Histogram histograms = 3;
 *              repeated Exemplar exemplars = 4; Metadata metadata = 5; int64 created_timestamp = 6; }
 * Sample     { double value = 1; int64 timestamp = 2; int64 start_timestamp = 3; }
 * Metadata   { MetricType type = 1; uint32 help_ref = 3; uint32 unit_ref = 4; }
 * </pre>
 *
 * {@code labels_refs} are pairs of indexes into {@code symbols} (name, value), packed or not; the first
 * symbol must be the empty string. The whole request is checked (structure, symbol UTF-8, every
 * reference in range) before anything reaches the sink, so a malformed request stores nothing. A series
 * with invalid labels (bad or duplicate names, no metric name) or with native histograms is reported
 * to {@link SeriesSink#invalid} and skipped; exemplars are counted, not stored; each sample's
 * {@code start_timestamp} (Sample field 3: ms, when its counter began), or else the series' {@code created_timestamp}
 * (TimeSeries field 6 of the specification's release candidates, reserved since), is passed as its start time;
 * metadata (type, help, unit) is reported to {@link SeriesSink#metadata}. Not thread-safe: one decoder
 * per thread.
 */
public final class RemoteWriteV2Decoder {
    private static final String[] TYPES = {"unknown", "counter", "gauge", "histogram", "gaugehistogram", "summary",
        "info", "stateset"};

    private final long maxDecompressedBytes;
    private long[] ts = new long[256];
    private double[] vs = new double[256];
    /** The samples' start times, for a series with a created timestamp. */
    private long[] starts = new long[0];
    /** The timestamp {@code readSample} read. */
    /** The sample being read: its timestamp and start timestamp. */
    private final long[] sampleTime = new long[2];
    private int[] refs = new int[64];

    /** @param maxDecompressedBytes bound on the decompressed size, against decompression bombs */
    public RemoteWriteV2Decoder(long maxDecompressedBytes) {
        this.maxDecompressedBytes = maxDecompressedBytes;
    }

    /** What a request held, for the {@code X-Prometheus-Remote-Write-*-Written} headers. */
    public record Result(int series, long samples, long histograms, long exemplars, int invalidSeries) {}

    public Result decodeSnappy(byte[] body, SeriesSink sink) throws MalformedRequestException {
        RemoteWriteDecoder.Decompressed raw = RemoteWriteDecoder.unsnappyReused(body, body.length, maxDecompressedBytes,
                "cannot decode remote write 2.0 request", "");
        return decode(raw.buf(), 0, raw.length(), sink);
    }

    /** Decodes an uncompressed {@code Request}. */
    public Result decode(byte[] buf, int offset, int length, SeriesSink sink) throws MalformedRequestException {
        int end = offset + length;
        // Pass 1: the symbol table (it may come after the series on the wire) and the structure.
        ProtoReader r = new ProtoReader(buf, offset, end, "remote write 2.0 request");
        int symbolCount = 0;
        int[] symOff = new int[64];
        int[] symLen = new int[64];
        while (r.position() < end) {
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 4 && wire == 2) {
                int len = r.length();
                if (!RemoteWriteDecoder.validUtf8(buf, r.position(), len)) {
                    throw r.malformed("symbol " + symbolCount + " is not valid UTF-8");
                }
                if (symbolCount == symOff.length) {
                    symOff = Arrays.copyOf(symOff, symbolCount * 2);
                    symLen = Arrays.copyOf(symLen, symbolCount * 2);
                }
                symOff[symbolCount] = r.position();
                symLen[symbolCount] = len;
                symbolCount++;
                r.position(r.position() + len);
            } else {
                r.skip(wire);
            }
        }
        if (symbolCount > 0 && symLen[0] != 0) {
            throw new MalformedRequestException("cannot decode remote write 2.0 request: the first symbol must be the empty string");
        }
        Symbols symbols = new Symbols(buf, symOff, symLen, symbolCount);
        walk(buf, offset, end, symbols, null);
        return walk(buf, offset, end, symbols, sink);
    }

    /** The symbol table, decoded to strings on first use. */
    private static final class Symbols {
        final byte[] buf;
        final int[] off;
        final int[] len;
        final String[] strings;

        Symbols(byte[] buf, int[] off, int[] len, int n) {
            this.buf = buf;
            this.off = off;
            this.len = len;
            this.strings = new String[n];
        }

        int size() {
            return strings.length;
        }

        String get(int i) {
            String s = strings[i];
            if (s == null) {
                s = new String(buf, off[i], len[i], StandardCharsets.UTF_8);
                strings[i] = s;
            }
            return s;
        }
    }

    private Result walk(byte[] buf, int pos, int end, Symbols symbols, SeriesSink sink) throws MalformedRequestException {
        ProtoReader r = new ProtoReader(buf, pos, end, "remote write 2.0 request");
        int series = 0;
        int invalid = 0;
        long samples = 0;
        long histograms = 0;
        long exemplars = 0;
        while (r.position() < end) {
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 5 && wire == 2) {
                int len = r.length();
                int seriesEnd = r.position() + len;
                Outcome o = timeSeries(r, seriesEnd, symbols, sink);
                r.position(seriesEnd);
                exemplars += o.exemplars;
                histograms += o.histograms;
                if (o.valid) {
                    series++;
                    samples += o.samples;
                } else {
                    invalid++;
                }
            } else {
                r.skip(wire);
            }
        }
        return new Result(series, samples, histograms, exemplars, invalid);
    }

    private record Outcome(boolean valid, int samples, int exemplars, int histograms) {}

    private Outcome timeSeries(ProtoReader r, int end, Symbols symbols, SeriesSink sink) throws MalformedRequestException {
        int nRefs = 0;
        int n = 0;
        int histograms = 0;
        int exemplars = 0;
        int type = 0;
        int helpRef = 0;
        int unitRef = 0;
        long created = 0;
        boolean anyStart = false;
        while (r.position() < end) {
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 1 && wire == 2) {
                int len = r.length();
                int refsEnd = r.position() + len;
                while (r.position() < refsEnd) {
                    nRefs = addRef(r, nRefs, symbols);
                }
                if (r.position() != refsEnd) {
                    throw r.malformed("labels_refs overrun their length");
                }
            } else if (field == 1 && wire == 0) {
                nRefs = addRef(r, nRefs, symbols);
            } else if (field == 2 && wire == 2) {
                double v = RemoteWriteDecoder.readSample(r, sampleTime);
                if (sink != null) {
                    if (n == ts.length) {
                        ts = Arrays.copyOf(ts, n * 2);
                        vs = Arrays.copyOf(vs, n * 2);
                    }
                    if (starts.length < ts.length) {
                        starts = Arrays.copyOf(starts, ts.length);
                    }
                    ts[n] = sampleTime[0];
                    vs[n] = v;
                    starts[n] = sampleTime[1];
                    anyStart |= sampleTime[1] != 0;
                }
                n++;
            } else if (field == 6 && wire == 0) {
                created = r.varint();
            } else if (field == 3 && wire == 2) {
                histograms++;
                r.skip(wire);
            } else if (field == 4 && wire == 2) {
                exemplars++;
                r.skip(wire);
            } else if (field == 5 && wire == 2) {
                int len = r.length();
                int mdEnd = r.position() + len;
                while (r.position() < mdEnd) {
                    long tag2 = r.varint();
                    int f = (int) (tag2 >>> 3);
                    int w = (int) (tag2 & 7);
                    if (w == 0 && (f == 1 || f == 3 || f == 4)) {
                        long v = r.varint();
                        if (f == 1) {
                            type = (int) Math.max(0, Math.min(v, TYPES.length - 1));
                        } else {
                            if (v < 0 || v >= symbols.size()) {
                                throw r.malformed("metadata refers to symbol " + v + " of " + symbols.size());
                            }
                            if (f == 3) {
                                helpRef = (int) v;
                            } else {
                                unitRef = (int) v;
                            }
                        }
                    } else {
                        r.skip(w);
                    }
                }
                if (r.position() != mdEnd) {
                    throw r.malformed("metadata overruns its length");
                }
            } else {
                r.skip(wire);
            }
        }
        if (r.position() != end) {
            throw r.malformed("time series overruns its length");
        }
        if (nRefs % 2 != 0) {
            throw r.malformed("a time series has an odd number of labels_refs (" + nRefs + "); they come in name, value pairs");
        }
        if (sink == null) {
            return new Outcome(true, n, exemplars, histograms);
        }
        Labels.Builder labels = Labels.builder();
        Set<String> seen = new HashSet<>();
        String problem = null;
        String metricName = null;
        for (int i = 0; i < nRefs; i += 2) {
            String name = symbols.get(refs[i]);
            String value = symbols.get(refs[i + 1]);
            if (!Names.isValidLabelName(name)) {
                problem = problem == null ? "invalid label name \"" + name + "\"" : problem;
                continue;
            }
            if (!seen.add(name)) {
                problem = problem == null ? "duplicate label name \"" + name + "\"" : problem;
                continue;
            }
            if (name.equals(Labels.METRIC_NAME)) {
                metricName = value;
                if (!Names.isValidMetricName(value)) {
                    problem = problem == null ? "invalid metric name \"" + value + "\"" : problem;
                }
            }
            labels.set(name, value);
        }
        if (problem == null && metricName == null) {
            problem = "no metric name (__name__ label)";
        }
        if (problem == null && histograms > 0) {
            problem = "native histograms are not supported yet (" + histograms + " dropped)";
        }
        if (problem != null) {
            sink.invalid(labels.build().toString(), problem, n + histograms);
            return new Outcome(false, n, exemplars, histograms);
        }
        if (type != 0 || helpRef != 0 || unitRef != 0) {
            sink.metadata(metricName, TYPES[type], symbols.get(helpRef), symbols.get(unitRef));
        }
        if (created > 0 || anyStart) {
            for (int i = 0; i < n && created > 0; i++) {
                if (starts[i] == 0) {
                    starts[i] = created; // the series-wide created_timestamp of the 2.0 release candidates
                }
            }
            sink.series(labels.build(), ts, vs, starts, n);
        } else {
            sink.series(labels.build(), ts, vs, n);
        }
        return new Outcome(true, n, exemplars, 0);
    }

    private int addRef(ProtoReader r, int nRefs, Symbols symbols) throws MalformedRequestException {
        long v = r.varint();
        if (v < 0 || v >= symbols.size()) {
            throw r.malformed("labels_refs refers to symbol " + v + " of " + symbols.size());
        }
        if (nRefs == refs.length) {
            refs = Arrays.copyOf(refs, nRefs * 2);
        }
        refs[nRefs] = (int) v;
        return nRefs + 1;
    }
}
