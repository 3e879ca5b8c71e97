package io.sightline.tsdb.block;

/** A block's files fail their checksums or do not decode: the block cannot be trusted and is quarantined. */
public final class CorruptBlockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CorruptBlockException(String message) {
        super(message);
    }
}
