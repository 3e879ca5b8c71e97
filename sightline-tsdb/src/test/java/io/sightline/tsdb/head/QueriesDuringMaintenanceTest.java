package io.sightline.tsdb.head;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.LabelMatcher;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.wal.Wal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queries read the same samples while the store changes under them. A cut publishes its block, then drops its samples
 * from the head: a read must never take the block list from before and the head from after. Deterministically, a
 * querier opened before a cut and read after it; then under load, a writer appending hours of newer data and running
 * maintenance after each (the head cut into 2 h blocks, blocks compacted into 6 h ones, files replaced and deleted)
 * while a reader selects the first 6 h over and over, through single samples, batches and seeks. Every read must find
 * each sample of the grid exactly once with its value, whatever the layout at that moment.
 */
class QueriesDuringMaintenanceTest {
    private static final long H = 3_600_000L;
    private static final long STEP = 15_000;
    private static final int SERIES = 40;
    private static final long STABLE = 6 * H;

    @TempDir
    Path dir;

    @Test
    void aQuerierOpenedBeforeACut_andReadAfterIt_readsEverySample() throws Exception {
        try (TsdbStorage store = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS,
                new TsdbStorage.BlockOptions(2 * H, 0, 0))) {
            append(store, 0, STABLE + H);
            for (int mode = 0; mode < 3; mode++) {
                try (Querier q = store.querier(0, STABLE - 1)) {
                    assertThat(store.maintain().cut()).as("a cut between opening and reading").isNotEmpty();
                    readStableRange(q, mode);
                }
                append(store, STABLE + H + mode * 2 * H, STABLE + H + (mode + 1) * 2 * H);
            }
        }
    }

    @Test
    void readsOfAStableRange_areComplete_whileCutsAndCompactionsRun() throws Exception {
        for (int round = 0; round < 12; round++) {
            long end = STABLE + 7 * H;
            try (TsdbStorage store = TsdbStorage.open(dir.resolve("r" + round), StorageOptions.DEFAULTS,
                    Wal.Options.DEFAULTS, new TsdbStorage.BlockOptions(2 * H, 0, 0))) {
                append(store, 0, STABLE + H);
                AtomicReference<Throwable> writerFailed = new AtomicReference<>();
                List<String> changes = new ArrayList<>();
                Thread writer = new Thread(() -> {
                    try {
                        for (long from = STABLE + H; from < end; from += H) {
                            append(store, from, from + H);
                            TsdbStorage.MaintenanceReport r = store.maintain();
                            if (!r.cut().isEmpty() || !r.compacted().isEmpty()) {
                                synchronized (changes) {
                                    changes.add(r.cut().size() + " cut, " + r.compacted().size() + " compacted");
                                }
                            }
                        }
                    } catch (Throwable t) {
                        writerFailed.set(t);
                    }
                }, "test-writer");
                writer.start();
                int reads = 0;
                while (writer.isAlive() || reads < 3) {
                    try (Querier q = store.querier(0, STABLE - 1)) {
                        readStableRange(q, reads % 3);
                    }
                    reads++;
                }
                writer.join();
                assertThat(writerFailed.get()).isNull();
                assertThat(changes).as("cuts and compactions ran during the reads").hasSizeGreaterThan(2);
                try (Querier q = store.querier(0, STABLE - 1)) {
                    readStableRange(q, 0);
                }
            }
        }
    }

    private static double value(int s, long t) {
        return s * 1000 + t / STEP + (t % 7 == 0 ? 0.25 : 0);
    }

    private static void append(TsdbStorage store, long from, long to) throws Exception {
        GridData.append(store, SERIES, from, to, STEP, QueriesDuringMaintenanceTest::value);
    }

    /** Every series of [0, STABLE): by {@code next} (mode 0), in batches (1), or seeking each hour's start (2). */
    private static void readStableRange(Querier q, int mode) {
        SeriesSet set = q.select(false, SelectHints.range(0, STABLE - 1), LabelMatcher.equal("__name__", "m"));
        int seen = 0;
        SampleIterator reuse = null;
        long[] ts = new long[100];
        double[] vs = new double[100];
        while (set.next()) {
            int s = Integer.parseInt(set.at().labels().get("s"));
            SampleIterator it = set.at().iterator(reuse);
            reuse = it;
            long want = 0;
            if (mode == 1) {
                while (want < STABLE) {
                    int n = it.nextBatch(ts, vs, 0, ts.length);
                    for (int i = 0; i < n && want < STABLE; i++) {
                        assertThat(ts[i]).as("series %d, mode %d", s, mode).isEqualTo(want);
                        assertThat(vs[i]).as("series %d at %d", s, want).isEqualTo(value(s, want));
                        want += STEP;
                    }
                    if (n == 0) {
                        break;
                    }
                }
            } else {
                while (want < STABLE) {
                    boolean more = mode == 2 && want % H == 0 ? it.seek(want) : it.next();
                    if (!more) {
                        break;
                    }
                    assertThat(it.timestamp()).as("series %d, mode %d", s, mode).isEqualTo(want);
                    assertThat(it.value()).as("series %d at %d", s, want).isEqualTo(value(s, want));
                    want += STEP;
                }
            }
            assertThat(want).as("series %d read to %d, mode %d", s, STABLE, mode).isEqualTo(STABLE);
            seen++;
        }
        assertThat(seen).isEqualTo(SERIES);
    }
}
