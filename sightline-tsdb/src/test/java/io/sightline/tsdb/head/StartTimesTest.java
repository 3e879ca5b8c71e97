package io.sightline.tsdb.head;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StartTimes;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.memory.MemoryStorage;
import io.sightline.tsdb.wal.Wal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Start timestamps kept beside samples ({@link StartTimes}): the same contract for the durable store and for the pair
 * of in-memory stores the script runner uses, then what only the durable store promises (a crash, blocks, deletes,
 * snapshots).
 */
class StartTimesTest {

    private static final long H = 3_600_000L;

    @TempDir
    Path tmp;

    interface Factory {
        Storage open(Path dir) throws Exception;
    }

    static Stream<Factory> stores() {
        StorageOptions o = StorageOptions.DEFAULTS;
        return Stream.of(
                dir -> StartTimes.storage(new MemoryStorage(o), new MemoryStorage(o)),
                dir -> TsdbStorage.open(dir, o, Wal.Options.DEFAULTS, new TsdbStorage.BlockOptions(2 * H, 0, 0)));
    }

    private static final Labels A = Labels.of("__name__", "jobs_total", "pod", "a");
    private static final Labels B = Labels.of("__name__", "jobs_total", "pod", "b");
    private static final Labels C = Labels.of("__name__", "jobs_total", "pod", "c");

    /** Series a: every sample with a start time; b: none; c: some (0 where none). */
    private static long[][] write(Storage s, long from, int n, Random r) throws Exception {
        long[][] starts = new long[3][n];
        Appender app = s.appender();
        for (int i = 0; i < n; i++) {
            long t = from + i * 15_000L;
            starts[0][i] = t - 1 - r.nextInt(100_000);
            app.append(0, A, starts[0][i], t, i);
            app.append(0, B, t, i);
            starts[2][i] = r.nextBoolean() ? t - 15_000 : 0;
            app.append(0, C, starts[2][i], t, i);
        }
        app.commit();
        return starts;
    }

