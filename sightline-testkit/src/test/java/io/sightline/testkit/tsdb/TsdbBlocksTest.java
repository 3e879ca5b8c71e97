package io.sightline.testkit.tsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.StorageException;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.block.BlockMeta;
import io.sightline.tsdb.head.TsdbStorage;
import io.sightline.tsdb.wal.Wal;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable engine across head cuts: blocks, WAL checkpoints, reopen, deletes and retention, checked
 * against the model over hours of data. Cuts run through {@link TsdbStorage#maintain()} (no background
 * thread), so every run is the same.
 */
class TsdbBlocksTest extends StorageContract {
    private static final long RANGE = 1_800_000L;

    @TempDir
    Path tmp;

    private TsdbStorage store;

    @Override
    protected io.sightline.tsdb.Storage create(StorageOptions options) throws Exception {
        return TsdbStorage.open(Files.createTempDirectory(tmp, "c"), options, Wal.Options.DEFAULTS,
                new TsdbStorage.BlockOptions(RANGE, 0, 0));
    }

    private TsdbStorage open(Path dir, StorageOptions o, long retention) throws StorageException {
        store = TsdbStorage.open(dir, o, Wal.Options.DEFAULTS, new TsdbStorage.BlockOptions(RANGE, retention, 0));
        return store;
    }

    @AfterEach
    void closeStore() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    private static Map<Labels, TreeMap<Long, Long>> modelRead(StorageModel model, long mint, long maxt,
            java.util.function.Predicate<Labels> match) {
        Map<Labels, TreeMap<Long, Long>> out = new TreeMap<>();
        for (Labels l : model.series()) {
            TreeMap<Long, Long> s = model.samples(l, mint, maxt);
            if (match.test(l) && !s.isEmpty()) {
                out.put(l, s);
            }
        }
        return out;
    }

    private static Map<Labels, TreeMap<Long, Long>> sorted(Map<Labels, TreeMap<Long, Long>> m) {
        return new TreeMap<>(m);
    }

    @Test
    void hoursOfIngest_withCutsReopensAndDeletes_agreeWithTheModel_seeded() throws Exception {
        Path dir = tmp.resolve("store");
        StorageOptions options = StorageOptions.DEFAULTS.withOutOfOrderWindowMs(600_000);
        TsdbStorage s = open(dir, options, 0);
        StorageModel model = new StorageModel(options);
        Random r = new Random(11);
        long clock = T0;
        int cuts = 0;
        for (int batch = 0; batch < 700; batch++) {
            Appender a = s.appender();
            for (int i = 0; i < 1 + r.nextInt(30); i++) {
                Labels l = series("d", "s", Integer.toString(r.nextInt(25)), "g", Integer.toString(r.nextInt(2)));
                long t = r.nextInt(5) == 0 ? clock - r.nextInt(900_000) : clock + r.nextInt(20_000);
                double v = r.nextInt(9) == 0 ? StaleNaN.VALUE : r.nextGaussian();
                StorageModel.Outcome expected = model.append(l, t, v);
                try {
                    a.append(0, l, t, v);
                    assertThat(expected).as("batch %d t=%d", batch, t)
                            .isIn(StorageModel.Outcome.ACCEPTED, StorageModel.Outcome.IGNORED_DUPLICATE);
                } catch (StorageException.SampleRejected e) {
                    assertThat(expected).as("batch %d t=%d: %s", batch, t, e.getMessage())
                            .isNotIn(StorageModel.Outcome.ACCEPTED, StorageModel.Outcome.IGNORED_DUPLICATE);
                }
            }
            a.commit();
            model.commit();
            clock += r.nextInt(60_000);
            if (batch % 25 == 0) {
                cuts += s.maintain().cut().size();
            }
            if (r.nextInt(60) == 0) {
                String victim = Integer.toString(r.nextInt(25));
                long from = clock - r.nextInt(20_000_000);
                long to = from + r.nextInt(5_000_000);
                s.delete(from, to, LabelMatcher.equal("s", victim));
                model.delete(from, to, l -> l.get("s").equals(victim));
            }
            if (r.nextInt(50) == 0) {
                s.close();
                s = open(dir, options, 0);
            }
            if (batch % 100 == 99) {
                long mint = T0 + r.nextInt((int) Math.max(1, clock - T0));
                long maxt = mint + r.nextInt(10_000_000);
                assertThat(sorted(read(s, mint, maxt, LabelMatcher.equal("g", "1"))))
                        .as("batch %d range [%d, %d]", batch, mint, maxt)
                        .isEqualTo(modelRead(model, mint, maxt, l -> l.get("g").equals("1")));
            }
        }
        assertThat(cuts).as("head cuts").isGreaterThanOrEqualTo(4);
        assertThat(s.blocks()).isNotEmpty();
        List<BlockMeta> metas = s.blocks();
        for (int i = 1; i < metas.size(); i++) {
            assertThat(metas.get(i).minTime()).as("blocks do not overlap").isGreaterThanOrEqualTo(metas.get(i - 1).maxTime());
        }
        try (Stream<Path> wal = Files.list(dir.resolve("wal"))) {
            assertThat(wal.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("checkpoint."));
        }
        s.close();
        s = open(dir, options, 0);
        assertThat(sorted(read(s, 0, Long.MAX_VALUE, LabelMatcher.equal("__name__", "d"))))
                .isEqualTo(modelRead(model, 0, Long.MAX_VALUE, l -> true));
        try (Querier q = s.querier(0, Long.MAX_VALUE)) {
            assertThat(q.labelValues("s")).hasSize(25);
            assertThat(q.labelNames()).containsExactly("__name__", "g", "s");
        }
    }

