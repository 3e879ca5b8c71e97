package io.sightline.tsdb.head;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.LabelMatcher;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.wal.Wal;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backfill that leaves more ranges ready than a maintenance run cuts: that run cuts but leaves its
 * checkpoint and compactions to the run that catches up, and a restart in between loses and repeats nothing
 * (the log still holds the records; those already in blocks are not replayed into the head).
 */
class MaintenanceBacklogTest {
    private static final long H = 3_600_000L;
    private static final int SERIES = 20;
    /** 2 h ranges: 22 of them ready, more than the 16 a run cuts. */
    private static final long END = 46 * H;

    @TempDir
    Path dir;

    private TsdbStorage open() throws Exception {
        return TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS,
                new TsdbStorage.BlockOptions(2 * H, 0, 0), 1 << 20);
    }

    @Test
    void aRunLeavingABacklog_defersCheckpointAndCompaction_toTheRunThatCatchesUp() throws Exception {
        try (TsdbStorage store = open()) {
            GridData.append(store, SERIES, END, 60_000, MaintenanceBacklogTest::value);
            TsdbStorage.MaintenanceReport first = store.maintain();
            assertThat(first.cut()).hasSize(TsdbStorage.MAX_CUTS_PER_RUN);
            assertThat(first.checkpointBytes()).as("checkpoint deferred").isZero();
            assertThat(first.compacted()).as("compactions deferred").isEmpty();
            checkAll(store);
        }
        // Reopened between the two: every sample once, whether in a block or replayed from the log.
        try (TsdbStorage store = open()) {
            checkAll(store);
            TsdbStorage.MaintenanceReport second = store.maintain();
            assertThat(second.cut()).isNotEmpty();
            assertThat(second.checkpointBytes()).as("caught up: checkpoint written").isPositive();
            assertThat(second.compacted()).as("caught up: blocks merged").isNotEmpty();
            checkAll(store);
        }
        try (TsdbStorage store = open()) {
            checkAll(store);
        }
    }

    private static void checkAll(TsdbStorage store) throws Exception {
        try (Querier q = store.querier(0, END)) {
            SeriesSet set = q.select(false, SelectHints.range(0, END), LabelMatcher.equal("__name__", "m"));
            GridData.assertComplete(set, SERIES, END, 60_000, MaintenanceBacklogTest::value);
        }
    }

    private static double value(int s, long t) {
        return s * 1000 + t / 60_000;
    }
}