    /** The start times a select for {@code func} returns per series, in label order (null: series without any). */
    private static List<long[]> read(Storage s, String func, long mint, long maxt) throws Exception {
        List<long[]> out = new ArrayList<>();
        try (Querier q = s.querier(mint, maxt)) {
            SelectHints hints = new SelectHints(mint, maxt, 0, func, 0, List.of(), false, 0, false);
            SeriesSet set = q.select(true, hints, LabelMatcher.equal("__name__", "jobs_total"));
            while (set.next()) {
                SampleIterator it = set.at().iterator(null);
                if (!it.hasStartTimestamps()) {
                    out.add(null);
                    continue;
                }
                List<Long> sts = new ArrayList<>();
                for (boolean more = it.seek(mint); more && it.timestamp() <= maxt; more = it.next()) {
                    sts.add(it.startTimestamp());
                }
                out.add(sts.stream().mapToLong(Long::longValue).toArray());
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("stores")
    void startTimes_readBackForTheFunctionsThatUseThem_only(Factory f) throws Exception {
        try (Storage s = f.open(tmp.resolve("d"))) {
            long[][] starts = write(s, 1_000_000, 200, new Random(7));
            for (String func : List.of("rate", "increase", "irate", "resets", "start_timestamp")) {
                List<long[]> got = read(s, func, 0, Long.MAX_VALUE / 2);
                assertThat(got).as(func).hasSize(3);
                assertThat(got.get(0)).as(func).containsExactly(starts[0]);
                assertThat(got.get(1)).as(func + ": a series sent without start times").isNull();
                assertThat(got.get(2)).as(func).containsExactly(starts[2]);
            }
            for (String func : new String[] {null, "delta", "sum_over_time", "timestamp"}) {
                assertThat(read(s, func, 0, Long.MAX_VALUE / 2)).as("" + func).containsOnlyNulls().hasSize(3);
            }
            // A window in the middle: the start times of its samples, aligned after a seek.
            long mint = 1_000_000 + 50 * 15_000L;
            long maxt = 1_000_000 + 99 * 15_000L;
            List<long[]> window = read(s, "rate", mint, maxt);
            assertThat(window.get(0)).containsExactly(java.util.Arrays.copyOfRange(starts[0], 50, 100));
            assertThat(window.get(2)).containsExactly(java.util.Arrays.copyOfRange(starts[2], 50, 100));
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aStartTimeDifferingFromTheOneKept_isDropped_theSampleStays(Factory f) throws Exception {
        try (Storage s = f.open(tmp.resolve("d"))) {
            Appender app = s.appender();
            app.append(0, A, 500, 1_000, 1);
            app.commit();
            app = s.appender();
            app.append(0, A, 600, 1_000, 1); // the same sample again, with another start time: an exact duplicate
            app.append(0, A, 900, 2_000, 2);
            app.commit();
            assertThat(read(s, "rate", 0, 10_000).get(0)).containsExactly(500, 900);
            app = s.appender();
            app.append(0, A, 2_500, 3_000, 3);
            app.rollback();
            assertThat(read(s, "rate", 0, 10_000).get(0)).containsExactly(500, 900);
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void delete_removesTheStartTimesToo(Factory f) throws Exception {
        try (Storage s = f.open(tmp.resolve("d"))) {
            long[][] starts = write(s, 1_000_000, 40, new Random(3));
            s.delete(0, 1_000_000 + 19 * 15_000L, LabelMatcher.equal("pod", "a"));
            assertThat(read(s, "rate", 0, Long.MAX_VALUE / 2).get(0))
                    .containsExactly(java.util.Arrays.copyOfRange(starts[0], 20, 40));
        }
    }

    @Test
    void aStoreThatNeverGotAStartTime_hasNoCompanion() throws Exception {
        try (TsdbStorage s = TsdbStorage.open(tmp.resolve("d"), StorageOptions.DEFAULTS, Wal.Options.DEFAULTS,
                new TsdbStorage.BlockOptions(2 * H, 0, 0))) {
            Appender app = s.appender();
            app.append(0, B, 1_000, 1);
            app.append(0, B, 0, 2_000, 2); // 0: no start time
            app.commit();
            assertThat(s.startsIfOpen()).isNull();
            assertThat(Files.exists(tmp.resolve("d").resolve("starts"))).isFalse();
            assertThat(read(s, "rate", 0, 10_000)).containsExactly((long[]) null);
        }
    }

    @Test
    void walReplayProgress_isTheStoresOwnLog_notTheCompanions() throws Exception {
        Path dir = tmp.resolve("d");
        Wal.Options small = new Wal.Options(4096, Wal.Sync.PERIODIC, java.time.Duration.ofSeconds(1));
        try (TsdbStorage s = TsdbStorage.open(dir, StorageOptions.DEFAULTS, small,
                new TsdbStorage.BlockOptions(2 * H, 0, 0))) {
            write(s, 0, 20, new Random(5)); // start times: the companion and its log exist
            for (int c = 0; c < 100; c++) { // then samples without: segments of 4 KiB in the store's log alone
                Appender app = s.appender();
                for (int i = 0; i < 50; i++) {
                    app.append(0, B, (20 + c * 50 + i) * 15_000L, i);
                }
                app.commit();
            }
        }
        int storeNewest = newestSegment(dir.resolve("wal"));
        assertThat(storeNewest).isGreaterThan(newestSegment(dir.resolve("starts").resolve("wal")));
        Wal.Progress progress = new Wal.Progress();
        try (TsdbStorage s = TsdbStorage.open(dir, StorageOptions.DEFAULTS, small.withProgress(progress),
                new TsdbStorage.BlockOptions(2 * H, 0, 0))) {
            assertThat(s.startsIfOpen()).as("the companion replayed its log too").isNotNull();
            int[] after = progress.snapshot();
            assertThat(after[1]).as("the store's newest segment").isEqualTo(storeNewest);
            assertThat(after[2]).isEqualTo(after[1]);
            Appender app = s.appender();
            app.append(0, A, 1_000, 5_100 * 15_000L, 1); // a start time written: the companion's log is written
            app.commit();
            assertThat(progress.snapshot()).containsExactly(after);
        }
    }

    private static int newestSegment(Path wal) throws java.io.IOException {
        try (var files = Files.list(wal)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+"))
                    .mapToInt(Integer::parseInt).max().orElseThrow();
        }
    }

    @Test
    void acknowledgedStartTimes_surviveACrash_blocksAndASnapshot() throws Exception {
        Path dir = tmp.resolve("d");
        long[][] starts;
        try (TsdbStorage s = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS,
                new TsdbStorage.BlockOptions(2 * H, 0, 0))) {
            starts = write(s, 0, 2_000, new Random(11)); // 8 h 20 min at 15 s: blocks can be cut
            // What a kill -9 leaves on disk now: the files as they are, the store never closed.
            copy(dir, tmp.resolve("crashed"));
        }
        try (TsdbStorage s = TsdbStorage.open(tmp.resolve("crashed"), StorageOptions.DEFAULTS, Wal.Options.DEFAULTS,
                new TsdbStorage.BlockOptions(2 * H, 0, 0))) {
            assertThat(s.startsIfOpen()).as("the companion is reopened with its store").isNotNull();
            List<long[]> got = read(s, "rate", 0, Long.MAX_VALUE / 2);
            assertThat(got.get(0)).containsExactly(starts[0]);
            assertThat(got.get(2)).containsExactly(starts[2]);
            s.maintain();
            assertThat(s.blocks()).as("samples cut into blocks").isNotEmpty();
            assertThat(s.startsIfOpen().blocks()).as("start times cut into blocks").isNotEmpty();
            got = read(s, "rate", 0, Long.MAX_VALUE / 2);
            assertThat(got.get(0)).containsExactly(starts[0]);
            assertThat(got.get(1)).isNull();
            assertThat(got.get(2)).containsExactly(starts[2]);
            s.snapshot(tmp.resolve("snap"), false);
        }
        assertThat(tmp.resolve("snap").resolve("starts").resolve("blocks")).isDirectory();
        try (TsdbStorage s = TsdbStorage.open(tmp.resolve("snap"), StorageOptions.DEFAULTS, Wal.Options.DEFAULTS,
                new TsdbStorage.BlockOptions(2 * H, 0, 0))) {
            assertThat(read(s, "rate", 0, Long.MAX_VALUE / 2).get(0)).as("a snapshot opened as a data directory")
                    .containsExactly(starts[0]);
        }
    }

    /**
     * The companion has no size retention of its own: once the samples' oldest blocks are gone (size retention, here
     * a block directory removed while the store was closed), the companion's blocks that end before the samples'
     * oldest block go at the next maintenance.
     */
    @Test
    void startTimesOlderThanEverySample_goAtTheNextMaintenance() throws Exception {
        Path dir = tmp.resolve("d");
        TsdbStorage.BlockOptions opts = new TsdbStorage.BlockOptions(2 * H, 0, 0);
        io.sightline.tsdb.block.BlockMeta first;
        try (TsdbStorage s = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS, opts)) {
            write(s, 0, 1_320, new Random(5)); // 5 h 30 min: two 2 h blocks, not yet compacted into 6 h
            s.maintain();
            assertThat(s.blocks()).hasSizeGreaterThan(1);
            first = s.blocks().stream().min(java.util.Comparator.comparingLong(b -> b.minTime())).orElseThrow();
            assertThat(s.startsIfOpen().blocks()).anySatisfy(b -> assertThat(b.maxTime()).isLessThanOrEqualTo(
                    first.maxTime()));
        }
        deleteTree(dir.resolve("blocks").resolve(first.id()));
        try (TsdbStorage s = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS, opts)) {
            long oldest = s.blocks().stream().mapToLong(b -> b.minTime()).min().orElseThrow();
            s.maintain();
            assertThat(s.startsIfOpen().blocks()).isNotEmpty()
                    .allSatisfy(b -> assertThat(b.maxTime()).isGreaterThan(oldest));
        }
    }

    private static void deleteTree(Path p) throws Exception {
        try (Stream<Path> files = Files.walk(p)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    /** A companion that cannot be created loses the start times, never the samples. */
    @Test
    void aCompanionThatCannotBeOpened_costsTheStartTimesOnly() throws Exception {
        Path dir = tmp.resolve("d");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("starts"), "a file where the companion's directory would go");
        try (TsdbStorage s = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS,
                new TsdbStorage.BlockOptions(2 * H, 0, 0))) {
            Appender app = s.appender();
            app.append(0, A, 500, 1_000, 1);
            app.append(0, A, 1_500, 2_000, 2);
            app.commit();
            assertThat(s.startsIfOpen()).isNull();
            try (Querier q = s.querier(0, 10_000)) {
                SeriesSet set = q.select(true, SelectHints.range(0, 10_000), LabelMatcher.equal("pod", "a"));
                assertThat(set.next()).isTrue();
                SampleIterator it = set.at().iterator(null);
                assertThat(it.next()).isTrue();
                assertThat(it.value()).isEqualTo(1);
                assertThat(it.next()).isTrue();
                assertThat(it.value()).isEqualTo(2);
            }
        }
    }

    private static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals("lock")) {
                    Files.copy(p, target);
                }
            }
        }
    }
}