    @Test
    void cut_writesOnlyRangesNoSampleCanStillJoin() throws Exception {
        TsdbStorage s = open(tmp.resolve("rules"), StorageOptions.DEFAULTS.withOutOfOrderWindowMs(0), 0);
        Labels a = series("m", "k", "a");
        long t = 0;
        Appender app = s.appender();
        for (; t <= 3 * RANGE; t += 60_000) {
            app.append(0, a, t, t);
        }
        app.commit();
        // Newest is 3 ranges in; with a 1 h hold only the first range may be cut.
        assertThat(s.maintain().cut()).hasSize(1);
        assertThat(s.blocks().get(0).maxTime()).isEqualTo(RANGE);
        assertThat(s.stats().minTime()).as("the store").isZero();
        assertThat(s.headStats().minTime()).as("the head alone").isEqualTo(RANGE);
        try (Querier head = s.headQuerier()) {
            var set = head.select(false, null, LabelMatcher.equal("k", "a"));
            assertThat(set.next()).isTrue();
            var it = set.at().iterator(null);
            assertThat(it.next()).isTrue();
            assertThat(it.timestamp()).isEqualTo(RANGE);
        }
        assertThat(s.maintain().cut()).isEmpty();
        Appender late = s.appender();
        assertThatThrownBy(() -> late.append(0, a, RANGE - 60_000 + 1, 1)).isInstanceOf(StorageException.TooOldSample.class);
        late.rollback();
        assertThat(read(s, 0, Long.MAX_VALUE, LabelMatcher.equal("k", "a")).get(a)).hasSize((int) (3 * RANGE / 60_000) + 1);
        // A series whose samples all went to the block leaves the head, and comes back when written again.
        Labels b = series("m", "k", "b");
        appendAll(s, b, 4 * RANGE, 1);
        appendAll(s, a, 5 * RANGE, 2);
        appendAll(s, a, 5 * RANGE + 4_000_000, 3);
        assertThat(s.maintain().cut()).isNotEmpty();
        appendAll(s, b, 5 * RANGE + 4_000_001, 4);
        assertThat(read(s, 0, Long.MAX_VALUE, LabelMatcher.equal("k", "b")).get(b).keySet())
                .containsExactly(4 * RANGE, 5 * RANGE + 4_000_001);
    }

