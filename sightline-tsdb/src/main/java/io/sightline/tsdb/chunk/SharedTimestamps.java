package io.sightline.tsdb.chunk;

/**
 * Where a block chunk whose timestamps are another chunk's ({@link DecimalChunk#TS_SHARED}) finds them:
 * every series scraped from one target has the same timestamps, so a block stores each such column once
 * and the other chunks refer to it by its record's offset in the block's chunk file.
 */
@FunctionalInterface
public interface SharedTimestamps {
    /** For chunks read outside a chunk file: a reference to another chunk is corruption. */
    SharedTimestamps NONE = (ref, n) -> {
        throw new CorruptChunkException("refers to the timestamps of the chunk at " + ref + " outside a chunk file");
    };

    /**
     * The {@code n} timestamps of the chunk at {@code ref}; the caller must not modify the array.
     *
     * @throws CorruptChunkException if there is no such chunk or it does not hold {@code n} own timestamps
     */
    long[] timestamps(long ref, int n);
}
