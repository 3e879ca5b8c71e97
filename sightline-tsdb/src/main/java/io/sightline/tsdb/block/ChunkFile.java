package io.sightline.tsdb.block;

import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.chunk.CorruptChunkException;
import io.sightline.tsdb.chunk.DecimalChunk;
import io.sightline.tsdb.chunk.FloatChunk;
import io.sightline.tsdb.chunk.PlaneChunk;
import io.sightline.tsdb.chunk.XorChunk;
import io.sightline.tsdb.fileio.UninterruptibleIo;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A block's {@code chunks} file, read with positional reads ({@code pread}). A chunk record is a varint
 * length, the chunk's bytes and their CRC32C, checked at every read. Thread-safe: the channel is only read
 * at absolute positions, through {@link UninterruptibleIo} so that an interrupted query cannot close it for
 * the others; each iterator reads ahead through its own {@link ReadAhead}.
 *
 * <p>Not memory-mapped: mapped pages a query or a compaction touched count in the server's resident memory
 * until the map is collected, and for blocks compaction had already deleted that lasted until a full
 * garbage collection (after a 24 h backfill the file-backed resident set was 149 MB mapped, 71 MB read
 * by position). Read into the heap, the bytes stay in the page cache, shared and reclaimable. The file
 * stays readable after it is deleted (compaction, retention), so queries still running on a dropped block
 * finish; the descriptor is closed when the block is no longer referenced.
 */
final class ChunkFile {
    /** Bytes read after a chunk's start when the next chunks' extent is unknown: most records fit. */
    static final int MIN_READ = 4096;
    /** Read-ahead at most, however many chunks of one series lie ahead. */
    static final int MAX_READ = 256 << 10;
    /** Bytes read at least when a reader moves on through the file (the chunks of the series that follow). */
    static final int SCAN_READ = 64 << 10;
    /** A chunk record's length at most (2,048 samples take tens of kilobytes); longer is corruption. */
    static final int MAX_RECORD = 16 << 20;

    private final Path file;
    private final ChannelRef channel;
    private final long size;

    private ChunkFile(Path file, ChannelRef channel, long size) {
        this.file = file;
        this.channel = channel;
        this.size = size;
    }

