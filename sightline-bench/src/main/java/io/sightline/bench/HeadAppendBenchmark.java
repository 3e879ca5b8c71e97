package io.sightline.bench;

import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.StorageException;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.head.TsdbStorage;
import io.sightline.tsdb.wal.Wal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The durable engine's append path, WAL included: one commit of 10,000 samples (500 series x 20, the
 * harness's request shape) to series that already exist. Score is per sample, on one core. With
 * {@code startTimes=cumulative}, each sample also carries its series' start time (as OTLP's cumulative points do),
 * which goes to the companion store of start times too.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class HeadAppendBenchmark {
    static final int SERIES = 500;
    static final int PER_SERIES = 20;

    @Param({"none", "cumulative"})
    public String startTimes;

    Path dir;
    TsdbStorage storage;
    Labels[] labels;
    long t = 1_700_000_000_000L;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("sightline-bench-head");
        storage = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS, Benchmarks.HEAD_ONLY);
        labels = new Labels[SERIES];
        for (int i = 0; i < SERIES; i++) {
            labels[i] = Labels.of("__name__", "node_cpu_seconds_total", "instance", "host-" + (i % 28) + ":9100",
                    "cpu", Integer.toString(i % 16), "mode", "m" + (i / 28));
        }
    }

    @Benchmark
    @OperationsPerInvocation(SERIES * PER_SERIES)
    public void commit10k() throws StorageException {
        Appender a = storage.appender();
        boolean starts = startTimes.equals("cumulative");
        for (int s = 0; s < SERIES; s++) {
            long ts = t;
            for (int k = 0; k < PER_SERIES; k++) {
                if (starts) {
                    a.append(0, labels[s], 1_600_000_000_000L + s, ts, ts * 0.001);
                } else {
                    a.append(0, labels[s], ts, ts * 0.001);
                }
                ts += 15_000;
            }
        }
        a.commit();
        t += PER_SERIES * 15_000L;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        storage.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException ignored) {
                    // temp dir
                }
            });
        }
    }
}
