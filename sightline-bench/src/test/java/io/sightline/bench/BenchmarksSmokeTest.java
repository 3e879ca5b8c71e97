package io.sightline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.tsdb.chunk.XorChunk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Every benchmark's setup and one operation run in the normal build, so a benchmark that no longer
 * measures what it claims (an exception, an empty result) fails here rather than in a late JMH run.
 */
class BenchmarksSmokeTest {
    @Test
    void chunk() {
        for (String shape : new String[] {"counter", "gauge"}) {
            ChunkBenchmark b = new ChunkBenchmark();
            b.shape = shape;
            b.setUp();
            XorChunk c = b.append();
            assertThat(c.numSamples()).isEqualTo(ChunkBenchmark.N);
            assertThat(b.iterate()).isNotZero();
        }
    }

    @Test
    void blockChunk() {
        for (String shape : new String[] {"counter", "centis", "noisy"}) {
            BlockChunkBenchmark b = new BlockChunkBenchmark();
            b.shape = shape;
            b.setUp();
            assertThat(b.decimal).as("decimal values take the decimal encoding").isNotNull();
            assertThat(b.planes.length).as(shape).isLessThan(b.decimal.length).isLessThan(b.xor.length);
            assertThat(b.encodeDecimal()).isEqualTo(b.decimal);
            assertThat(b.encodePlanes()).isEqualTo(b.planes);
            assertThat(b.iterateDecimal()).isEqualTo(b.iterateXor());
            assertThat(b.iteratePlanes()).isEqualTo(b.iterateXor());
        }
    }

    @Test
    void floatChunk() {
        for (String timestamps : new String[] {"aligned", "jitter"}) {
            FloatChunkBenchmark b = new FloatChunkBenchmark();
            b.timestamps = timestamps;
            b.setUp();
            assertThat(b.floats.length).as(timestamps).isLessThan(b.xor.length);
            assertThat(b.encodeFloat()).isEqualTo(b.floats);
            assertThat(b.iterateFloat()).isEqualTo(b.iterateXor());
        }
    }

    @Test
    void select() throws Exception {
        int[] expectedLabels = {10 * 3, 200 * 3, 9_000 * 3};
        String[] selectors = {"narrow", "regex", "negative"};
        for (int i = 0; i < selectors.length; i++) {
            SelectBenchmark b = new SelectBenchmark();
            b.selector = selectors[i];
            b.setUp();
            try {
                assertThat(b.select()).as(selectors[i]).isEqualTo(expectedLabels[i]);
            } finally {
                b.tearDown();
            }
        }
    }

    @Test
    void promqlEval() throws Exception {
        PromqlEvalBenchmark b = new PromqlEvalBenchmark();
        b.query = "sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m]))";
        b.setUp();
        try {
            var range = (io.sightline.promql.engine.QueryResult.Matrix) b.range6h().value();
            assertThat(range.series()).hasSize(28);
            // Every step but the first, where the 5m window holds one sample only.
            assertThat(range.series().get(0).values())
                    .hasSize((int) ((PromqlEvalBenchmark.END - PromqlEvalBenchmark.START) / 60_000));
            var instant = (io.sightline.promql.engine.QueryResult.Vector) b.instant().value();
            assertThat(instant.samples()).hasSize(28);
        } finally {
            b.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "cumulative"})
    void headAppend(String startTimes) throws Exception {
        HeadAppendBenchmark b = new HeadAppendBenchmark();
        b.startTimes = startTimes;
        b.setUp();
        try {
            b.commit10k();
            b.commit10k();
            assertThat(b.storage.stats().samplesAppended())
                    .isEqualTo(2L * HeadAppendBenchmark.SERIES * HeadAppendBenchmark.PER_SERIES);
            // With start times, the companion store holds one per sample.
            assertThat(b.dir.resolve("starts")).matches(p -> java.nio.file.Files.isDirectory(p) == startTimes.equals(
                    "cumulative"));
        } finally {
            b.tearDown();
        }
    }

    @Test
    void walReplay() throws Exception {
        WalReplayBenchmark b = new WalReplayBenchmark();
        b.write();
        try {
            assertThat(b.replay()).isEqualTo((long) WalReplayBenchmark.SERIES * WalReplayBenchmark.SAMPLES);
        } finally {
            b.delete();
        }
    }

    @Test
    void remoteWriteDecode() throws Exception {
        RemoteWriteDecodeBenchmark b = new RemoteWriteDecodeBenchmark();
        b.setUp();
        Blackhole bh = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        var r = b.decode(bh);
        assertThat(r.series()).isEqualTo(RemoteWriteDecodeBenchmark.SERIES);
        assertThat(r.samples()).isEqualTo((long) RemoteWriteDecodeBenchmark.SERIES * RemoteWriteDecodeBenchmark.PER_SERIES);
    }

    @Test
    void textParsers() throws Exception {
        TextParsersBenchmark b = new TextParsersBenchmark();
        b.setUp();
        Blackhole bh = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        assertThat(b.exposition(bh)).isEqualTo(TextParsersBenchmark.LINES);
        assertThat(b.influx(bh).samples()).isEqualTo(2L * TextParsersBenchmark.LINES);
    }

    @Test
    void postings() {
        io.sightline.tsdb.head.PostingsBenchmark b = new io.sightline.tsdb.head.PostingsBenchmark();
        b.setUp();
        assertThat(b.metricAndHost().getCardinality()).isEqualTo(16 * 8);
        assertThat(b.metricAndNotEqual().getCardinality()).isEqualTo(28 * 16 * 7);
        assertThat(b.metricAndRegex().getCardinality()).isEqualTo(11 * 16 * 7);
    }
}
