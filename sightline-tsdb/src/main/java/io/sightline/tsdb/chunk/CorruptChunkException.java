package io.sightline.tsdb.chunk;

/** A chunk's bytes do not decode: a bug or on-disk corruption that the checksums did not catch. */
public final class CorruptChunkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CorruptChunkException(String message) {
        super("corrupt chunk: " + message);
    }
}
