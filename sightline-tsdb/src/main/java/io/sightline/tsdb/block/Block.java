package io.sightline.tsdb.block;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Querier;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.roaringbitmap.buffer.ImmutableRoaringBitmap;
import org.roaringbitmap.buffer.MutableRoaringBitmap;

/**
 * An open block. The index is memory-mapped and checked whole against its checksums at open; symbols
 * and the postings table are decoded to the heap, series entries and postings bitmaps are read from
 * the map when a query needs them. Chunks are read from their file by position ({@link ChunkFile}) and
 * checked by CRC when read. Thread-safe; {@link #delete}
 * is serialised.
 */
public final class Block {
    private final Path dir;
    /** {@code <dir>/index}, for error messages. */
    private final String indexName;
    private final BlockMeta meta;
    private final MappedByteBuffer index;
    private final String[] symbols;
    /** Label name -> its values (sorted) with the position and length of each value's bitmap. */
    private final TreeMap<String, Values> postings;
    private final int seriesCount;
    private final int seriesOffsetsAt;
    private final ChunkFile chunks;
    private volatile Tombstones tombstones;

    private record Values(String[] values, int[] offsets, int[] lengths) {}

    /** A series entry: labels and chunk metas. */
    record SeriesEntry(Labels labels, long[] minT, long[] maxT, long[] refs) {}

    private Block(Path dir, BlockMeta meta, MappedByteBuffer index, String[] symbols, TreeMap<String, Values> postings,
            int seriesCount, int seriesOffsetsAt, ChunkFile chunks, Tombstones tombstones) {
        this.dir = dir;
        this.indexName = dir + "/index";
        this.meta = meta;
        this.index = index;
        this.symbols = symbols;
        this.postings = postings;
        this.seriesCount = seriesCount;
        this.seriesOffsetsAt = seriesOffsetsAt;
        this.chunks = chunks;
        this.tombstones = tombstones;
    }

