package io.sightline.bench;

import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Restart cost: opening a store whose WAL holds 2,000,000 samples of 2,000 series (WAL read, CRC,
 * decode, head rebuild with chunk files). Score per sample.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class WalReplayBenchmark {
    static final int SERIES = 2_000;
    static final int SAMPLES = 1_000;

    Path dir;

    @Setup(Level.Trial)
    public void write() throws Exception {
        dir = Files.createTempDirectory("sightline-bench-wal");
        try (TsdbStorage s = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS, Benchmarks.HEAD_ONLY)) {
            long t = 1_700_000_000_000L;
            for (int k = 0; k < SAMPLES; k += 20) {
                Appender a = s.appender();
                for (int i = 0; i < SERIES; i++) {
                    Labels l = Labels.of("__name__", "m" + (i % 50), "i", Integer.toString(i));
                    for (int j = 0; j < 20; j++) {
                        a.append(0, l, t + (k + j) * 15_000L, (k + j) * 1.5 + i);
                    }
                }
                a.commit();
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(SERIES * SAMPLES)
    public long replay() throws Exception {
        try (TsdbStorage s = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS, Benchmarks.HEAD_ONLY)) {
            return s.replayedSamples();
        }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
