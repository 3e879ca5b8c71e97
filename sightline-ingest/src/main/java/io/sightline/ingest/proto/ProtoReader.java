package io.sightline.ingest.proto;

import io.sightline.ingest.MalformedRequestException;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked protobuf reader over a byte range: every read checks the end, so a truncated or
 * hostile message is a {@link MalformedRequestException} naming the byte offset, never an index error.
 */
public final class ProtoReader {

    private final byte[] buf;
    private final String what;
    private int pos;
    private final int end;

    /** @param what names the message in errors, e.g. "remote read request" */
    public ProtoReader(byte[] buf, int pos, int end, String what) {
        this.buf = buf;
        this.pos = pos;
        this.end = end;
        this.what = what;
    }

    public boolean hasMore() {
        return pos < end;
    }

    public int position() {
        return pos;
    }

    /** Moves to {@code newPos}, which must be within this reader's range (callers that track nested ends). */
    public void position(int newPos) {
        if (newPos < 0 || newPos > end) {
            throw new IllegalStateException("BUG: position " + newPos + " outside [0, " + end + "]");
        }
        pos = newPos;
    }

    /** The underlying bytes, for callers that decode fields in place. */
    public byte[] buffer() {
        return buf;
    }

    public MalformedRequestException malformed(String problem) {
        return new MalformedRequestException("cannot decode " + what + ": " + problem + " at byte " + pos);
    }

    public long varint() throws MalformedRequestException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw malformed("truncated varint");
            }
            byte b = buf[pos++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw malformed("varint longer than 10 bytes");
    }

    /** A length prefix that fits in what is left. */
    public int length() throws MalformedRequestException {
        long len = varint();
        if (len < 0 || len > end - pos) {
            throw malformed("length " + len + " runs past the end of the message");
        }
        return (int) len;
    }

    /** A nested message: a reader over its bytes; this reader moves past them. */
    public ProtoReader message() throws MalformedRequestException {
        int len = length();
        ProtoReader r = new ProtoReader(buf, pos, pos + len, what);
        pos += len;
        return r;
    }

    /** A length-delimited UTF-8 string; invalid UTF-8 is malformed. */
    public String string() throws MalformedRequestException {
        int len = length();
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            String s = decoder.decode(java.nio.ByteBuffer.wrap(buf, pos, len)).toString();
            pos += len;
            return s;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw malformed("string is not valid UTF-8");
        }
    }

    public long fixed64() throws MalformedRequestException {
        if (end - pos < 8) {
            throw malformed("truncated fixed64");
        }
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (buf[pos + i] & 0xFF);
        }
        pos += 8;
        return v;
    }

    public void skip(int wire) throws MalformedRequestException {
        switch (wire) {
            case 0 -> varint();
            case 1 -> {
                if (end - pos < 8) {
                    throw malformed("truncated fixed64");
                }
                pos += 8;
            }
            case 2 -> {
                int len = length();
                pos += len;
            }
            case 5 -> {
                if (end - pos < 4) {
                    throw malformed("truncated fixed32");
                }
                pos += 4;
            }
            default -> throw malformed("unsupported protobuf wire type " + wire);
        }
    }
}
