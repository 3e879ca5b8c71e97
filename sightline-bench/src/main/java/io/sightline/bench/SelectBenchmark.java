package io.sightline.bench;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.head.TsdbStorage;
import io.sightline.tsdb.wal.Wal;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Series selection in the head: postings resolved per matcher and intersected, then the matching
 * series' snapshots taken. 100,000 series (10 names x 1,000 instances x 10 cpus); score per select.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class SelectBenchmark {
    static final long T = 1_700_000_000_000L;

    /**
     * narrow: name and instance equal (10 series); regex: a name and an instance regex (200);
     * negative: a name and cpu!="0" (9,000).
     */
    @Param({"narrow", "regex", "negative"})
    public String selector;

    Path dir;
    TsdbStorage storage;
    LabelMatcher[] matchers;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("sightline-bench-select");
        storage = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS, Benchmarks.HEAD_ONLY);
        Appender a = storage.appender();
        for (int n = 0; n < 10; n++) {
            for (int i = 0; i < 1_000; i++) {
                for (int c = 0; c < 10; c++) {
                    a.append(0, Labels.of("__name__", "metric_" + n, "instance", "host-" + i, "cpu", Integer.toString(c)),
                            T, 1);
                }
            }
        }
        a.commit();
        matchers = switch (selector) {
            case "narrow" -> new LabelMatcher[] {LabelMatcher.equal("__name__", "metric_3"),
                    LabelMatcher.equal("instance", "host-42")};
            case "regex" -> new LabelMatcher[] {LabelMatcher.equal("__name__", "metric_3"),
                    LabelMatcher.regex("instance", "host-(1|2)[0-9]")};
            default -> new LabelMatcher[] {LabelMatcher.equal("__name__", "metric_3"), LabelMatcher.notEqual("cpu", "0")};
        };
    }

    @Benchmark
    public int select() {
        try (Querier q = storage.querier(T - 300_000, T)) {
            SeriesSet set = q.select(false, null, matchers);
            int n = 0;
            while (set.next()) {
                n += set.at().labels().size();
            }
            return n;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        storage.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
