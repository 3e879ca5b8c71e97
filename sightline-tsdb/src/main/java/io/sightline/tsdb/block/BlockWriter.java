package io.sightline.tsdb.block;

import io.sightline.common.Labels;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.chunk.PlaneChunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.roaringbitmap.RoaringBitmap;

/**
 * Writes a block: series in label order, each with its samples re-encoded into chunks of up to
 * {@link #SAMPLES_PER_CHUNK}. Files go to {@code <id>.tmp}, are forced to disk, and the directory is
 * renamed to {@code <id>} last: a block directory without the suffix is always complete.
 */
public final class BlockWriter {
    /**
     * Samples per block chunk at most. Larger chunks compress better (their planes are compressed whole, see
     * {@link PlaneChunk}); 2,048 is about 8 h at 15 s: within 3 % of whole-series chunks on the
     * benchmark data, while a short read of a long block decodes no more than that.
     */
    static final int SAMPLES_PER_CHUNK = 2048;
    /**
     * Chunk encodings, the first byte of a chunk record's payload; only planes are written, the others (of
     * blocks written before) are still read.
     */
    static final int ENCODING_XOR = 1;
    static final int ENCODING_DECIMAL = 2;
    static final int ENCODING_FLOAT = 3;
    static final int ENCODING_PLANES = 4;
    static final int ZSTD_LEVEL = 3;
    /**
     * Chunks of at least this many samples share timestamps with an earlier chunk of the block that has
     * the same ones (all series of one scrape target do); shorter ones keep theirs, which cost less than
     * the read of another chunk.
     */
    static final int MIN_SHARED_TIMESTAMPS = 64;
    /** Timestamps the writer remembers for sharing, at most (8 MB of longs); beyond, chunks keep theirs. */
    static final long MAX_SHARED_TIMESTAMPS = 1 << 20;
    static final byte[] INDEX_MAGIC = {'S', 'L', 'I', 'X', 1};
    static final byte[] CHUNKS_MAGIC = {'S', 'L', 'C', 'K', 1};
    /** Sections of the index, in file order; the table of contents lists them in this order. */
    static final int SECTIONS = 5;
    static final int TOC_BYTES = SECTIONS * 20 + 4 + 4;

    /** A series to write. */
    public interface SeriesSource {
        Labels labels();

        /** Its samples, increasing and distinct in time; only those in the block's range are written. */
        SampleIterator samples();
    }

    private BlockWriter() {}

    /**
     * Writes the samples with {@code minT <= t < maxT} of {@code series} (sorted by labels, no label set
     * twice) as a new block under {@code blocksDir}, and returns its meta; null if no sample was in range.
     */
    public static BlockMeta write(Path blocksDir, long minT, long maxT, int level, List<String> sources,
            List<? extends SeriesSource> series) throws IOException {
        return write(blocksDir, minT, maxT, level, sources, series, 0);
    }

    /**
     * Like {@link #write(Path, long, long, int, List, List)}, for a block of rollups at {@code resolution}
     * ms ({@code 0}: raw samples). A rollup block's meta records {@code minT} as its start: it covers
     * the whole range it was rolled up from.
     */
    public static BlockMeta write(Path blocksDir, long minT, long maxT, int level, List<String> sources,
            List<? extends SeriesSource> series, long resolution) throws IOException {
        return write(blocksDir, minT, maxT, level, sources, series, resolution, PLANES);
    }

    /** A chunk's encoding byte and bytes, as {@link ChunkEncoder} makes them. */
    record EncodedChunk(int encoding, byte[] bytes) {}

    /** Encodes one chunk; {@code sharedRef} as in {@link PlaneChunk#encode}. */
    interface ChunkEncoder {
        EncodedChunk encode(long[] ts, double[] vs, int n, long sharedRef);
    }

