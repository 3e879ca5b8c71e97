package io.sightline.ingest.remoteread;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.proto.ProtoReader;
import io.sightline.ingest.proto.ProtoWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.xerial.snappy.Snappy;

/**
 * Prometheus remote read: {@code ReadRequest} in (snappy-compressed protobuf); out either a
 * snappy-compressed {@code ReadResponse} with raw samples ({@code SAMPLES}) or, for clients that accept
 * it, a stream of {@code ChunkedReadResponse} frames holding Prometheus XOR chunks
 * ({@code STREAMED_XOR_CHUNKS}: each frame is a varint length, a big-endian CRC32C of the message, and
 * the message).
 */
public final class RemoteRead {

    /** {@code ReadRequest.ResponseType}. */
    public static final int SAMPLES = 0;
    public static final int STREAMED_XOR_CHUNKS = 1;

    private RemoteRead() {}

    /** One query: a time range in milliseconds (both ends inclusive) and matchers. */
    public record Query(long startMs, long endMs, List<LabelMatcher> matchers) {}

    public record Request(List<Query> queries, List<Integer> acceptedResponseTypes) {}

    /** Samples of one series. */
    public record Series(Labels labels, long[] timestamps, double[] values) {}

    public static Request decodeSnappy(byte[] body, long maxDecompressedBytes) throws MalformedRequestException {
        byte[] raw;
        try {
            if (!Snappy.isValidCompressedBuffer(body)) {
                throw new MalformedRequestException("cannot decode remote read request: body is not snappy-compressed");
            }
            int len = Snappy.uncompressedLength(body);
            if (len < 0 || len > maxDecompressedBytes) {
                throw new MalformedRequestException("cannot decode remote read request: decompressed size " + len
                        + " bytes exceeds the limit of " + maxDecompressedBytes + " bytes");
            }
            raw = Snappy.uncompress(body);
        } catch (IOException e) {
            throw new MalformedRequestException("cannot decode remote read request: invalid snappy data: "
                    + e.getMessage());
        }
        return decode(raw);
    }

    public static Request decode(byte[] raw) throws MalformedRequestException {
        ProtoReader r = new ProtoReader(raw, 0, raw.length, "remote read request");
        List<Query> queries = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        while (r.hasMore()) {
            long key = r.varint();
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (field == 1 && wire == 2) {
                queries.add(query(r.message()));
            } else if (field == 2 && wire == 0) {
                types.add((int) r.varint());
            } else if (field == 2 && wire == 2) {
                ProtoReader packed = r.message();
                while (packed.hasMore()) {
                    types.add((int) packed.varint());
                }
            } else {
                r.skip(wire);
            }
        }
        return new Request(List.copyOf(queries), List.copyOf(types));
    }

    private static Query query(ProtoReader r) throws MalformedRequestException {
        long start = 0;
        long end = 0;
        List<LabelMatcher> matchers = new ArrayList<>();
        while (r.hasMore()) {
            long key = r.varint();
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (field == 1 && wire == 0) {
                start = r.varint();
            } else if (field == 2 && wire == 0) {
                end = r.varint();
            } else if (field == 3 && wire == 2) {
                matchers.add(matcher(r.message()));
            } else {
                r.skip(wire);
            }
        }
        if (matchers.isEmpty()) {
            throw r.malformed("a query without matchers");
        }
        return new Query(start, end, List.copyOf(matchers));
    }

    private static LabelMatcher matcher(ProtoReader r) throws MalformedRequestException {
        int type = 0;
        String name = "";
        String value = "";
        while (r.hasMore()) {
            long key = r.varint();
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (field == 1 && wire == 0) {
                type = (int) r.varint();
            } else if (field == 2 && wire == 2) {
                name = r.string();
            } else if (field == 3 && wire == 2) {
                value = r.string();
            } else {
                r.skip(wire);
            }
        }
        LabelMatcher.Type t = switch (type) {
            case 0 -> LabelMatcher.Type.EQUAL;
            case 1 -> LabelMatcher.Type.NOT_EQUAL;
            case 2 -> LabelMatcher.Type.REGEX;
            case 3 -> LabelMatcher.Type.NOT_REGEX;
            default -> throw r.malformed("unknown matcher type " + type);
        };
        try {
            return LabelMatcher.of(t, name, value);
        } catch (IllegalArgumentException e) {
            throw r.malformed(e.getMessage());
        }
    }

    /** The content type of a streamed chunked response. */
    public static final String STREAMED_CONTENT_TYPE =
            "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse";

    /** The response type to answer with: the first accepted one this server speaks (SAMPLES when none is named), or -1. */
    public static int responseType(List<Integer> accepted) {
        if (accepted.isEmpty()) {
            return SAMPLES;
        }
        for (int t : accepted) {
            if (t == SAMPLES || t == STREAMED_XOR_CHUNKS) {
                return t;
            }
        }
        return -1;
    }

    /** One {@code ChunkedReadResponse} frame: a series of query {@code queryIndex}, its samples cut into XOR chunks. */
    public static byte[] chunkedFrame(int queryIndex, Series s) {
        ProtoWriter series = new ProtoWriter();
        for (int i = 0; i < s.labels().size(); i++) {
            series.messageField(1, new ProtoWriter().stringField(1, s.labels().name(i)).stringField(2, s.labels().value(i)));
        }
        long[] ts = s.timestamps();
        double[] vs = s.values();
        for (int from = 0; from < ts.length; from += PromXorChunk.MAX_SAMPLES) {
            int to = Math.min(ts.length, from + PromXorChunk.MAX_SAMPLES);
            PromXorChunk c = new PromXorChunk();
            for (int i = from; i < to; i++) {
                c.append(ts[i], vs[i]);
            }
            series.messageField(2, new ProtoWriter().varintField(1, ts[from]).varintField(2, ts[to - 1])
                    .varintField(3, 1).bytesField(4, c.bytes()));
        }
        byte[] message = new ProtoWriter().messageField(1, series).varintField(2, queryIndex).toByteArray();
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(message);
        long sum = crc.getValue();
        ProtoWriter frame = new ProtoWriter().varint(message.length);
        byte[] head = frame.toByteArray();
        byte[] out = new byte[head.length + 4 + message.length];
        System.arraycopy(head, 0, out, 0, head.length);
        out[head.length] = (byte) (sum >>> 24);
        out[head.length + 1] = (byte) (sum >>> 16);
        out[head.length + 2] = (byte) (sum >>> 8);
        out[head.length + 3] = (byte) sum;
        System.arraycopy(message, 0, out, head.length + 4, message.length);
        return out;
    }

    /** A snappy-compressed {@code ReadResponse}: one {@code QueryResult} per query, in order. */
    public static byte[] encodeSnappy(List<List<Series>> results) {
        ProtoWriter response = new ProtoWriter();
        for (List<Series> result : results) {
            ProtoWriter qr = new ProtoWriter();
            for (Series s : result) {
                ProtoWriter ts = new ProtoWriter();
                for (int i = 0; i < s.labels().size(); i++) {
                    ts.messageField(1, new ProtoWriter().stringField(1, s.labels().name(i))
                            .stringField(2, s.labels().value(i)));
                }
                for (int i = 0; i < s.timestamps().length; i++) {
                    ts.messageField(2, new ProtoWriter().doubleField(1, s.values()[i])
                            .varintField(2, s.timestamps()[i]));
                }
                qr.messageField(1, ts);
            }
            response.messageField(1, qr);
        }
        try {
            return Snappy.compress(response.toByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
