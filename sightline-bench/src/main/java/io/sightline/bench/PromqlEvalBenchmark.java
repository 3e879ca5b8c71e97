package io.sightline.bench;

import io.sightline.common.Labels;
import io.sightline.promql.engine.Engine;
import io.sightline.promql.engine.EngineOptions;
import io.sightline.promql.engine.QueryResult;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.head.TsdbStorage;
import io.sightline.tsdb.wal.Wal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * The PromQL evaluator's hot paths over the durable head: 1,008 node CPU counters (28 hosts x 12 CPUs x
 * 3 modes) and 8 x 12 histogram buckets, 6 h at 15 s (1.5 M samples), queried as 6 h range queries at
 * step 60 s (361 steps) and as instant queries. Score is per query, on one core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class PromqlEvalBenchmark {
    static final long START = 1_700_000_000_000L;
    static final int STEPS = 6 * 240;
    static final long END = START + (STEPS - 1) * 15_000L;

    @Param({"sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m]))",
            "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
            "topk(5, rate(node_cpu_seconds_total[5m]))",
            "avg_over_time(node_cpu_seconds_total[15m]) > 100",
            "count by (instance) (node_cpu_seconds_total)"})
    public String query;

    Path dir;
    TsdbStorage storage;
    Engine engine;

    @Setup
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("sightline-bench-promql");
        storage = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS, Benchmarks.HEAD_ONLY);
        Random rnd = new Random(42);
        Labels[] cpu = new Labels[28 * 12 * 3];
        double[] cpuValue = new double[cpu.length];
        int i = 0;
        for (int h = 0; h < 28; h++) {
            for (int c = 0; c < 12; c++) {
                for (String mode : new String[] {"idle", "user", "system"}) {
                    cpu[i++] = Labels.of("__name__", "node_cpu_seconds_total", "instance", "host-" + h + ":9100",
                            "cpu", Integer.toString(c), "mode", mode, "job", "node");
                }
            }
        }
        String[] les = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"};
        Labels[] buckets = new Labels[8 * les.length];
        double[] bucketValue = new double[buckets.length];
        for (int inst = 0; inst < 8; inst++) {
            for (int b = 0; b < les.length; b++) {
                buckets[inst * les.length + b] = Labels.of("__name__", "http_request_duration_seconds_bucket",
                        "instance", "api-" + inst, "le", les[b], "job", "api");
            }
        }
        for (int step = 0; step < STEPS; step++) {
            long t = START + step * 15_000L;
            Appender a = storage.appender();
            for (int k = 0; k < cpu.length; k++) {
                cpuValue[k] += rnd.nextInt(1500) / 100.0;
                a.append(0, cpu[k], t, cpuValue[k]);
            }
            for (int inst = 0; inst < 8; inst++) {
                double cum = 0;
                for (int b = 0; b < les.length; b++) {
                    cum += rnd.nextInt(20);
                    bucketValue[inst * les.length + b] += cum;
                    a.append(0, buckets[inst * les.length + b], t, bucketValue[inst * les.length + b]);
                }
            }
            a.commit();
        }
        engine = new Engine(EngineOptions.defaults());
    }

    @TearDown
    public void tearDown() throws Exception {
        storage.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public QueryResult range6h() {
        return engine.rangeQuery(storage, query, START, END, 60_000);
    }

    @Benchmark
    public QueryResult instant() {
        return engine.instantQuery(storage, query, END);
    }
}