    static ChunkFile open(Path file, long expectedSize) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        boolean ok = false;
        try {
            long size = ch.size();
            if (size != expectedSize) {
                throw new CorruptBlockException(file + " is " + size + " bytes, meta.json says " + expectedSize);
            }
            if (size < BlockWriter.CHUNKS_MAGIC.length) {
                throw new CorruptBlockException(file + " is shorter than its header");
            }
            ChannelRef ref = new ChannelRef(file, ch);
            byte[] magic = new byte[BlockWriter.CHUNKS_MAGIC.length];
            UninterruptibleIo.readAt(ref, magic, 0);
            if (!java.util.Arrays.equals(magic, BlockWriter.CHUNKS_MAGIC)) {
                throw new CorruptBlockException(file + " is not a chunks file (bad magic)");
            }
            ok = true;
            return new ChunkFile(file, ref, size);
        } finally {
            if (!ok) {
                ch.close();
            }
        }
    }

    /** The shared channel, reopened if an interrupt closed it. */
    private static final class ChannelRef implements UninterruptibleIo.Channel {
        private final Path file;
        private volatile FileChannel channel;

        ChannelRef(Path file, FileChannel channel) {
            this.file = file;
            this.channel = channel;
        }

        @Override
        public FileChannel get() {
            return channel;
        }

        @Override
        public synchronized FileChannel reopen() throws IOException {
            if (!channel.isOpen()) {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            }
            return channel;
        }
    }

    /**
     * The bytes an iterator read last, {@code [start, start + filled)} of the file, and the arrays its chunks
     * decode into; both are reused by the next read (iterators over chunks read through it do not keep
     * {@code buf}: they decode at once or copy). Not thread-safe.
     */
    static final class ReadAhead {
        private byte[] buf = new byte[0];
        /** The file {@link #buf} was read from, or null. */
        private ChunkFile file;
        /** Bytes of {@link #buf} read from the file, from {@link #start}. */
        private int filled;
        private long start;
        /** The length of the record {@link #locate} found last. */
        private int length;
        /**
         * Only which samples there are and which are stale markers is wanted: chunks of decimal values, which
         * cannot hold a stale marker, are not decoded past their timestamps and give 0 for every value.
         */
        boolean presenceOnly;
        /** What the reader's chunks decode into, one after the other. */
        private final io.sightline.tsdb.chunk.DecodeBuffers decoded = new io.sightline.tsdb.chunk.DecodeBuffers();

        private boolean holds(ChunkFile f, long from, long to) {
            return f == file && from >= start && to <= start + filled;
        }

        /**
         * Keeps the arrays for another series: of the same file, what they hold may serve it too (a file holds
         * its series in label order, the order queries read them in).
         */
        void nextSeries(ChunkFile f) {
            if (f != file) {
                file = null;
                filled = 0;
                start = 0;
            }
        }
    }

    private void fill(ReadAhead ra, long from, long to) {
        int n = (int) (to - from);
        if (ra.buf.length < n) {
            ra.buf = new byte[Math.max(n, Math.min(MAX_READ, ra.buf.length * 2))];
        }
        ra.filled = 0;
        ra.file = null;
        try {
            UninterruptibleIo.readAt(channel, ra.buf, n, from);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(file + ": cannot read " + n + " bytes at " + from + ": "
                    + e.getMessage(), e);
        }
        ra.filled = n;
        ra.start = from;
        ra.file = this;
    }

    /**
     * Brings the chunk record at {@code ref} (its encoding byte then the chunk) into {@code ra} and checks
     * it against its CRC; returns where it starts in {@code ra.buf}, its length in {@code ra.length}. When
     * it must read, it reads on to {@code readUpTo} (the end of the chunks the caller will want next, as
     * far as it knows), within {@link #MIN_READ} and {@link #MAX_READ}.
     */
    private int locate(long ref, long readUpTo, ReadAhead ra) {
        if (ref < BlockWriter.CHUNKS_MAGIC.length || ref >= size) {
            throw new CorruptBlockException(file + ": chunk reference " + ref + " outside the file");
        }
        if (!ra.holds(this, ref, Math.min(size, ref + 5))) {
            long want = Math.max(ref + MIN_READ, Math.min(readUpTo, ref + MAX_READ));
            if (ra.file == this && ref >= ra.start) {
                want = Math.max(want, ref + SCAN_READ); // reading on through the file: series after series
            }
            fill(ra, ref, Math.min(size, want));
        }
        int at = (int) (ref - ra.start);
        long len = 0;
        for (int shift = 0;; shift += 7) {
            if (shift > 28 || at >= ra.filled) {
                throw new CorruptBlockException(file + ": bad chunk length at " + ref);
            }
            int b = ra.buf[at++] & 0xFF;
            len |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        long pos = ra.start + at;
        if (len > size - pos - 4) {
            throw new CorruptBlockException(file + ": chunk at " + ref + " runs past the end of the file");
        }
        if (len > MAX_RECORD) {
            throw new CorruptBlockException(file + ": chunk at " + ref + " claims " + len + " bytes");
        }
        if (!ra.holds(this, ref, pos + len + 4)) {
            fill(ra, ref, Math.min(size, Math.max(pos + len + 4, Math.min(readUpTo, ref + MAX_READ))));
        }
        int body = (int) (pos - ra.start);
        int sumAt = body + (int) len;
        CRC32C crc = new CRC32C();
        crc.update(ra.buf, body, (int) len);
        int sum = ((ra.buf[sumAt] & 0xFF) << 24) | ((ra.buf[sumAt + 1] & 0xFF) << 16)
                | ((ra.buf[sumAt + 2] & 0xFF) << 8) | (ra.buf[sumAt + 3] & 0xFF);
        if ((int) crc.getValue() != sum) {
            throw new CorruptBlockException(file + ": chunk at " + ref + " fails its checksum");
        }
        ra.length = (int) len;
        return body;
    }

    /** An iterator over the chunk at {@code ref}, read through {@code ra} (see {@link #locate}). */
    SampleIterator iterator(long ref, long readUpTo, ReadAhead ra) {
        int at = locate(ref, readUpTo, ra);
        if (ra.length == 0) {
            throw new CorruptBlockException(file + ": empty chunk at " + ref);
        }
        byte encoding = ra.buf[at];
        int off = at + 1;
        int len = ra.length - 1;
        try {
            // Decimal and float chunks decode at once (into the read-ahead's buffers); XOR ones as read.
            return switch (encoding) {
                case BlockWriter.ENCODING_XOR ->
                        XorChunk.iterator(java.util.Arrays.copyOfRange(ra.buf, off, off + len));
                case BlockWriter.ENCODING_DECIMAL -> DecimalChunk.iterator(ra.buf, off, len, this::sharedTimestamps,
                        ra.decoded, ra.presenceOnly);
                case BlockWriter.ENCODING_FLOAT -> FloatChunk.iterator(ra.buf, off, len, this::sharedTimestamps,
                        ra.decoded);
                case BlockWriter.ENCODING_PLANES -> PlaneChunk.iterator(ra.buf, off, len, this::sharedTimestamps,
                        ra.decoded, ra.presenceOnly);
                default -> throw new CorruptBlockException(file + ": unknown chunk encoding " + encoding + " at "
                        + ref);
            };
        } catch (CorruptChunkException e) {
            throw new CorruptBlockException(file + ": chunk at " + ref + ": " + e.getMessage());
        }
    }

    /**
     * The timestamps of the chunk at {@code ref}, which other chunks of the block share: read once, then
     * from {@link #SHARED_CACHE}. Its own read-ahead, so the caller's buffer is not disturbed.
     */
    private long[] sharedTimestamps(long ref, int n) {
        SharedKey key = new SharedKey(this, ref);
        long[] ts = SHARED_CACHE.get(key);
        if (ts == null) {
            ReadAhead own = new ReadAhead();
            int at;
            try {
                at = locate(ref, ref + MIN_READ, own);
            } catch (CorruptBlockException e) {
                throw new CorruptChunkException("its shared timestamps: " + e.getMessage());
            }
            if (own.length == 0) {
                throw new CorruptChunkException("its shared timestamps: empty chunk at " + ref);
            }
            byte[] body = java.util.Arrays.copyOfRange(own.buf, at + 1, at + own.length);
            ts = switch (own.buf[at]) {
                case BlockWriter.ENCODING_DECIMAL -> DecimalChunk.timestamps(body);
                case BlockWriter.ENCODING_FLOAT -> FloatChunk.timestamps(body);
                case BlockWriter.ENCODING_PLANES -> PlaneChunk.timestamps(body);
                default -> throw new CorruptChunkException("its shared timestamps: chunk at " + ref + " of encoding "
                        + own.buf[at]);
            };
            SHARED_CACHE.put(key, ts);
        }
        return ts;
    }

    private record SharedKey(ChunkFile file, long ref) {}

    /**
     * Shared timestamp columns recently read, of all blocks: a query reads each scrape target's column
     * once rather than once per series (one target's series are spread over the block in label order).
     * Bounded to about 8 MB (1,024 columns of 2,048 timestamps).
     */
    private static final SharedCache SHARED_CACHE = new SharedCache(1 << 20);

    private static final class SharedCache {
        private final long maxLongs;
        /** Read without a lock: query workers look columns up concurrently, for every chunk they decode. */
        private final java.util.concurrent.ConcurrentHashMap<SharedKey, long[]> map =
                new java.util.concurrent.ConcurrentHashMap<>();
        /** Insertion order, for eviction; guarded by this. */
        private final java.util.ArrayDeque<SharedKey> order = new java.util.ArrayDeque<>();
        private long longs;

        SharedCache(long maxLongs) {
            this.maxLongs = maxLongs;
        }

        long[] get(SharedKey k) {
            return map.get(k);
        }

        /** Adds a column; the oldest ones go once the cache holds more than its bound (first in, first out). */
        synchronized void put(SharedKey k, long[] ts) {
            if (map.putIfAbsent(k, ts) != null) {
                return;
            }
            order.addLast(k);
            longs += ts.length;
            while (longs > maxLongs && !order.isEmpty()) {
                longs -= map.remove(order.removeFirst()).length;
            }
        }
    }
}
