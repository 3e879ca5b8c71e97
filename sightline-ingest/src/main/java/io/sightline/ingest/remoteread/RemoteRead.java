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
 * Prometheus remote read 1.0: {@code ReadRequest} in, {@code ReadResponse} with raw samples out, both
 * snappy-compressed protobuf. Only the {@code SAMPLES} response type is produced (streamed XOR chunks
 * would need Prometheus's exact chunk encoding).
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
