package io.sightline.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.chunk.DecimalChunk;
import io.sightline.tsdb.chunk.FloatChunk;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockTest {
    @TempDir
    Path dir;

    /** Series name -> samples (t -> value bits), what a block should hold. */
    private final TreeMap<Labels, TreeMap<Long, Long>> expected = new TreeMap<>();

    private static Labels labels(String... kv) {
        Labels.Builder b = Labels.builder();
        for (int i = 0; i < kv.length; i += 2) {
            b.set(kv[i], kv[i + 1]);
        }
        return b.build();
    }

    private BlockMeta writeRandom(long seed, int seriesCount, long minT, long maxT) throws Exception {
        return writeRandom(seed, seriesCount, minT, maxT, 700);
    }

    private BlockMeta writeRandom(long seed, int seriesCount, long minT, long maxT, int maxSamples) throws Exception {
        Random r = new Random(seed);
        for (int s = 0; s < seriesCount; s++) {
            Labels l = labels("__name__", "m" + (s % 3), "job", "j" + (s % 5), "inst", "i" + s);
            TreeMap<Long, Long> samples = new TreeMap<>();
            long t = minT - 50_000 + r.nextInt(100_000);
            int n = r.nextInt(maxSamples);
            for (int i = 0; i < n; i++) {
                double v = switch (r.nextInt(8)) {
                    case 0 -> StaleNaN.VALUE;
                    case 1 -> Double.NaN;
                    default -> r.nextInt(3) == 0 ? r.nextGaussian() : i;
                };
                samples.put(t, Double.doubleToRawLongBits(v));
                t += 1 + r.nextInt(30_000);
            }
            expected.put(l, samples);
        }
        List<BlockWriter.SeriesSource> sources = expectedSources();
        // What the block holds: only [minT, maxT).
        for (TreeMap<Long, Long> s : expected.values()) {
            s.headMap(minT).clear();
            s.tailMap(maxT).clear();
        }
        expected.values().removeIf(TreeMap::isEmpty);
        return BlockWriter.write(dir, minT, maxT, 1, List.of(), sources);
    }

    /**
     * Blocks written before the planes encoding hold decimal and float chunks (and shared timestamp columns
     * in both): they are still read, and a rewrite (a compaction) turns every chunk into planes.
     */
    @Test
    void blocksOfTheEarlierEncodings_areRead_andRewrittenAsPlanes() throws Exception {
        Random r = new Random(2026_12_06L);
        for (int s = 0; s < 24; s++) {
            Labels l = labels("__name__", "m", "instance", "i" + (s % 4), "s", String.format("%02d", s));
            TreeMap<Long, Long> samples = new TreeMap<>();
            long counter = 0;
            // Series of one instance have the same timestamps: columns shared by decimal and float chunks.
            Random times = new Random(s % 4);
            long t = 1_000_000;
            for (int i = 0; i < 2500; i++) {
                t += 14_990 + times.nextInt(20);
                counter += r.nextInt(100);
                double v = switch (s % 3) {
                    case 0 -> counter;
                    case 1 -> counter / 100.0;
                    default -> i % 97 == 5 ? StaleNaN.VALUE : r.nextGaussian();
                };
                samples.put(t, Double.doubleToRawLongBits(v));
            }
            expected.put(l, samples);
        }
        List<BlockWriter.SeriesSource> sources = expectedSources();
        BlockMeta old = BlockWriter.write(dir, 0, Long.MAX_VALUE, 1, List.of(), sources, 0, EARLIER);
        Block b = Block.open(dir.resolve(old.id()));
        assertThat(encodings(b)).containsOnly(BlockWriter.ENCODING_DECIMAL, BlockWriter.ENCODING_FLOAT)
                .contains(BlockWriter.ENCODING_DECIMAL, BlockWriter.ENCODING_FLOAT);
        try (Querier q = b.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            assertThat(read(q, LabelMatcher.regex("__name__", ".+"))).isEqualTo(expected);
        }

        BlockMeta rewritten = BlockWriter.write(dir, 0, Long.MAX_VALUE, 2, List.of(old.id()), b.seriesSources());
        Block planes = Block.open(dir.resolve(rewritten.id()));
        assertThat(encodings(planes)).containsOnly(BlockWriter.ENCODING_PLANES);
        assertThat(rewritten.files().chunks()).isLessThan(old.files().chunks());
        try (Querier q = planes.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            assertThat(read(q, LabelMatcher.regex("__name__", ".+"))).isEqualTo(expected);
        }
    }

    /**
     * Read for presence only ({@link io.sightline.tsdb.SelectHints#presenceOnly()}, as {@code count} reads), a block
     * gives every sample's timestamp and every stale marker as they are, the values of chunks of decimals as 0
     * (not decoded), and the values of other chunks as they are: in the earlier encodings and in planes, with
     * iterators reused series after series and read in batches, as queries read them.
     */
    @Test
    void presenceOnly_keepsTimestampsAndStaleMarkers_leavesDecimalValuesUndecoded() throws Exception {
        Random r = new Random(77);
        for (int s = 0; s < 18; s++) {
            Labels l = labels("__name__", "m", "instance", "i" + (s % 3), "s", String.format("%02d", s));
            TreeMap<Long, Long> samples = new TreeMap<>();
            long t = 1_000_000;
            for (int i = 0; i < 1500; i++) {
                t += 14_990 + r.nextInt(20);
                double v = switch (s % 3) {
                    case 0 -> i * 3; // decimal
                    case 1 -> i / 100.0; // decimal
                    default -> i % 41 == 7 ? StaleNaN.VALUE : r.nextGaussian(); // floats, stale markers among them
                };
                samples.put(t, Double.doubleToRawLongBits(v));
            }
            expected.put(l, samples);
        }
        List<BlockWriter.SeriesSource> sources = expectedSources();
        BlockMeta old = BlockWriter.write(dir, 0, Long.MAX_VALUE, 1, List.of(), sources, 0, EARLIER);
        BlockMeta planes = BlockWriter.write(dir, 0, Long.MAX_VALUE, 2, List.of(), sources);
        for (BlockMeta meta : List.of(old, planes)) {
            Block b = Block.open(dir.resolve(meta.id()));
            long mint = 5_000_000 + r.nextInt(1_000_000);
            long maxt = mint + 15_000_000;
            var hints = new io.sightline.tsdb.SelectHints(mint, maxt, 0, null, 0, List.of(), false, 0, true);
            try (Querier q = b.querier(mint, maxt)) {
                SeriesSet set = q.select(true, hints, LabelMatcher.equal("__name__", "m"));
                SampleIterator reuse = null;
                long[] ts = new long[97];
                double[] vs = new double[97];
                int seen = 0;
                while (set.next()) {
                    Labels l = set.at().labels();
                    boolean decimal = Integer.parseInt(l.get("s")) % 3 != 2;
                    TreeMap<Long, Long> want = new TreeMap<>(expected.get(l).subMap(mint, true, maxt, true));
                    reuse = set.at().iterator(reuse);
                    TreeMap<Long, Long> got = new TreeMap<>();
                    for (int k; (k = reuse.nextBatch(ts, vs, 0, ts.length)) > 0; ) {
                        for (int i = 0; i < k; i++) {
                            got.put(ts[i], Double.doubleToRawLongBits(vs[i]));
                        }
                    }
                    assertThat(got.keySet()).as("%s timestamps", l).isEqualTo(want.keySet());
                    for (Map.Entry<Long, Long> e : want.entrySet()) {
                        long bits = StaleNaN.is(Double.longBitsToDouble(e.getValue())) || !decimal ? e.getValue()
                                : Double.doubleToRawLongBits(0.0);
                        assertThat(got.get(e.getKey())).as("%s at %d", l, e.getKey()).isEqualTo(bits);
                    }
                    seen++;
                }
                assertThat(seen).isEqualTo(18);
            }
            try (Querier q = b.querier(mint, maxt)) {
                assertThat(read(q, LabelMatcher.equal("__name__", "m")).get(labels("__name__", "m", "instance", "i0",
                        "s", "00")).lastEntry().getValue()).as("without the hint, values as written").isNotZero();
            }
        }
    }

    /** The writer of blocks before the planes encoding: decimal chunks where the values allow, float chunks else. */
    private static final BlockWriter.ChunkEncoder EARLIER = (ts, vs, n, sharedRef) -> {
        byte[] decimal = DecimalChunk.encode(ts, vs, n, BlockWriter.ZSTD_LEVEL, sharedRef);
        return decimal != null ? new BlockWriter.EncodedChunk(BlockWriter.ENCODING_DECIMAL, decimal)
                : new BlockWriter.EncodedChunk(BlockWriter.ENCODING_FLOAT,
                        FloatChunk.encode(ts, vs, n, BlockWriter.ZSTD_LEVEL, sharedRef));
    };

    /** Sources of the {@link #expected} series, in label order. */
    private List<BlockWriter.SeriesSource> expectedSources() {
        List<BlockWriter.SeriesSource> sources = new ArrayList<>();
        for (Map.Entry<Labels, TreeMap<Long, Long>> e : expected.entrySet()) {
            sources.add(source(e.getKey(), e.getValue()));
        }
        return sources;
    }

    /** The encoding byte of every chunk record of the block. */
    private static List<Integer> encodings(Block b) throws Exception {
        byte[] chunks = Files.readAllBytes(b.dir().resolve("chunks"));
        List<Integer> out = new ArrayList<>();
        for (int id = 0; id < b.seriesCount(); id++) {
            for (long ref : b.series(id).refs()) {
                int at = (int) ref;
                while ((chunks[at++] & 0x80) != 0) {
                    // the record's varint length
                }
                out.add((int) chunks[at]);
            }
        }
        return out;
    }

    private static BlockWriter.SeriesSource source(Labels l, TreeMap<Long, Long> samples) {
        TreeMap<Long, Long> copy = new TreeMap<>(samples);
        return new BlockWriter.SeriesSource() {
            @Override
            public Labels labels() {
                return l;
            }

            @Override
            public SampleIterator samples() {
                long[] ts = new long[copy.size()];
                double[] vs = new double[copy.size()];
                int k = 0;
                for (Map.Entry<Long, Long> e : copy.entrySet()) {
                    ts[k] = e.getKey();
                    vs[k++] = Double.longBitsToDouble(e.getValue());
                }
                return new io.sightline.tsdb.ArraySampleIterator(ts, vs, ts.length);
            }
        };
    }

    private static Map<Labels, TreeMap<Long, Long>> read(Querier q, LabelMatcher... ms) {
        Map<Labels, TreeMap<Long, Long>> out = new TreeMap<>();
        SeriesSet set = q.select(true, null, ms);
        Labels previous = null;
        while (set.next()) {
            Labels l = set.at().labels();
            if (previous != null) {
                assertThat(l.compareTo(previous)).as("label order").isPositive();
            }
            previous = l;
            TreeMap<Long, Long> s = new TreeMap<>();
            SampleIterator it = set.at().iterator(null);
            while (it.next()) {
                s.put(it.timestamp(), Double.doubleToRawLongBits(it.value()));
            }
            out.put(l, s);
        }
        return out;
    }

    /**
     * One iterator reused series after series, as queries read: what it read ahead of one series' chunks serves
     * the series after it in the same file, and never a series of another file (two blocks read alternately,
     * in order, skipping, and backwards).
     */
    @Test
    void reusedIterators_readAheadAcrossSeries_ofTheirOwnFileOnly_seeded() throws Exception {
        BlockMeta metaA = writeRandom(11, 300, 1_000_000, 5_000_000, 120);
        Map<Labels, TreeMap<Long, Long>> wantA = new TreeMap<>(expected);
        expected.clear();
        BlockMeta metaB = writeRandom(12, 300, 1_000_000, 5_000_000, 120);
        Map<Labels, TreeMap<Long, Long>> wantB = new TreeMap<>(expected);
        Block a = Block.open(dir.resolve(metaA.id()));
        Block b = Block.open(dir.resolve(metaB.id()));
        try (Querier qa = a.querier(Long.MIN_VALUE, Long.MAX_VALUE);
                Querier qb = b.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            List<io.sightline.tsdb.Series> sa = all(qa);
            List<io.sightline.tsdb.Series> sb = all(qb);
            assertThat(sa).hasSize(wantA.size());
            assertThat(sb).hasSize(wantB.size());
            Random r = new Random(13);
            for (int round = 0; round < 40; round++) {
                SampleIterator reuse = null;
                int mode = r.nextInt(3);
                int stride = 1 + r.nextInt(4);
                for (int k = 0; k < Math.max(sa.size(), sb.size()); k += stride) {
                    int i = mode == 2 ? sa.size() - 1 - k : k;
                    for (int which = 0; which < (mode == 0 ? 2 : 1); which++) {
                        boolean fromA = mode != 0 || which == 0 ? r.nextInt(4) != 0 : false;
                        List<io.sightline.tsdb.Series> list = fromA ? sa : sb;
                        if (i < 0 || i >= list.size()) {
                            continue;
                        }
                        io.sightline.tsdb.Series s = list.get(i);
                        reuse = s.iterator(reuse);
                        TreeMap<Long, Long> got = new TreeMap<>();
                        while (reuse.next()) {
                            got.put(reuse.timestamp(), Double.doubleToRawLongBits(reuse.value()));
                        }
                        assertThat(got).as("round %d, series %d of %s", round, i, fromA ? "a" : "b")
                                .isEqualTo((fromA ? wantA : wantB).get(s.labels()));
                    }
                }
            }
        }
    }

    private static List<io.sightline.tsdb.Series> all(Querier q) {
        List<io.sightline.tsdb.Series> out = new ArrayList<>();
        SeriesSet set = q.select(true, null, LabelMatcher.regex("__name__", ".+"));
        while (set.next()) {
            out.add(set.at());
        }
        return out;
    }

    @Test
    void writtenBlock_readsBackBitExact_byAnyMatcherAndRange_seeded() throws Exception {
        BlockMeta meta = writeRandom(1, 200, 1_000_000, 5_000_000);
        Block b = Block.open(dir.resolve(meta.id()));
        assertThat(b.meta().stats().numSeries()).isEqualTo(expected.size());
        assertThat(b.meta().stats().numSamples()).isEqualTo(expected.values().stream().mapToLong(TreeMap::size).sum());
        assertThat(b.meta().maxTime()).isEqualTo(5_000_000);
        Random r = new Random(2);
        for (int round = 0; round < 60; round++) {
            long mint = 900_000 + r.nextInt(4_500_000);
            long maxt = mint + r.nextInt(3_000_000);
            LabelMatcher[] ms = switch (r.nextInt(5)) {
                case 0 -> new LabelMatcher[] {LabelMatcher.equal("__name__", "m" + r.nextInt(3))};
                case 1 -> new LabelMatcher[] {LabelMatcher.regex("job", "j1|j3"), LabelMatcher.notEqual("__name__", "m0")};
                case 2 -> new LabelMatcher[] {LabelMatcher.regex("inst", "i1.*"), LabelMatcher.notRegex("job", "j2")};
                case 3 -> new LabelMatcher[] {LabelMatcher.equal("job", "j4"), LabelMatcher.equal("absent", "")};
                default -> new LabelMatcher[] {LabelMatcher.equal("job", "nope")};
            };
            Map<Labels, TreeMap<Long, Long>> want = new TreeMap<>();
            for (Map.Entry<Labels, TreeMap<Long, Long>> e : expected.entrySet()) {
                boolean match = true;
                for (LabelMatcher m : ms) {
                    String v = e.getKey().get(m.name());
                    match &= m.matches(v == null ? "" : v);
                }
                TreeMap<Long, Long> in = new TreeMap<>(e.getValue().subMap(mint, true, maxt, true));
                if (match && !in.isEmpty()) {
                    want.put(e.getKey(), in);
                }
            }
            try (Querier q = b.querier(mint, maxt)) {
                assertThat(read(q, ms)).as("round %d [%d, %d]", round, mint, maxt).isEqualTo(want);
                List<String> values = new ArrayList<>();
                want.keySet().forEach(l -> {
                    if (!values.contains(l.get("job"))) {
                        values.add(l.get("job"));
                    }
                });
                values.sort(null);
                assertThat(q.labelValues("job", ms)).isEqualTo(values);
            }
        }
    }

    @Test
    void seek_skipsChunksAndNeverGoesBack_seeded() throws Exception {
        BlockMeta meta = writeRandom(3, 30, 0, 200_000_000, 7_000); // several chunks per series
        Block b = Block.open(dir.resolve(meta.id()));
        Random r = new Random(4);
        try (Querier q = b.querier(0, Long.MAX_VALUE)) {
            SeriesSet set = q.select(true, null, LabelMatcher.regex("__name__", "m.*"));
            while (set.next()) {
                TreeMap<Long, Long> want = expected.get(set.at().labels());
                SampleIterator it = set.at().iterator(null);
                long t = -1;
                long current = Long.MIN_VALUE;
                while (true) {
                    t += r.nextInt(4_000_000);
                    boolean has = it.seek(t);
                    Long next = want.ceilingKey(Math.max(t, current));
                    if (next == null) {
                        assertThat(has).isFalse();
                        break;
                    }
                    assertThat(has).isTrue();
                    assertThat(it.timestamp()).isEqualTo(next);
                    current = next;
                    if (r.nextBoolean() && it.next()) {
                        current = it.timestamp();
                        assertThat(current).isEqualTo(want.higherKey(next));
                    }
                }
            }
        }
    }

    @Test
    void tombstones_hideDeletedRanges_andSurviveReopen() throws Exception {
        BlockMeta meta = writeRandom(5, 40, 0, 10_000_000);
        Block b = Block.open(dir.resolve(meta.id()));
        b.delete(2_000_000, 4_000_000, LabelMatcher.equal("job", "j1"));
        b.delete(3_000_000, 6_000_000, LabelMatcher.equal("job", "j1"));
        b.delete(Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.equal("inst", "i2"));
        for (Map.Entry<Labels, TreeMap<Long, Long>> e : expected.entrySet()) {
            if (e.getKey().get("job").equals("j1")) {
                e.getValue().subMap(2_000_000L, true, 6_000_000L, true).clear();
            }
            if (e.getKey().get("inst").equals("i2")) {
                e.getValue().clear();
            }
        }
        expected.values().removeIf(TreeMap::isEmpty);
        for (Block open : List.of(b, Block.open(dir.resolve(meta.id())))) {
            try (Querier q = open.querier(0, Long.MAX_VALUE)) {
                assertThat(read(q, LabelMatcher.regex("__name__", ".+"))).isEqualTo(expected);
                assertThat(q.labelValues("inst")).doesNotContain("i2");
            }
        }
    }

    @Test
    void emptyRange_writesNoBlock() throws Exception {
        expected.put(labels("__name__", "x"), new TreeMap<>(Map.of(5L, 1L)));
        assertThat(BlockWriter.write(dir, 100, 200, 1, List.of(),
                List.of(source(labels("__name__", "x"), expected.firstEntry().getValue())))).isNull();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void corruptIndex_isDetectedAtOpen_corruptChunk_atRead() throws Exception {
        BlockMeta meta = writeRandom(6, 20, 0, 10_000_000);
        Path blockDir = dir.resolve(meta.id());
        byte[] original = Files.readAllBytes(blockDir.resolve("index"));
        Random r = new Random(7);
        for (int i = 0; i < 40; i++) {
            byte[] bad = original.clone();
            int at = r.nextInt(bad.length);
            bad[at] ^= (byte) (1 + r.nextInt(255));
            Files.write(blockDir.resolve("index"), bad);
            assertThatThrownBy(() -> Block.open(blockDir)).as("flipped byte %d", at)
                    .isInstanceOf(CorruptBlockException.class);
        }
        Files.write(blockDir.resolve("index"), original);
        Files.write(blockDir.resolve("index"), java.util.Arrays.copyOf(original, original.length - 3));
        assertThatThrownBy(() -> Block.open(blockDir)).isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining("meta.json says");
        Files.write(blockDir.resolve("index"), original);
        Files.writeString(blockDir.resolve("meta.json"), "{\"id\": 1");
        assertThatThrownBy(() -> Block.open(blockDir)).isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining("does not parse");
        Files.write(blockDir.resolve("meta.json"), meta.toJson());

        try (RandomAccessFile f = new RandomAccessFile(blockDir.resolve("chunks").toFile(), "rw")) {
            long pos = f.length() / 2;
            f.seek(pos);
            int v = f.read();
            f.seek(pos);
            f.write(v ^ 0x5A);
        }
        Block b = Block.open(blockDir);
        assertThatThrownBy(() -> {
            try (Querier q = b.querier(0, Long.MAX_VALUE)) {
                read(q, LabelMatcher.regex("__name__", ".+"));
            }
        }).isInstanceOf(CorruptBlockException.class).hasMessageContaining("checksum");
    }

    /**
     * Chunks are read by position with a read-ahead per series: records longer than the first read (noisy
     * floats, about 14 KB per 2,048 samples), series whose chunks span more than the largest read-ahead,
     * and seeks into the middle all read back exact, also once the files are deleted (a compacted block
     * still being queried) and from a thread that is interrupted meanwhile.
     */
    @Test
    void longNoisySeries_readBackExact_throughReadAhead_afterDeletion_andInterrupts() throws Exception {
        Random r = new Random(31);
        int[] lengths = {1, 2_047, 2_048, 2_049, 9_000, 60_000, 150_000};
        for (int s = 0; s < lengths.length; s++) {
            TreeMap<Long, Long> samples = new TreeMap<>();
            long t = 1_000;
            for (int i = 0; i < lengths[s]; i++) {
                double v = s % 2 == 0 ? r.nextGaussian() * 1e6 : (double) r.nextInt(1000);
                samples.put(t, Double.doubleToRawLongBits(v));
                t += 1 + r.nextInt(15_000);
            }
            expected.put(labels("__name__", "noisy", "s", "s" + s), samples);
        }
        List<BlockWriter.SeriesSource> sources = new ArrayList<>();
        expected.forEach((l, samples) -> sources.add(source(l, samples)));
        BlockMeta meta = BlockWriter.write(dir, 0, Long.MAX_VALUE, 1, List.of(), sources);
        Path blockDir = dir.resolve(meta.id());
        assertThat(meta.files().chunks()).as("chunks bytes").isGreaterThan(2L * ChunkFile.MAX_READ);
        Block b = Block.open(blockDir);
        try (Querier q = b.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            assertThat(read(q, LabelMatcher.equal("__name__", "noisy"))).isEqualTo(expected);
        }
        // Seeks land in later chunks, past what a first read brought.
        for (int round = 0; round < 200; round++) {
            Labels l = labels("__name__", "noisy", "s", "s" + r.nextInt(lengths.length));
            TreeMap<Long, Long> want = expected.get(l);
            long target = want.firstKey() + (long) (r.nextDouble() * (want.lastKey() - want.firstKey() + 10));
            try (Querier q = b.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
                SeriesSet set = q.select(true, null, LabelMatcher.equal("s", l.get("s")));
                assertThat(set.next()).isTrue();
                SampleIterator it = set.at().iterator(null);
                Map.Entry<Long, Long> at = want.ceilingEntry(target);
                assertThat(it.seek(target)).as("seek %d in %s", target, l).isEqualTo(at != null);
                if (at != null) {
                    assertThat(it.timestamp()).isEqualTo(at.getKey());
                    assertThat(Double.doubleToRawLongBits(it.value())).isEqualTo(at.getValue());
                    Map.Entry<Long, Long> next = want.higherEntry(at.getKey());
                    assertThat(it.next()).isEqualTo(next != null);
                    if (next != null) {
                        assertThat(it.timestamp()).isEqualTo(next.getKey());
                    }
                }
            }
        }
        // A thread interrupted while it reads: its reads complete, and the others' too.
        Thread.currentThread().interrupt();
        try (Querier q = b.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            assertThat(read(q, LabelMatcher.equal("__name__", "noisy"))).isEqualTo(expected);
        }
        assertThat(Thread.interrupted()).as("interrupt status kept").isTrue();
        try (Querier q = b.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            assertThat(read(q, LabelMatcher.equal("__name__", "noisy"))).isEqualTo(expected);
        }
        // The block's files deleted under it (compaction dropped it while a query still runs).
        Files.delete(blockDir.resolve("chunks"));
        try (Querier q = b.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            assertThat(read(q, LabelMatcher.equal("__name__", "noisy"))).isEqualTo(expected);
        }
    }

    /**
     * Series scraped from one target have the same timestamps; the block stores them once. Written with
     * jittered timestamps (which cost most), read back exact, also seeking, after a rewrite (compaction),
     * and with every offset of the file tried as a record.
     */
    @Test
    void seriesOfOneTarget_shareTimestamps_andReadBackExact() throws Exception {
        Random r = new Random(41);
        int targets = 3;
        int perTarget = 40;
        TreeMap<Labels, TreeMap<Long, Long>> unshared = new TreeMap<>();
        for (int target = 0; target < targets; target++) {
            long[] ts = new long[5000];
            long t = 1_000_000;
            for (int i = 0; i < ts.length; i++) {
                t += 15_000;
                ts[i] = t + r.nextInt(5) - 2;
            }
            for (int s = 0; s < perTarget; s++) {
                TreeMap<Long, Long> samples = new TreeMap<>();
                TreeMap<Long, Long> apart = new TreeMap<>();
                double v = 0;
                for (int i = 0; i < ts.length; i++) {
                    v = s % 8 == 0 ? r.nextGaussian() : v + r.nextInt(10);
                    samples.put(ts[i], Double.doubleToRawLongBits(v));
                    // the same but for one timestamp per chunk: each series keeps its own
                    apart.put(i % 2048 == 1000 ? ts[i] + 1 + s : ts[i], Double.doubleToRawLongBits(v));
                }
                Labels l = labels("__name__", "m" + s, "instance", "t" + target);
                expected.put(l, samples);
                unshared.put(l, apart);
            }
        }
        List<BlockWriter.SeriesSource> sources = new ArrayList<>();
        expected.forEach((l, samples) -> sources.add(source(l, samples)));
        BlockMeta meta = BlockWriter.write(dir, 0, Long.MAX_VALUE, 1, List.of(), sources);
        List<BlockWriter.SeriesSource> apartSources = new ArrayList<>();
        unshared.forEach((l, samples) -> apartSources.add(source(l, samples)));
        BlockMeta apart = BlockWriter.write(dir, 0, Long.MAX_VALUE, 1, List.of(), apartSources);
        assertThat((double) meta.files().chunks() / apart.files().chunks())
                .as("chunk bytes with shared timestamps against each series its own").isLessThan(0.85);

        Block b = Block.open(dir.resolve(meta.id()));
        try (Querier q = b.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            assertThat(read(q, LabelMatcher.regex("__name__", ".+"))).isEqualTo(expected);
        }
        for (int round = 0; round < 100; round++) {
            Labels l = labels("__name__", "m" + r.nextInt(perTarget), "instance", "t" + r.nextInt(targets));
            TreeMap<Long, Long> want = expected.get(l);
            long target = want.firstKey() + (long) (r.nextDouble() * (want.lastKey() - want.firstKey()));
            try (Querier q = b.querier(target, Long.MAX_VALUE)) {
                SeriesSet set = q.select(true, null, LabelMatcher.equal("__name__", l.get("__name__")),
                        LabelMatcher.equal("instance", l.get("instance")));
                assertThat(set.next()).isTrue();
                SampleIterator it = set.at().iterator(null);
                assertThat(it.seek(target)).isTrue();
                assertThat(it.timestamp()).isEqualTo(want.ceilingKey(target));
                assertThat(Double.doubleToRawLongBits(it.value())).isEqualTo(want.ceilingEntry(target).getValue());
            }
        }
        BlockMeta rewritten = BlockWriter.write(dir, 0, Long.MAX_VALUE, 2, List.of(meta.id()), b.seriesSources());
        assertThat(rewritten.files().chunks()).isEqualTo(meta.files().chunks());
        try (Querier q = Block.open(dir.resolve(rewritten.id())).querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            assertThat(read(q, LabelMatcher.regex("__name__", ".+"))).isEqualTo(expected);
        }
        ChunkFile chunks = b.chunks();
        // The first records: the first series of each target (timestamps of their own) and others sharing.
        for (long at = BlockWriter.CHUNKS_MAGIC.length; at < Math.min(40_000, meta.files().chunks()); at++) {
            try {
                SampleIterator it = chunks.iterator(at, at + ChunkFile.MIN_READ, new ChunkFile.ReadAhead());
                while (it.next()) {
                    it.value();
                }
            } catch (CorruptBlockException expected) {
                assertThat(expected.getMessage()).contains("chunks");
            }
        }
    }

    @Test
    void chunkRecordLengths_outsideTheFile_areCorruption() throws Exception {
        BlockMeta meta = writeRandom(8, 5, 0, 10_000_000);
        Path blockDir = dir.resolve(meta.id());
        Block b = Block.open(blockDir);
        ChunkFile chunks = b.chunks();
        assertThatThrownBy(() -> chunks.iterator(meta.files().chunks(), 0, new ChunkFile.ReadAhead()))
                .isInstanceOf(CorruptBlockException.class).hasMessageContaining("outside the file");
        assertThatThrownBy(() -> chunks.iterator(2, 0, new ChunkFile.ReadAhead()))
                .isInstanceOf(CorruptBlockException.class).hasMessageContaining("outside the file");
        // every offset of the file read as a record start either reads a chunk or reports corruption
        ChunkFile.ReadAhead shared = new ChunkFile.ReadAhead();
        for (long at = BlockWriter.CHUNKS_MAGIC.length; at < meta.files().chunks(); at++) {
            try {
                chunks.iterator(at, meta.files().chunks(), at % 2 == 0 ? shared : new ChunkFile.ReadAhead());
            } catch (CorruptBlockException expected) {
                assertThat(expected.getMessage()).contains(blockDir.resolve("chunks").toString());
            }
        }
    }

    @Test
    void decoderErrors_nameTheSection_andTheSeriesEntry() {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(new byte[] {(byte) 0x80});
        assertThatThrownBy(() -> new Decoder(buf, 0, 1, "b/index", 7).getUvarint())
                .isInstanceOf(CorruptBlockException.class).hasMessage("b/index series 7: truncated at byte 1");
        assertThatThrownBy(() -> new Decoder(buf, 0, 1, "b/index symbols").getUvarint())
                .isInstanceOf(CorruptBlockException.class).hasMessage("b/index symbols: truncated at byte 1");
        assertThatThrownBy(() -> new Decoder(buf, 0, 2, "b/index", 3))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessage("b/index series 3: section [0, 2) outside the file");
    }
}
