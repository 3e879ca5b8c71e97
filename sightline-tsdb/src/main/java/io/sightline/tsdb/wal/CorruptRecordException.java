package io.sightline.tsdb.wal;

/** A WAL record whose checksum passed but whose contents do not decode: a bug, never expected from disk. */
public final class CorruptRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CorruptRecordException(String message) {
        super("corrupt WAL record: " + message);
    }
}
