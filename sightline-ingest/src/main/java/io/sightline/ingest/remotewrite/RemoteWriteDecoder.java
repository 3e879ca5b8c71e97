package io.sightline.ingest.remotewrite;

import io.sightline.common.Labels;
import io.sightline.common.Names;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.proto.ProtoReader;
import io.sightline.ingest.SeriesSink;
import java.io.IOException;
import java.util.Arrays;
import org.xerial.snappy.Snappy;

/**
 * Decodes a remote_write 1.0 request body: snappy block compression around
 * {@code prometheus.WriteRequest}. Hand-written protobuf reading straight from the byte array, so a
 * request costs one decompression buffer, nothing per sample, and for a series sent before nothing per
 * series either: its labels are found by their bytes in {@link EncodedLabels}.
 *
 * <pre>
 * WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
 * TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3;
 *                repeated Histogram histograms = 4; }
 * Label        { string name = 1; string value = 2; }
 * Sample       { double value = 1; int64 timestamp = 2; }
 * </pre>
 *
 * <p>The request is decoded to the end before anything reaches the sink, so a malformed request stores
 * nothing. A series with invalid labels (bad or duplicate names, invalid UTF-8, no metric name) or with
 * native histograms is reported to {@link SeriesSink#invalid} and skipped. Not thread-safe: one decoder
 * per thread, reusable.
 */
public final class RemoteWriteDecoder {
    private final long maxDecompressedBytes;
    private final EncodedLabels cache;
    private long[] ts = new long[256];
    private double[] vs = new double[256];
    /** The timestamp {@link #readSample} read. */
    private final long[] sampleTime = new long[1];

    /** @param maxDecompressedBytes bound on the decompressed size, against decompression bombs */
    public RemoteWriteDecoder(long maxDecompressedBytes) {
        this(maxDecompressedBytes, EncodedLabels.SHARED);
    }

    RemoteWriteDecoder(long maxDecompressedBytes, EncodedLabels cache) {
        this.maxDecompressedBytes = maxDecompressedBytes;
        this.cache = cache;
    }

    /** What a request held. */
    public record Result(int series, long samples, int invalidSeries) {}

    /** Decompresses and decodes {@code body}. */
    public Result decodeSnappy(byte[] body, SeriesSink sink) throws MalformedRequestException {
        return decodeSnappy(body, body.length, sink);
    }

    /** Decompresses and decodes the body in {@code body[0, length)}. */
    public Result decodeSnappy(byte[] body, int length, SeriesSink sink) throws MalformedRequestException {
        java.util.Objects.checkFromIndexSize(0, length, body.length);
        Decompressed raw = unsnappyReused(body, length, maxDecompressedBytes, "cannot decode remote write request",
                " (remote_write 1.0 sends Content-Encoding: snappy, block format)");
        return decode(raw.buf(), 0, raw.length(), sink);
    }

    /** Decodes an uncompressed {@code WriteRequest}. */
    public Result decode(byte[] buf, int offset, int length, SeriesSink sink) throws MalformedRequestException {
        // Pass 1 checks the structure of the whole request; pass 2 hands series to the sink.
        walk(buf, offset, offset + length, null);
        return walk(buf, offset, offset + length, sink);
    }

