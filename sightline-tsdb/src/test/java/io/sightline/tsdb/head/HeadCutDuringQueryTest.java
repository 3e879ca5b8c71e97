package io.sightline.tsdb.head;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.LabelMatcher;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.wal.Wal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A query that took its snapshot of the head before a catch-up of several cuts (a server that was sent
 * hours of data at once) reads every sample to its end: the head chunk files its snapshot refers to are
 * deleted only once it is closed. Small chunk files, so that the head spans dozens of them.
 */
class HeadCutDuringQueryTest {
    private static final long H = 3_600_000L;
    private static final int SERIES = 100;
    private static final long END = 12 * H;

    @TempDir
    Path dir;

    @Test
    void aQueryOpenedBeforeSeveralCuts_readsAllItsSamples_andTheFilesGoWhenItCloses() throws Exception {
        try (TsdbStorage store = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS,
                new TsdbStorage.BlockOptions(2 * H, 0, 0), 16 * 1024)) {
            GridData.append(store, SERIES, END, 15_000, HeadCutDuringQueryTest::value);
            long filesBefore = chunkFiles();
            assertThat(filesBefore).as("the head spans many chunk files").isGreaterThan(20);

            Querier q = store.querier(0, END);
            SeriesSet set = q.select(false, SelectHints.range(0, END), LabelMatcher.equal("__name__", "m"));
            assertThat(store.maintain().cut()).as("a catch-up of several cuts").hasSizeGreaterThan(2);
            assertThat(chunkFiles()).as("kept while the query reads").isEqualTo(filesBefore);

            GridData.assertComplete(set, SERIES, END, 15_000, HeadCutDuringQueryTest::value);
            q.close();
            assertThat(chunkFiles()).as("deleted once the query is done").isLessThan(filesBefore / 2);
        }
    }

    private static double value(int s, long t) {
        return s * 1000 + t / 15_000 + (t % 7 == 0 ? 0.25 : 0);
    }

    private long chunkFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("chunks_head"))) {
            return files.count();
        }
    }
}
