package io.sightline.tsdb.head;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.roaringbitmap.RoaringBitmap;

/**
 * Resolving selectors against the inverted index of a node_exporter-like head: 28 hosts x 16 CPUs x 8
 * modes of {@code node_cpu_seconds_total} among 20,000 series. (In the head's package: the index is
 * internal.)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PostingsBenchmark {
    Postings postings;
    LabelMatcher cpu = LabelMatcher.equal("__name__", "node_cpu_seconds_total");
    LabelMatcher notIdle = LabelMatcher.notEqual("mode", "idle");
    LabelMatcher host = LabelMatcher.equal("instance", "host-7:9100");
    LabelMatcher hostsRegex = LabelMatcher.regex("instance", "host-1.*");

    @Setup(Level.Trial)
    public void setUp() {
        postings = new Postings();
        int ref = 1;
        String[] modes = {"idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"};
        for (int h = 0; h < 28; h++) {
            for (int c = 0; c < 16; c++) {
                for (String m : modes) {
                    postings.add(ref++, Labels.of("__name__", "node_cpu_seconds_total", "instance", "host-" + h + ":9100",
                            "cpu", Integer.toString(c), "mode", m, "job", "node"));
                }
            }
        }
        while (ref < 20_000) {
            postings.add(ref, Labels.of("__name__", "metric_" + (ref % 400), "instance", "host-" + (ref % 28) + ":9100",
                    "job", "node"));
            ref++;
        }
    }

    @Benchmark
    public RoaringBitmap metricAndNotEqual() {
        return postings.select(cpu, notIdle);
    }

    @Benchmark
    public RoaringBitmap metricAndHost() {
        return postings.select(cpu, host);
    }

    @Benchmark
    public RoaringBitmap metricAndRegex() {
        return postings.select(cpu, hostsRegex, notIdle);
    }
}