    private Result walk(byte[] buf, int pos, int end, SeriesSink sink) throws MalformedRequestException {
        ProtoReader r = new ProtoReader(buf, pos, end, "remote write request");
        int series = 0;
        long samples = 0;
        int invalid = 0;
        while (r.position() < end) {
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 1 && wire == 2) {
                int len = r.length();
                int seriesEnd = r.position() + len;
                int o = timeSeries(r, seriesEnd, sink);
                r.position(seriesEnd);
                if (o >= 0) {
                    series++;
                    samples += o;
                } else {
                    invalid++;
                }
            } else {
                r.skip(wire);
            }
        }
        return new Result(series, samples, invalid);
    }

    /** Returns the series' sample count, or -1 when it is invalid (reported to the sink). */
    private int timeSeries(ProtoReader r, int end, SeriesSink sink) throws MalformedRequestException {
        int seriesStart = r.position();
        // The label fields' span, when nothing else comes between them: the key of the labels cache.
        int labelsFrom = -1;
        int labelsTo = -1;
        boolean contiguous = true;
        int n = 0;
        int histograms = 0;
        while (r.position() < end) {
            int fieldStart = r.position();
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 1 && wire == 2) {
                int len = r.length();
                int labelEnd = r.position() + len;
                while (r.position() < labelEnd) {
                    long t = r.varint();
                    int w = (int) (t & 7);
                    int f = (int) (t >>> 3);
                    if ((f == 1 || f == 2) && w == 2) {
                        int l = r.length();
                        if (r.position() + l > labelEnd) {
                            throw r.malformed("label string overruns its label");
                        }
                        r.position(r.position() + l);
                    } else {
                        r.skip(w);
                    }
                }
                if (r.position() != labelEnd) {
                    throw r.malformed("label overruns its length");
                }
                if (labelsFrom < 0) {
                    labelsFrom = fieldStart;
                } else if (labelsTo != fieldStart) {
                    contiguous = false;
                }
                labelsTo = labelEnd;
            } else if (field == 2 && wire == 2) {
                double v = readSample(r, sampleTime);
                if (sink != null) {
                    if (n == ts.length) {
                        ts = Arrays.copyOf(ts, n * 2);
                        vs = Arrays.copyOf(vs, n * 2);
                    }
                    ts[n] = sampleTime[0];
                    vs[n] = v;
                }
                n++;
            } else if (field == 4 && wire == 2) {
                histograms++;
                r.skip(wire);
            } else {
                r.skip(wire);
            }
        }
        if (r.position() != end) {
            throw r.malformed("time series overruns its length");
        }
        if (sink == null) {
            return n;
        }
        byte[] buf = r.buffer();
        long hash = 0;
        if (contiguous && labelsFrom >= 0 && histograms == 0) {
            hash = EncodedLabels.hash(buf, labelsFrom, labelsTo);
            Labels cached = cache.get(buf, labelsFrom, labelsTo, hash);
            if (cached != null) {
                sink.series(cached, ts, vs, n);
                return n;
            }
        }
        Labels.Builder labels = Labels.builder();
        String problem = labels(cache, new ProtoReader(buf, seriesStart, end, "remote write request"), end, labels);
        if (problem == null && histograms > 0) {
            problem = "native histograms are not supported yet (" + histograms + " dropped)";
        }
        if (problem != null) {
            sink.invalid(labels.build().toString(), problem, n + histograms);
            return -1;
        }
        Labels built = labels.build();
        if (contiguous && labelsFrom >= 0) {
            cache.put(buf, labelsFrom, labelsTo, hash, built);
        }
        sink.series(built, ts, vs, n);
        return n;
    }

    /**
     * Decodes the label fields of the TimeSeries in {@code r} (checked already) into {@code labels};
     * returns what is wrong with them, or null.
     */
    private static String labels(EncodedLabels cache, ProtoReader r, int end, Labels.Builder labels) throws MalformedRequestException {
        String problem = null;
        boolean hasName = false;
        java.util.HashSet<String> seen = new java.util.HashSet<>();
        byte[] buf = r.buffer();
        while (r.position() < end) {
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field != 1 || wire != 2) {
                r.skip(wire);
                continue;
            }
            int labelEnd = r.position() + r.length();
            int nameOff = -1;
            int nameLen = 0;
            int valueOff = -1;
            int valueLen = 0;
            while (r.position() < labelEnd) {
                long t = r.varint();
                int f = (int) (t >>> 3);
                int w = (int) (t & 7);
                if ((f == 1 || f == 2) && w == 2) {
                    int l = r.length();
                    if (f == 1) {
                        nameOff = r.position();
                        nameLen = l;
                    } else {
                        valueOff = r.position();
                        valueLen = l;
                    }
                    r.position(r.position() + l);
                } else {
                    r.skip(w);
                }
            }
            if (problem != null) {
                continue;
            }
            if (!validUtf8(buf, nameOff, nameLen) || !validUtf8(buf, valueOff, valueLen)) {
                problem = "label name or value is not valid UTF-8";
                continue;
            }
            String name = nameOff < 0 ? "" : cache.string(buf, nameOff, nameLen);
            String value = valueOff < 0 ? "" : cache.string(buf, valueOff, valueLen);
            if (!Names.isValidLabelName(name)) {
                problem = "invalid label name \"" + name + "\"";
            } else if (!seen.add(name)) {
                problem = "duplicate label name \"" + name + "\"";
            } else {
                if (name.equals(Labels.METRIC_NAME)) {
                    if (!Names.isValidMetricName(value)) {
                        problem = "invalid metric name \"" + value + "\"";
                    }
                    hasName = true;
                }
                labels.set(name, value);
            }
        }
        if (problem == null && !hasName) {
            problem = "no metric name (__name__ label)";
        }
        return problem;
    }

    /**
     * Reads a length-delimited {@code Sample { double value = 1; int64 timestamp = 2; }} (the same in
     * remote write 1.0 and 2.0): returns the value, puts the timestamp in {@code t[0]}.
     */
    /**
     * One {@code Sample} message: its value, its timestamp into {@code t[0]}, and, when {@code t} has room, remote
     * write 2's {@code start_timestamp} (field 3, 0 when absent) into {@code t[1]}.
     */
    static double readSample(ProtoReader r, long[] t) throws MalformedRequestException {
        int len = r.length();
        int sampleEnd = r.position() + len;
        double v = 0;
        t[0] = 0;
        boolean withStart = t.length > 1;
        if (withStart) {
            t[1] = 0;
        }
        while (r.position() < sampleEnd) {
            long tag = r.varint();
            int f = (int) (tag >>> 3);
            int w = (int) (tag & 7);
            if (f == 1 && w == 1) {
                v = Double.longBitsToDouble(r.fixed64());
            } else if (f == 2 && w == 0) {
                t[0] = r.varint();
            } else if (f == 3 && w == 0 && withStart) {
                t[1] = r.varint();
            } else {
                r.skip(w);
            }
        }
        if (r.position() != sampleEnd) {
            throw r.malformed("sample overruns its length");
        }
        return v;
    }

    /** Snappy block decompression with a bound on the result; {@code what} starts the error messages. */
    static byte[] unsnappy(byte[] body, long max, String what, String hint) throws MalformedRequestException {
        int len = uncompressedLength(body, body.length, max, what, hint);
        byte[] out = new byte[len];
        uncompress(body, body.length, out, len, what);
        return out;
    }

    /** A decompressed body: {@code buf[0, length)}. */
    record Decompressed(byte[] buf, int length) {}

    /**
     * Largest buffer a thread keeps between requests. Bodies were decompressed into a fresh array each, the
     * largest part of what ingest allocated (2.8 GB for the harness's 116 M samples).
     */
    static final int MAX_KEPT_BUFFER = 8 << 20;

    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[64 * 1024]);

    /**
     * As {@link #unsnappy}, into a buffer the calling thread reuses: the result is valid until the thread's
     * next call, so the caller decodes it before it returns and keeps nothing that refers to it.
     */
    static Decompressed unsnappyReused(byte[] body, int length, long max, String what, String hint)
            throws MalformedRequestException {
        int len = uncompressedLength(body, length, max, what, hint);
        byte[] buf = BUFFER.get();
        if (buf.length < len) {
            buf = new byte[Math.max(len, Math.min(MAX_KEPT_BUFFER, buf.length * 2))];
            if (buf.length <= MAX_KEPT_BUFFER) {
                BUFFER.set(buf);
            }
        }
        uncompress(body, length, buf, len, what);
        return new Decompressed(buf, len);
    }

    private static int uncompressedLength(byte[] body, int length, long max, String what, String hint)
            throws MalformedRequestException {
        try {
            if (!Snappy.isValidCompressedBuffer(body, 0, length)) {
                throw new MalformedRequestException(what + ": body is not snappy-compressed" + hint);
            }
            int len = Snappy.uncompressedLength(body, 0, length);
            if (len < 0 || len > max) {
                throw new MalformedRequestException(what + ": decompressed size " + len
                        + " bytes exceeds the limit of " + max + " bytes");
            }
            return len;
        } catch (IOException e) {
            throw new MalformedRequestException(what + ": invalid snappy data: " + e.getMessage());
        }
    }

    private static void uncompress(byte[] body, int length, byte[] out, int len, String what)
            throws MalformedRequestException {
        try {
            int got = Snappy.rawUncompress(body, 0, length, out, 0);
            if (got != len) {
                throw new MalformedRequestException(what + ": invalid snappy data: " + got
                        + " bytes decompressed, the header says " + len);
            }
        } catch (IOException e) {
            throw new MalformedRequestException(what + ": invalid snappy data: " + e.getMessage());
        }
    }

    static boolean validUtf8(byte[] b, int off, int len) {
        if (off < 0) {
            return true;
        }
        int i = off;
        int end = off + len;
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int n;
            int min;
            if ((c & 0xE0) == 0xC0) {
                n = 1;
                min = 0x80;
                c &= 0x1F;
            } else if ((c & 0xF0) == 0xE0) {
                n = 2;
                min = 0x800;
                c &= 0x0F;
            } else if ((c & 0xF8) == 0xF0) {
                n = 3;
                min = 0x10000;
                c &= 0x07;
            } else {
                return false;
            }
            if (i + n >= end) {
                return false; // the sequence runs past the string
            }
            for (int k = 1; k <= n; k++) {
                int cc = b[i + k] & 0xFF;
                if ((cc & 0xC0) != 0x80) {
                    return false;
                }
                c = (c << 6) | (cc & 0x3F);
            }
            if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
                return false;
            }
            i += n + 1;
        }
        return true;
    }
}
