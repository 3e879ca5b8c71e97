package io.sightline.server.ingest;

import io.sightline.ingest.MalformedRequestException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/** Turning text request bodies into strings: optional gzip with a size bound, strict UTF-8. */
final class RequestBodies {
    private RequestBodies() {}

    /**
     * @param limit bound on the decompressed size, against decompression bombs
     * @param what the start of error messages, e.g. {@code cannot parse exposition text}
     */
    static String utf8(byte[] body, boolean gzip, long limit, String what) throws MalformedRequestException {
        byte[] raw = gzip ? gunzip(body, limit, what) : body;
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedRequestException(what + ": the body is not valid UTF-8");
        }
    }

    /** {@code len} bytes from {@code off} as strict UTF-8, or null when they are not valid UTF-8. */
    static String utf8OrNull(byte[] b, int off, int len) {
        boolean ascii = true;
        for (int i = off; i < off + len && ascii; i++) {
            ascii = b[i] >= 0;
        }
        if (ascii) {
            return new String(b, off, len, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, off, len)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The body, decompressed if {@code gzip}, bounded by {@code limit}. */
    static byte[] bytes(byte[] body, boolean gzip, long limit, String what) throws MalformedRequestException {
        return gzip ? gunzip(body, limit, what) : body;
    }

    private static byte[] gunzip(byte[] body, long limit, String what) throws MalformedRequestException {
        try {
            return gunzip(body, limit);
        } catch (TooLarge e) {
            throw new MalformedRequestException(what + ": decompressed body exceeds the limit of " + limit
                    + " bytes (limits.max_request_body_size)");
        } catch (IOException e) {
            throw new MalformedRequestException(what + ": invalid gzip body: " + e.getMessage());
        }
    }

    /** A gzip body decompressing to more than the limit. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super(null, null);
        }
    }

    /**
     * {@code body} gunzipped, bounded by {@code limit} bytes.
     *
     * @throws TooLarge past the limit
     * @throws IOException when the body is not valid gzip
     */
    static byte[] gunzip(byte[] body, long limit) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                if (out.size() + n > limit) {
                    throw new TooLarge();
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    /** Whether a Content-Encoding is gzip; null when it is neither gzip nor identity. */
    static Boolean isGzip(String encoding) {
        if (encoding.equalsIgnoreCase("gzip")) {
            return true;
        }
        return encoding.equalsIgnoreCase("identity") ? false : null;
    }
}