    /**
     * Opens the block in {@code dir}, verifying meta, sizes and the index checksums.
     *
     * @throws CorruptBlockException naming what is wrong, if anything fails a check
     */
    public static Block open(Path dir) throws IOException {
        BlockMeta meta = BlockMeta.read(dir.resolve("meta.json"));
        if (!meta.id().equals(dir.getFileName().toString())) {
            throw new CorruptBlockException(dir + ": meta.json names block " + meta.id());
        }
        Path indexFile = dir.resolve("index");
        MappedByteBuffer index;
        try (FileChannel ch = FileChannel.open(indexFile, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size != meta.files().index()) {
                throw new CorruptBlockException(indexFile + " is " + size + " bytes, meta.json says " + meta.files().index());
            }
            if (size > Integer.MAX_VALUE) {
                throw new CorruptBlockException(indexFile + " is larger than 2 GiB, which this version cannot read");
            }
            if (size < BlockWriter.INDEX_MAGIC.length + BlockWriter.TOC_BYTES) {
                throw new CorruptBlockException(indexFile + " is too short to be an index");
            }
            index = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        String what = indexFile.toString();
        byte[] magic = new byte[BlockWriter.INDEX_MAGIC.length];
        index.get(0, magic);
        int size = index.limit();
        byte[] endMagic = new byte[4];
        index.get(size - 4, endMagic);
        if (!Arrays.equals(magic, BlockWriter.INDEX_MAGIC) || !Arrays.equals(endMagic, new byte[] {'S', 'L', 'I', 'X'})) {
            throw new CorruptBlockException(what + " is not a block index (bad magic)");
        }
        int tocAt = size - BlockWriter.TOC_BYTES;
        CRC32C crc = new CRC32C();
        crc.update(index.slice(tocAt, BlockWriter.SECTIONS * 20));
        if ((int) crc.getValue() != index.getInt(size - 8)) {
            throw new CorruptBlockException(what + ": table of contents fails its checksum");
        }
        int[] off = new int[BlockWriter.SECTIONS];
        int[] len = new int[BlockWriter.SECTIONS];
        String[] names = {"symbols", "series", "series offsets", "postings", "postings table"};
        for (int i = 0; i < BlockWriter.SECTIONS; i++) {
            long o = index.getLong(tocAt + i * 20);
            long l = index.getLong(tocAt + i * 20 + 8);
            int sum = index.getInt(tocAt + i * 20 + 16);
            if (o < BlockWriter.INDEX_MAGIC.length || l < 0 || o + l > tocAt) {
                throw new CorruptBlockException(what + ": " + names[i] + " section out of bounds");
            }
            off[i] = (int) o;
            len[i] = (int) l;
            crc.reset();
            crc.update(index.slice(off[i], len[i]));
            if ((int) crc.getValue() != sum) {
                throw new CorruptBlockException(what + ": " + names[i] + " section fails its checksum");
            }
        }
        Decoder d = new Decoder(index, off[0], off[0] + len[0], what + " symbols");
        String[] symbols = new String[d.getCount(len[0])];
        for (int i = 0; i < symbols.length; i++) {
            // Interned: blocks and the head share their label strings, which compare by identity.
            symbols[i] = d.getString().intern();
        }
        if (len[2] % 8 != 0) {
            throw new CorruptBlockException(what + ": series offsets section is not a whole number of entries");
        }
        int seriesCount = len[2] / 8;
        if (seriesCount != meta.stats().numSeries()) {
            throw new CorruptBlockException(what + " holds " + seriesCount + " series, meta.json says "
                    + meta.stats().numSeries());
        }
        TreeMap<String, Values> postings = new TreeMap<>();
        d = new Decoder(index, off[4], off[4] + len[4], what + " postings table");
        int nameCount = d.getCount(symbols.length);
        for (int i = 0; i < nameCount; i++) {
            String name = symbol(symbols, d.getCount(Integer.MAX_VALUE), what);
            int valueCount = d.getCount(symbols.length);
            String[] values = new String[valueCount];
            int[] offsets = new int[valueCount];
            int[] lengths = new int[valueCount];
            for (int v = 0; v < valueCount; v++) {
                values[v] = symbol(symbols, d.getCount(Integer.MAX_VALUE), what);
                offsets[v] = d.getCount(size);
                lengths[v] = d.getCount(size);
                if (offsets[v] < off[3] || (long) offsets[v] + lengths[v] > off[3] + (long) len[3]) {
                    throw new CorruptBlockException(what + ": postings of " + name + "=" + values[v] + " out of bounds");
                }
            }
            postings.put(name, new Values(values, offsets, lengths));
        }
        ChunkFile chunks = ChunkFile.open(dir.resolve("chunks"), meta.files().chunks());
        Tombstones tombstones = Tombstones.read(dir.resolve("tombstones"));
        return new Block(dir, meta, index, symbols, postings, seriesCount, off[2], chunks, tombstones);
    }

    private static String symbol(String[] symbols, int i, String what) {
        if (i >= symbols.length) {
            throw new CorruptBlockException(what + ": symbol " + i + " out of range");
        }
        return symbols[i];
    }

    public BlockMeta meta() {
        return meta;
    }

    public Path dir() {
        return dir;
    }

    /** Bytes on disk (index, chunks, meta, tombstones). */
    public long sizeBytes() {
        long n = meta.files().index() + meta.files().chunks();
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String f = p.getFileName().toString();
                if (!f.equals("index") && !f.equals("chunks")) {
                    n += Files.size(p);
                }
            }
        } catch (IOException ignored) {
            // a block being deleted: its known files are counted
        }
        return n;
    }

    int seriesCount() {
        return seriesCount;
    }

    Tombstones tombstones() {
        return tombstones;
    }

    ChunkFile chunks() {
        return chunks;
    }

    SeriesEntry series(int id) {
        Decoder d = seriesDecoder(id);
        Labels labels = labels(d);
        int c = d.getCount(index.limit());
        long[] minT = new long[c];
        long[] maxT = new long[c];
        long[] refs = new long[c];
        long prevMax = 0;
        long prevRef = 0;
        for (int i = 0; i < c; i++) {
            minT[i] = prevMax + d.getVarint();
            maxT[i] = minT[i] + d.getUvarint();
            refs[i] = prevRef + d.getUvarint();
            prevMax = maxT[i];
            prevRef = refs[i];
        }
        return new SeriesEntry(labels, minT, maxT, refs);
    }

    /** The labels of series {@code id}, without its chunk list. */
    Labels labels(int id) {
        return labels(seriesDecoder(id));
    }

    private Decoder seriesDecoder(int id) {
        long at = index.getLong(seriesOffsetsAt + id * 8);
        if (at < BlockWriter.INDEX_MAGIC.length || at >= index.limit()) {
            throw new CorruptBlockException(dir + "/index: series " + id + " offset out of bounds");
        }
        return new Decoder(index, (int) at, index.limit(), indexName, id);
    }

    private Labels labels(Decoder d) {
        int n = d.getCount(symbols.length);
        Labels.Builder b = Labels.builder();
        for (int i = 0; i < n; i++) {
            String name = symbol(symbols, d.getCount(Integer.MAX_VALUE), indexName);
            b.set(name, symbol(symbols, d.getCount(Integer.MAX_VALUE), indexName));
        }
        return b.build();
    }

    private ImmutableRoaringBitmap bitmap(Values v, int i) {
        ByteBuffer slice = index.slice(v.offsets[i], v.lengths[i]);
        return new ImmutableRoaringBitmap(slice);
    }

    private MutableRoaringBitmap all() {
        MutableRoaringBitmap b = new MutableRoaringBitmap();
        b.add(0L, (long) seriesCount);
        return b;
    }

    /** Ids of the series matching every matcher (all when none), with the head's semantics for empty matches. */
    MutableRoaringBitmap select(LabelMatcher... matchers) {
        MutableRoaringBitmap result = null;
        for (int pass = 0; pass < 2; pass++) {
            for (LabelMatcher m : matchers) {
                if ((pass == 0) == m.matchesEmpty()) {
                    continue;
                }
                MutableRoaringBitmap r = resolve(m);
                result = result == null ? r : MutableRoaringBitmap.and(result, r);
                if (result.isEmpty()) {
                    return result;
                }
            }
        }
        return result == null ? all() : result;
    }

    private MutableRoaringBitmap resolve(LabelMatcher m) {
        Values values = postings.get(m.name());
        boolean wantMatching = !m.matchesEmpty();
        if (values == null) {
            return wantMatching ? new MutableRoaringBitmap() : all();
        }
        if (m.type() == LabelMatcher.Type.EQUAL || m.type() == LabelMatcher.Type.NOT_EQUAL) {
            int i = Arrays.binarySearch(values.values, m.value());
            if (m.type() == LabelMatcher.Type.EQUAL && wantMatching) {
                return i < 0 ? new MutableRoaringBitmap() : bitmap(values, i).toMutableRoaringBitmap();
            }
            if (m.type() == LabelMatcher.Type.NOT_EQUAL && !wantMatching) {
                return i < 0 ? all() : ImmutableRoaringBitmap.andNot(all(), bitmap(values, i));
            }
        }
        List<ImmutableRoaringBitmap> parts = new ArrayList<>();
        for (int i = 0; i < values.values.length; i++) {
            if (m.matches(values.values[i]) == wantMatching) {
                parts.add(bitmap(values, i));
            }
        }
        MutableRoaringBitmap union = ImmutableRoaringBitmap.or(parts.iterator());
        return wantMatching ? union : ImmutableRoaringBitmap.andNot(all(), union);
    }

    /** Sorted label names, and per name the values with their series ids, for label lookups. */
    List<String> names() {
        return new ArrayList<>(postings.keySet());
    }

    /** The values of {@code name}, sorted, each with its series ids. */
    List<Map.Entry<String, ImmutableRoaringBitmap>> values(String name) {
        Values v = postings.get(name);
        List<Map.Entry<String, ImmutableRoaringBitmap>> out = new ArrayList<>();
        if (v != null) {
            for (int i = 0; i < v.values.length; i++) {
                out.add(Map.entry(v.values[i], bitmap(v, i)));
            }
        }
        return out;
    }

    /**
     * Every series of the block in label order, with all its samples, deletions applied: what a compaction
     * reads. A source holds only its labels: its chunk list is read when its samples are (a compaction lists
     * the series of all its blocks before it writes, and their chunk lists were most of the memory it held).
     */
    public List<BlockWriter.SeriesSource> seriesSources() {
        List<BlockWriter.SeriesSource> out = new ArrayList<>(seriesCount);
        for (int id = 0; id < seriesCount; id++) {
            out.add(new Source(this, id, labels(id)));
        }
        return out;
    }

    /** Series {@code id} of a block as a source for a block writer. */
    record Source(Block block, int id, Labels labels) implements BlockWriter.SeriesSource {
        @Override
        public io.sightline.tsdb.SampleIterator samples() {
            return block.samples(id);
        }
    }

    /** Every sample of series {@code id}, deleted ranges left out. */
    io.sightline.tsdb.SampleIterator samples(int id) {
        SeriesEntry e = series(id);
        return new BlockQuerier.ChunksIterator(chunks, e.maxT(), e.refs(), Long.MIN_VALUE, Long.MAX_VALUE,
                tombstones.of(id), new ChunkFile.ReadAhead());
    }

    /** Whether some samples are marked deleted (a compaction then rewrites the block without them). */
    public boolean hasTombstones() {
        return !tombstones.isEmpty();
    }

    /**
     * Per-metric retention: marks deleted the samples before {@code ruleCutoffs[i]} of the series whose
     * first matching rule is {@code rules.get(i)}, and before {@code defaultCutoff} of the series no
     * rule matches ({@code Long.MIN_VALUE}: keep everything). Durable when it returns.
     *
     * @return whether anything new was marked
     */
    public synchronized boolean retain(List<List<LabelMatcher>> rules, long[] ruleCutoffs, long defaultCutoff)
            throws IOException {
        MutableRoaringBitmap claimed = new MutableRoaringBitmap();
        Map<Integer, long[]> added = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            MutableRoaringBitmap ids = select(rules.get(i).toArray(new LabelMatcher[0]));
            ids.andNot(claimed);
            claimed.or(ids);
            markBefore(ids, ruleCutoffs[i], added);
        }
        MutableRoaringBitmap rest = all();
        rest.andNot(claimed);
        markBefore(rest, defaultCutoff, added);
        if (added.isEmpty()) {
            return false;
        }
        Tombstones next = tombstones.with(added);
        next.write(dir.resolve("tombstones"));
        tombstones = next;
        return true;
    }

    private void markBefore(MutableRoaringBitmap ids, long cutoff, Map<Integer, long[]> added) {
        if (cutoff == Long.MIN_VALUE || cutoff <= meta.minTime()) {
            return;
        }
        var it = ids.getIntIterator();
        while (it.hasNext()) {
            int id = it.next();
            long[] existing = tombstones.of(id);
            if (existing != null && existing[0] == Long.MIN_VALUE && existing[1] >= cutoff - 1) {
                continue;
            }
            SeriesEntry e = series(id);
            if (e.minT().length > 0 && e.minT()[0] < cutoff) {
                added.put(id, new long[] {Long.MIN_VALUE, cutoff - 1});
            }
        }
    }

    /** A querier over {@code [mint, maxt]}. */
    public Querier querier(long mint, long maxt) {
        return new BlockQuerier(this, mint, maxt);
    }

    /**
     * Marks the samples with {@code mint <= t <= maxt} of the matching series deleted (tombstones,
     * durable when this returns); the samples disappear from queries and compaction drops them.
     */
    public synchronized void delete(long mint, long maxt, LabelMatcher... matchers) throws IOException {
        if (!meta.overlaps(mint, maxt)) {
            return;
        }
        Map<Integer, long[]> added = new HashMap<>();
        var it = select(matchers).getIntIterator();
        while (it.hasNext()) {
            int id = it.next();
            SeriesEntry e = series(id);
            for (int c = 0; c < e.minT().length; c++) {
                if (e.maxT()[c] >= mint && e.minT()[c] <= maxt) {
                    added.put(id, new long[] {mint, maxt});
                    break;
                }
            }
        }
        if (added.isEmpty()) {
            return;
        }
        Tombstones next = tombstones.with(added);
        next.write(dir.resolve("tombstones"));
        tombstones = next;
    }

    @Override
    public String toString() {
        return "block " + meta.id() + " [" + meta.minTime() + ", " + meta.maxTime() + ")";
    }
}
