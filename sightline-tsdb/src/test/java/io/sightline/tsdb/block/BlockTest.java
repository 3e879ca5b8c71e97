package io.sightline.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StaleNaN;
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
        List<BlockWriter.SeriesSource> sources = new ArrayList<>();
        for (Map.Entry<Labels, TreeMap<Long, Long>> e : expected.entrySet()) {
            sources.add(source(e.getKey(), e.getValue()));
        }
        // What the block holds: only [minT, maxT).
        for (TreeMap<Long, Long> s : expected.values()) {
            s.headMap(minT).clear();
            s.tailMap(maxT).clear();
        }
        expected.values().removeIf(TreeMap::isEmpty);
        return BlockWriter.write(dir, minT, maxT, 1, List.of(), sources);
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
}