    /** What blocks are written with. (Tests write blocks as earlier versions did with another encoder.) */
    static final ChunkEncoder PLANES = (ts, vs, n, sharedRef) ->
            new EncodedChunk(ENCODING_PLANES, PlaneChunk.encode(ts, vs, n, ZSTD_LEVEL, sharedRef));

    static BlockMeta write(Path blocksDir, long minT, long maxT, int level, List<String> sources,
            List<? extends SeriesSource> series, long resolution, ChunkEncoder encoder) throws IOException {
        String id = Ulid.next();
        Path tmp = blocksDir.resolve(id + ".tmp");
        Files.createDirectories(tmp);
        boolean done = false;
        try {
            BlockMeta meta = writeFiles(tmp, id, minT, maxT, level, sources, series, resolution, encoder);
            if (meta == null) {
                return null;
            }
            Files.write(tmp.resolve("meta.json"), meta.toJson(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try (FileChannel ch = FileChannel.open(tmp.resolve("meta.json"), StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            forceDir(tmp);
            Files.move(tmp, blocksDir.resolve(id), StandardCopyOption.ATOMIC_MOVE);
            done = true;
            forceDir(blocksDir);
            return meta;
        } finally {
            if (!done) {
                deleteTree(tmp);
            }
        }
    }

    private static BlockMeta writeFiles(Path dir, String id, long minT, long maxT, int level, List<String> sources,
            List<? extends SeriesSource> series, long resolution, ChunkEncoder encoder) throws IOException {
        Sections sections = new Sections(minT, maxT, series, encoder);
        long chunksBytes;
        long indexBytes;
        try (SectionWriter chunks = new SectionWriter(dir.resolve("chunks"));
                SectionWriter index = new SectionWriter(dir.resolve("index"))) {
            chunks.write(CHUNKS_MAGIC);
            index.write(INDEX_MAGIC);
            sections.writeSymbols(index);
            sections.writeSeries(index, chunks, series);
            if (sections.seriesCount == 0) {
                return null;
            }
            sections.writeSeriesOffsets(index);
            sections.writePostings(index);
            sections.writeToc(index);
            chunks.finish();
            index.finish();
            chunksBytes = chunks.position();
            indexBytes = index.position();
        }
        return new BlockMeta(id, resolution > 0 ? Math.min(minT, sections.firstT) : sections.firstT, maxT,
                new BlockMeta.Stats(sections.seriesCount, sections.samples, sections.chunkCount),
                new BlockMeta.Compaction(level, sources.isEmpty() ? List.of(id) : List.copyOf(sources)),
                new BlockMeta.Files(indexBytes, chunksBytes),
                resolution > 0 ? BlockMeta.VERSION_ROLLUP : BlockMeta.VERSION, resolution);
    }

    /**
     * The state of one block being written, one method per index section. Kept as small methods on
     * purpose: as one method of a few hundred lines with nested loops, the JIT compiled it on-stack
     * several times per block (up to 0.95 s each) and its compiler arena peaked at about 100 MB of native
     * memory, which the C allocator kept: a third of the server's resident memory above its heap.
     */
    /** A chunk's timestamps, compared by content. */
    private record TimestampColumn(long[] ts) {
        @Override
        public boolean equals(Object o) {
            return o instanceof TimestampColumn c && java.util.Arrays.equals(ts, c.ts);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(ts);
        }

        @Override
        public String toString() {
            return ts.length + " timestamps from " + ts[0];
        }
    }

    private static final class Sections {
        private final long minT;
        private final long maxT;
        private final TreeSet<String> symbolSet = new TreeSet<>();
        private final Map<String, Integer> symbols;
        private final Map<String, TreeMap<String, RoaringBitmap>> postings = new TreeMap<>();
        private final long[] seriesOffsets;
        private final long[] tocOffset = new long[SECTIONS];
        private final long[] tocLength = new long[SECTIONS];
        private final int[] tocCrc = new int[SECTIONS];
        private final long[] cts = new long[SAMPLES_PER_CHUNK];
        private final double[] cvs = new double[SAMPLES_PER_CHUNK];
        private final List<long[]> metas = new ArrayList<>();
        private final CRC32C chunkCrc = new CRC32C();
        private final ChunkEncoder encoder;
        /** Chunks of this block written with their own timestamps, by those timestamps: later ones share. */
        private final Map<TimestampColumn, Long> sharedTimestamps = new java.util.HashMap<>();
        private long sharedLongs;
        int seriesCount;
        long samples;
        long chunkCount;
        long firstT = Long.MAX_VALUE;

        Sections(long minT, long maxT, List<? extends SeriesSource> series, ChunkEncoder encoder) {
            this.minT = minT;
            this.maxT = maxT;
            this.encoder = encoder;
            for (SeriesSource s : series) {
                Labels l = s.labels();
                for (int i = 0; i < l.size(); i++) {
                    symbolSet.add(l.name(i));
                    symbolSet.add(l.value(i));
                }
            }
            symbols = new java.util.HashMap<>(symbolSet.size() * 2);
            for (String sym : symbolSet) {
                symbols.put(sym, symbols.size());
            }
            seriesOffsets = new long[Math.max(1, series.size())];
        }

        private void begin(SectionWriter index, int section) {
            index.resetCrc();
            tocOffset[section] = index.position();
        }

        private void end(SectionWriter index, int section) {
            tocLength[section] = index.position() - tocOffset[section];
            tocCrc[section] = index.crc();
        }

        void writeSymbols(SectionWriter index) throws IOException {
            begin(index, 0);
            index.writeUvarint(symbolSet.size());
            for (String sym : symbolSet) {
                index.writeString(sym);
            }
            end(index, 0);
        }

        /** Series, writing their chunks as they go; series without samples in range are left out. */
        void writeSeries(SectionWriter index, SectionWriter chunks, List<? extends SeriesSource> series)
                throws IOException {
            begin(index, 1);
            Labels previous = null;
            for (SeriesSource s : series) {
                Labels labels = s.labels();
                if (previous != null && previous.compareTo(labels) >= 0) {
                    throw new IllegalArgumentException("BUG: block series not strictly sorted: " + previous + ", "
                            + labels);
                }
                previous = labels;
                writeChunks(chunks, s.samples());
                if (!metas.isEmpty()) {
                    writeSeriesEntry(index, labels);
                }
            }
            end(index, 1);
        }

        /** The series' samples in range as chunks; their {minT, maxT, ref} in {@link #metas}. */
        private void writeChunks(SectionWriter chunks, SampleIterator it) throws IOException {
            metas.clear();
            int n = 0;
            boolean more = it.seek(minT);
            while (more && it.timestamp() < maxT) {
                cts[n] = it.timestamp();
                cvs[n] = it.value();
                n++;
                if (n == SAMPLES_PER_CHUNK) {
                    flush(chunks, n);
                    n = 0;
                }
                more = it.next();
            }
            if (n > 0) {
                flush(chunks, n);
            }
        }

        private void flush(SectionWriter chunks, int n) throws IOException {
            TimestampColumn column = n >= MIN_SHARED_TIMESTAMPS
                    ? new TimestampColumn(java.util.Arrays.copyOf(cts, n)) : null;
            Long shared = column == null ? null : sharedTimestamps.get(column);
            long[] meta = writeChunk(chunks, encoder.encode(cts, cvs, n, shared == null ? -1 : shared), cts[0],
                    cts[n - 1], chunkCrc);
            if (column != null && shared == null && sharedLongs + n <= MAX_SHARED_TIMESTAMPS) {
                sharedTimestamps.put(column, meta[2]);
                sharedLongs += n;
            }
            metas.add(meta);
            samples += n;
            firstT = Math.min(firstT, cts[0]);
        }

        private void writeSeriesEntry(SectionWriter index, Labels labels) throws IOException {
            chunkCount += metas.size();
            seriesOffsets[seriesCount] = index.position();
            index.writeUvarint(labels.size());
            for (int i = 0; i < labels.size(); i++) {
                index.writeUvarint(symbols.get(labels.name(i)));
                index.writeUvarint(symbols.get(labels.value(i)));
                postings.computeIfAbsent(labels.name(i), k -> new TreeMap<>())
                        .computeIfAbsent(labels.value(i), k -> new RoaringBitmap()).add(seriesCount);
            }
            index.writeUvarint(metas.size());
            long prevMax = 0;
            long prevRef = 0;
            for (long[] m : metas) {
                index.writeVarint(m[0] - prevMax);
                index.writeUvarint(m[1] - m[0]);
                index.writeUvarint(m[2] - prevRef);
                prevMax = m[1];
                prevRef = m[2];
            }
            seriesCount++;
        }

        /** Series offsets, fixed width for lookups by id. */
        void writeSeriesOffsets(SectionWriter index) throws IOException {
            begin(index, 2);
            for (int i = 0; i < seriesCount; i++) {
                index.writeLong(seriesOffsets[i]);
            }
            end(index, 2);
        }

        /** Postings bitmaps, then the table that finds them. */
        void writePostings(SectionWriter index) throws IOException {
            begin(index, 3);
            List<long[]> table = new ArrayList<>();
            for (TreeMap<String, RoaringBitmap> values : postings.values()) {
                for (RoaringBitmap b : values.values()) {
                    b.runOptimize();
                    ByteBuffer bb = ByteBuffer.allocate(b.serializedSizeInBytes());
                    b.serialize(bb);
                    table.add(new long[] {index.position(), bb.capacity()});
                    index.write(bb.array());
                }
            }
            end(index, 3);

            begin(index, 4);
            index.writeUvarint(postings.size());
            Iterator<long[]> rows = table.iterator();
            for (Map.Entry<String, TreeMap<String, RoaringBitmap>> name : postings.entrySet()) {
                index.writeUvarint(symbols.get(name.getKey()));
                index.writeUvarint(name.getValue().size());
                for (String value : name.getValue().keySet()) {
                    long[] row = rows.next();
                    index.writeUvarint(symbols.get(value));
                    index.writeUvarint(row[0]);
                    index.writeUvarint(row[1]);
                }
            }
            end(index, 4);
        }

        void writeToc(SectionWriter index) throws IOException {
            index.resetCrc();
            for (int i = 0; i < SECTIONS; i++) {
                index.writeLong(tocOffset[i]);
                index.writeLong(tocLength[i]);
                index.writeInt(tocCrc[i]);
            }
            index.writeInt(index.crc());
            index.write(new byte[] {'S', 'L', 'I', 'X'});
        }
    }

    /**
     * Writes one chunk record (length, encoding byte and bytes, CRC32C of those); returns {minT, maxT,
     * ref}.
     */
    private static long[] writeChunk(SectionWriter out, EncodedChunk chunk, long minT, long maxT, CRC32C crc)
            throws IOException {
        byte[] bytes = chunk.bytes();
        int encoding = chunk.encoding();
        long ref = out.position();
        out.writeUvarint(bytes.length + 1);
        out.writeByte(encoding);
        out.write(bytes);
        crc.reset();
        crc.update(encoding);
        crc.update(bytes, 0, bytes.length);
        out.writeInt((int) crc.getValue());
        return new long[] {minT, maxT, ref};
    }

    /** Forces a directory's entries to disk where the file system allows. */
    public static void forceDir(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some file systems cannot sync a directory; the files' own fsync still covers their data
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            Iterator<Path> it = walk.sorted(java.util.Comparator.reverseOrder()).iterator();
            while (it.hasNext()) {
                Files.deleteIfExists(it.next());
            }
        }
    }
}