    @Test
    void headChunks_countTheHeadsClosedAndOpenChunks_acrossReopenAndCut() throws Exception {
        Path dir = tmp.resolve("chunks");
        TsdbStorage s = open(dir, StorageOptions.DEFAULTS, 0);
        assertThat(s.headStats().chunks()).as("empty").isZero();
        Labels a = series("m", "k", "a");
        Appender app = s.appender();
        for (int i = 0; i < 121; i++) {
            app.append(0, a, i * 10_000L, i); // 121 samples within one range: a full chunk and one more
        }
        app.commit();
        appendAll(s, series("m", "k", "b"), 5_000, 1);
        assertThat(s.headStats().chunks()).isEqualTo(3);
        s.close();
        s = open(dir, StorageOptions.DEFAULTS, 0);
        assertThat(s.headStats().chunks()).as("after the log's replay").isEqualTo(3);
        // A sample three ranges on lets the first range be cut: a and b leave the head for a block.
        appendAll(s, series("m", "k", "c"), 3 * RANGE, 1);
        assertThat(s.maintain().cut()).hasSize(1);
        assertThat(s.headStats().chunks()).as("c's chunk alone").isEqualTo(1);
    }

    @Test
    void retention_dropsWholeBlocksOlderThanTheNewestSampleMinusRetention() throws Exception {
        long retention = 2 * 3_600_000L;
        TsdbStorage s = open(tmp.resolve("ret"), StorageOptions.DEFAULTS, retention);
        Labels a = series("m", "k", "a");
        for (long t = 0; t <= 8 * 3_600_000L; t += 30_000) {
            appendAll(s, a, t, t);
            if (t % 900_000 == 0) {
                s.maintain();
            }
        }
        s.maintain();
        long newest = 8 * 3_600_000L;
        for (BlockMeta m : s.blocks()) {
            assertThat(m.maxTime()).as("kept block").isGreaterThan(newest - retention);
        }
        TreeMap<Long, Long> got = read(s, 0, Long.MAX_VALUE, LabelMatcher.equal("k", "a")).get(a);
        // What is gone went as whole blocks: the oldest remaining sample starts a block range.
        assertThat(got.firstKey() % RANGE).isZero();
        assertThat(got.firstKey()).isLessThanOrEqualTo(newest - retention);
        assertThat(got.lastKey()).isEqualTo(newest);
        assertThat(got).hasSize((int) ((newest - got.firstKey()) / 30_000) + 1);
        try (Stream<Path> blocks = Files.list(tmp.resolve("ret").resolve("blocks"))) {
            assertThat(blocks.count()).isEqualTo(s.blocks().size());
        }
    }

