package io.sightline.tsdb.head;

import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.wal.Wal;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The process that {@link CrashRecoveryTest} kills: opens the store, reports how long the replay took,
 * then commits batch after batch and prints {@code ACK n} after each commit has returned. Batch n holds
 * {@value #SERIES} series x 2 samples at {@code T0 + step*n} and {@code T0 + step*n + 1000}, value n.
 * In "blocks" mode the step is a minute and the head is cut into 10-minute blocks (checked every 20 ms),
 * so kills also land in block writes, head truncation and WAL checkpoints.
 */
public final class CrashIngester {
    static final int SERIES = 50;
    static final long T0 = 1_700_000_000_000L;

    private CrashIngester() {}

    static final long BLOCK_RANGE = 600_000L;
    /** In blocks mode, the most data the head may hold before the ingester waits for cuts. */
    static final long MAX_HEAD_SPAN_MS = 6 * 3_600_000L;

    static long step(boolean blocks) {
        return blocks ? 60_000L : 2_000L;
    }

    static TsdbStorage.BlockOptions blockOptions(boolean blocks, long checkIntervalMs) {
        return blocks ? new TsdbStorage.BlockOptions(BLOCK_RANGE, 0, checkIntervalMs) : TsdbStorage.BlockOptions.DEFAULTS;
    }

    static Labels series(int i) {
        return Labels.of("__name__", "crash_test", "s", Integer.toString(i));
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long batch = Long.parseLong(args[1]);
        boolean blocks = args.length > 2 && args[2].equals("blocks");
        long step = step(blocks);
        PrintStream out = System.out;
        long t0 = System.nanoTime();
        TsdbStorage s = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS, blockOptions(blocks, 20));
        out.println("REPLAYED " + (System.nanoTime() - t0) / 1_000_000 + " " + s.replayedSamples());
        out.flush();
        while (true) {
            Appender a = s.appender();
            for (int j = 0; j < 2; j++) {
                for (int i = 0; i < SERIES; i++) {
                    a.append(0, series(i), T0 + batch * step + j * 1000, batch);
                }
            }
            a.commit();
            out.println("ACK " + batch);
            if (blocks && batch % 50 == 0) {
                out.println("BLOCKS " + s.blocks().size());
            }
            out.flush();
            batch++;
            if (blocks && batch % 50 == 0) {
                // A minute of data per batch comes far faster than a server sees it: wait while the head
                // holds more than a few hours, so that cuts keep up and the head (and its replay) stays
                // bounded on a slow machine too, as back-pressure would bound a real sender.
                while (true) {
                    TsdbStorage.HeadStats h = s.headStats();
                    if (h.series() == 0 || h.maxTime() - h.minTime() <= MAX_HEAD_SPAN_MS) {
                        break;
                    }
                    Thread.sleep(1);
                }
            }
        }
    }
}
