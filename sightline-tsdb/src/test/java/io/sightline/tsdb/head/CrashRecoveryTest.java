package io.sightline.tsdb.head;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.LabelMatcher;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.wal.Wal;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real ingesting process with SIGKILL at random moments, 25 times over the same data dir, and
 * checks after each restart that every acknowledged batch is there, whole, and that no batch is there
 * in part; a torn tail (an unacknowledged write cut short) may be repaired. Prints the restart (replay)
 * times and the repairs.
 */
@Tag("slow")
class CrashRecoveryTest {
    @TempDir
    Path dir;

    private final List<String> repairs = new ArrayList<>();
    private boolean blocks;

    @org.junit.jupiter.params.ParameterizedTest(name = "blocks={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void kill9_atRandomPoints_losesNoAcknowledgedWrite(boolean blocks) throws Exception {
        this.blocks = blocks;
        Random random = new Random(20261122);
        long nextBatch = 0;
        List<String> replayTimes = new ArrayList<>();
        for (int round = 0; round < 25; round++) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), CrashIngester.class.getName(),
                    dir.toString(), Long.toString(nextBatch), blocks ? "blocks" : "head").redirectErrorStream(true).start();
            AtomicLong lastAck = new AtomicLong(-1);
            java.util.concurrent.atomic.AtomicInteger blocksSeen = new java.util.concurrent.atomic.AtomicInteger(-1);
            List<String> other = new ArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.startsWith("ACK ")) {
                            lastAck.set(Long.parseLong(line.substring(4)));
                        } else if (line.startsWith("BLOCKS ")) {
                            blocksSeen.set(Integer.parseInt(line.substring(7)));
                        } else {
                            synchronized (other) {
                                other.add(line);
                            }
                        }
                    }
                } catch (Exception ignored) {
                    // the pipe closes when the process is killed
                }
            });
            reader.start();
            long deadline = System.currentTimeMillis() + 60_000;
            while (lastAck.get() < nextBatch && System.currentTimeMillis() < deadline && p.isAlive()) {
                Thread.sleep(5);
            }
            if (lastAck.get() < nextBatch && p.isAlive()) {
                // Stuck: say where, before the assertion below fails.
                Process dump = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(p.pid()), "Thread.print").redirectErrorStream(true).start();
                synchronized (other) {
                    other.add(new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            assertThat(lastAck.get()).as("round %d: the child acknowledged something; output: %s", round, other)
                    .isGreaterThanOrEqualTo(nextBatch);
            if (blocks && round % 3 == 0) {
                // Every third round runs until the child has cut a block more than it had, so that
                // kills also land after (and during) cuts, checkpoints and compactions.
                int first = -1;
                while (System.currentTimeMillis() < deadline && p.isAlive()) {
                    int seen = blocksSeen.get();
                    if (first < 0) {
                        first = seen;
                    } else if (seen > first) {
                        break;
                    }
                    Thread.sleep(5);
                }
            }
            Thread.sleep(random.nextInt(400));
            long acked = lastAck.get(); // read before the kill: everything up to here was acknowledged
            p.destroyForcibly(); // SIGKILL
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(5_000);
            synchronized (other) {
                other.stream().filter(l -> l.startsWith("REPLAYED")).forEach(replayTimes::add);
            }

            long maxPresent = verify(acked, round);
            nextBatch = maxPresent + 1;
        }
        if (blocks) {
            try (TsdbStorage s = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS,
                    CrashIngester.blockOptions(true, 0))) {
                assertThat(s.blocks()).as("blocks cut while the process was being killed").isNotEmpty();
                System.out.println("blocks: " + s.blocks().size() + ", quarantined: " + s.quarantinedBlocks());
                assertThat(s.quarantinedBlocks()).isEmpty();
            }
        }
        System.out.println("restart times (REPLAYED ms samples): " + replayTimes);
        System.out.println("torn tails repaired: " + repairs);
        assertThat(replayTimes).hasSize(25);
    }

    /** Checks batches 0..acked are whole, no batch is partial; returns the newest batch present. */
    private long verify(long acked, int round) throws Exception {
        try (TsdbStorage s = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS,
                CrashIngester.blockOptions(blocks, 0))) {
            Map<Long, Integer> perBatch = new HashMap<>();
            try (Querier q = s.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
                SeriesSet set = q.select(false, null, LabelMatcher.equal("__name__", "crash_test"));
                while (set.next()) {
                    SampleIterator it = set.at().iterator(null);
                    while (it.next()) {
                        long batch = (long) it.value();
                        long expectedT = CrashIngester.T0 + batch * CrashIngester.step(blocks);
                        assertThat(it.timestamp()).isIn(expectedT, expectedT + 1000);
                        perBatch.merge(batch, 1, Integer::sum);
                    }
                }
            }
            long max = -1;
            for (var e : perBatch.entrySet()) {
                assertThat(e.getValue()).as("round %d: batch %d is whole", round, e.getKey())
                        .isEqualTo(2 * CrashIngester.SERIES);
                max = Math.max(max, e.getKey());
            }
            for (long b = 0; b <= acked; b++) {
                assertThat(perBatch).as("round %d: acknowledged batch %d survived", round, b).containsKey(b);
            }
            String repair = s.replayReport().repair();
            if (repair != null) {
                // Linux may cut a multi-page write(2) short when SIGKILL arrives: the write never returned,
                // so nothing in it was acknowledged (checked above), and only the log's tail may be torn: a
                // torn last record, or a segment just created whose header was not written yet.
                assertThat(repair).as("round %d", round).doesNotContain("removed later segments")
                        .containsAnyOf("torn record", "segment shorter than its header");
                repairs.add("round " + round + ": " + repair);
            }
            return max;
        }
    }
}