    @Test
    void corruptBlock_isQuarantined_theRestIsServed() throws Exception {
        Path dir = tmp.resolve("q");
        // A retention of 20 ranges keeps everything here and is too short for compaction (a tenth of it
        // is under 3 ranges), so the head's blocks stay as cut.
        TsdbStorage s = open(dir, StorageOptions.DEFAULTS, 20 * RANGE);
        Labels a = series("m", "k", "a");
        for (long t = 0; t <= 6 * RANGE; t += 60_000) {
            appendAll(s, a, t, 1);
        }
        s.maintain();
        List<BlockMeta> blocks = s.blocks();
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(3);
        s.close();
        BlockMeta victim = blocks.get(1);
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("blocks").resolve(victim.id()).resolve("index").toFile(),
                "rw")) {
            f.seek(7);
            f.write(0xFF);
        }
        s = open(dir, StorageOptions.DEFAULTS, 20 * RANGE);
        assertThat(s.quarantinedBlocks()).singleElement().asString().contains(victim.id()).contains("checksum");
        assertThat(Files.isDirectory(dir.resolve("quarantine").resolve(victim.id()))).isTrue();
        TreeMap<Long, Long> got = read(s, 0, Long.MAX_VALUE, LabelMatcher.equal("k", "a")).get(a);
        assertThat(got.subMap(victim.minTime(), victim.maxTime())).isEmpty();
        assertThat(got.firstKey()).isZero();
        assertThat(got.lastKey()).isEqualTo(6 * RANGE);
    }

    @Test
    void compaction_mergesSettledRangesIntoLargerBlocks_answersUnchanged() throws Exception {
        Path dir = tmp.resolve("compact");
        TsdbStorage s = open(dir, StorageOptions.DEFAULTS, 0);
        Labels a = series("m", "k", "a");
        Labels b = series("m", "k", "b");
        int cuts = 0;
        for (long t = 0; t <= 12 * 3_600_000L; t += 30_000) {
            appendAll(s, a, t, t);
            if (t % 90_000 == 0) {
                appendAll(s, b, t, -t);
            }
            if (t % 600_000 == 0) {
                cuts += s.maintain().cut().size();
            }
        }
        cuts += s.maintain().cut().size();
        List<BlockMeta> metas = s.blocks();
        assertThat(metas.size()).as("fewer blocks than cuts").isLessThan(cuts);
        assertThat(metas).anyMatch(m -> m.compaction().level() >= 3 && m.maxTime() - m.minTime() > 9 * RANGE - RANGE);
        for (int i = 1; i < metas.size(); i++) {
            assertThat(metas.get(i).minTime()).isGreaterThanOrEqualTo(metas.get(i - 1).maxTime());
        }
        for (TsdbStorage x : List.of(s, open(dir, StorageOptions.DEFAULTS, 0))) {
            s = x;
            Map<Labels, TreeMap<Long, Long>> got = read(s, 0, Long.MAX_VALUE, LabelMatcher.equal("__name__", "m"));
            assertThat(got.get(a)).hasSize(12 * 120 + 1);
            assertThat(got.get(b)).hasSize(12 * 40 + 1);
            got.get(a).forEach((t, v) -> assertThat(Double.longBitsToDouble(v)).isEqualTo((double) t));
            got.get(b).forEach((t, v) -> assertThat(Double.longBitsToDouble(v)).isEqualTo((double) -t));
        }
        try (Stream<Path> dirs = Files.list(dir.resolve("blocks"))) {
            assertThat(dirs.count()).as("merged blocks removed from disk").isEqualTo(s.blocks().size());
        }
    }

    @Test
    void perMetricRetention_shorterAndLongerThanTheDefault() throws Exception {
        long hour = 3_600_000L;
        TsdbStorage.BlockOptions o = new TsdbStorage.BlockOptions(RANGE, 3 * hour, 0).withRules(List.of(
                new TsdbStorage.RetentionRule(List.of(LabelMatcher.equal("__name__", "debug")), hour),
                new TsdbStorage.RetentionRule(List.of(LabelMatcher.equal("__name__", "slo")), 0)));
        Path dir = tmp.resolve("rules");
        store = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS, o);
        TsdbStorage s = store;
        Labels debug = series("debug", "k", "a");
        Labels slo = series("slo", "k", "a");
        Labels plain = series("plain", "k", "a");
        long end = 10 * hour;
        for (long t = 0; t <= end; t += 60_000) {
            Appender app = s.appender();
            app.append(0, debug, t, 1);
            app.append(0, slo, t, 2);
            app.append(0, plain, t, 3);
            app.commit();
            if (t % RANGE == 0) {
                s.maintain();
            }
        }
        s.maintain();
        long oldestDebug = read(s, 0, Long.MAX_VALUE, LabelMatcher.equal("__name__", "debug")).get(debug).firstKey();
        long oldestPlain = read(s, 0, Long.MAX_VALUE, LabelMatcher.equal("__name__", "plain")).get(plain).firstKey();
        long oldestSlo = read(s, 0, Long.MAX_VALUE, LabelMatcher.equal("__name__", "slo")).get(slo).firstKey();
        assertThat(oldestSlo).as("kept forever").isZero();
        // Each is cut at a block range boundary at most one range before its retention.
        assertThat(oldestDebug).isBetween(end - hour - RANGE, end - hour);
        assertThat(oldestPlain).isBetween(end - 3 * hour - RANGE, end - 3 * hour);
        for (BlockMeta m : s.blocks()) {
            assertThat(Files.exists(dir.resolve("blocks").resolve(m.id()).resolve("tombstones")))
                    .as("retention rewrote the blocks").isFalse();
        }
        s.close();
        store = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS, o);
        assertThat(read(store, 0, Long.MAX_VALUE, LabelMatcher.equal("__name__", "debug")).get(debug).firstKey())
                .isEqualTo(oldestDebug);
    }

    @Test
    void sizeRetention_dropsTheOldestBlocksUntilUnderTheLimit() throws Exception {
        Path dir = tmp.resolve("size");
        TsdbStorage.BlockOptions unlimited = new TsdbStorage.BlockOptions(RANGE, 0, 0);
        store = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS, unlimited);
        TsdbStorage s = store;
        Random r = new Random(3);
        for (long t = 0; t <= 8 * 3_600_000L; t += 15_000) {
            Appender app = s.appender();
            for (int i = 0; i < 20; i++) {
                app.append(0, series("m", "i", Integer.toString(i)), t, r.nextGaussian());
            }
            app.commit();
        }
        s.maintain();
        long all = s.blocksBytes();
        int blocksBefore = s.blocks().size();
        s.close();
        long walBytes;
        try (Stream<Path> w = Files.walk(dir.resolve("wal"))) {
            walBytes = w.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        long limit = walBytes + all / 2;
        store = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS, unlimited.withRetentionBytes(limit));
        s = store;
        List<String> expired = s.maintain().expired();
        assertThat(expired).isNotEmpty();
        assertThat(s.blocks()).hasSize(blocksBefore - expired.size());
        assertThat(s.blocksBytes() + walBytes).isLessThanOrEqualTo(limit);
        long newest = read(s, 0, Long.MAX_VALUE, LabelMatcher.equal("i", "0")).get(series("m", "i", "0")).lastKey();
        assertThat(newest).isEqualTo(8 * 3_600_000L);
    }

    @Test
    void snapshot_isADataDirectoryWithEverything_orOnlyTheBlocks() throws Exception {
        TsdbStorage s = open(tmp.resolve("src"), StorageOptions.DEFAULTS, 0);
        Labels a = series("m", "k", "a");
        for (long t = 0; t <= 5 * 3_600_000L; t += 60_000) {
            appendAll(s, a, t, t);
        }
        s.maintain();
        s.delete(600_000, 600_000, LabelMatcher.equal("k", "a"));
        Map<Labels, TreeMap<Long, Long>> all = read(s, 0, Long.MAX_VALUE, LabelMatcher.equal("k", "a"));
        long blockEnd = s.blocks().get(s.blocks().size() - 1).maxTime();
        s.snapshot(tmp.resolve("snaps").resolve("full"), false);
        s.snapshot(tmp.resolve("snaps").resolve("blocks-only"), true);
        appendAll(s, a, 5 * 3_600_000L + 60_000, 1); // after the snapshot: not in it
        try (TsdbStorage full = TsdbStorage.open(tmp.resolve("snaps").resolve("full"), StorageOptions.DEFAULTS,
                Wal.Options.DEFAULTS, new TsdbStorage.BlockOptions(RANGE, 0, 0))) {
            assertThat(read(full, 0, Long.MAX_VALUE, LabelMatcher.equal("k", "a"))).isEqualTo(all);
        }
        try (TsdbStorage blocksOnly = TsdbStorage.open(tmp.resolve("snaps").resolve("blocks-only"),
                StorageOptions.DEFAULTS, Wal.Options.DEFAULTS, new TsdbStorage.BlockOptions(RANGE, 0, 0))) {
            TreeMap<Long, Long> got = read(blocksOnly, 0, Long.MAX_VALUE, LabelMatcher.equal("k", "a")).get(a);
            assertThat(got).isEqualTo(all.get(a).headMap(blockEnd));
        }
        assertThatThrownBy(() -> s.snapshot(tmp.resolve("snaps").resolve("full"), false))
                .isInstanceOf(StorageException.class).hasMessageContaining("cannot write a snapshot");
    }
}
