package io.sightline.tsdb.wal;

import io.sightline.tsdb.fileio.ZstdCodec;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The framed records of one commit, built before the WAL lock is taken so that encoding never blocks
 * other writers. Frame: payload length (uint32 BE), CRC32C of the payload (uint32 BE), payload. Reusable
 * after {@link #clear()}; not thread-safe.
 */
public final class WalBatch {
    final ByteSink sink = new ByteSink(4096);
    private int records;
    /** Where records are compressed before they replace their raw bytes; kept for reuse. */
    private byte[] compressed = new byte[0];

    public void clear() {
        sink.reset();
        records = 0;
    }

    public boolean isEmpty() {
        return records == 0;
    }

    public int sizeBytes() {
        return sink.position();
    }

    /** Bytes this batch holds on to for its next use. */
    public int capacityBytes() {
        return sink.capacity() + compressed.length;
    }

    public void series(List<WalRecords.SeriesEntry> series) {
        if (!series.isEmpty()) {
            int start = begin();
            WalRecords.encodeSeries(series, sink);
            end(start);
        }
    }

    public void samples(long[] refs, long[] ts, double[] vs, int n) {
        if (n > 0) {
            int start = begin();
            WalRecords.encodeSamples(refs, ts, vs, n, sink);
            end(start);
        }
    }

    public void tombstones(List<WalRecords.Tombstone> tombstones) {
        if (!tombstones.isEmpty()) {
            int start = begin();
            WalRecords.encodeTombstones(tombstones, sink);
            end(start);
        }
    }

    private int begin() {
        int start = sink.position();
        sink.putInt(0);
        sink.putInt(0);
        return start;
    }

    private void end(int start) {
        int payloadStart = start + 8;
        int len = sink.position() - payloadStart;
        if (len >= WalRecords.COMPRESS_FROM) {
            int bound = ZstdCodec.compressBound(len);
            if (compressed.length < bound) {
                compressed = new byte[bound];
            }
            int zlen = ZstdCodec.compress(sink.array(), payloadStart, len, WalRecords.ZSTD_LEVEL, compressed);
            if (zlen + 11 < len) {
                sink.truncate(payloadStart);
                sink.put(WalRecords.COMPRESSED);
                sink.putUvarint(len);
                sink.put(compressed, 0, zlen);
                len = sink.position() - payloadStart;
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(sink.array(), payloadStart, len);
        sink.putInt(start, len);
        sink.putInt(start + 4, (int) crc.getValue());
        records++;
    }
}
