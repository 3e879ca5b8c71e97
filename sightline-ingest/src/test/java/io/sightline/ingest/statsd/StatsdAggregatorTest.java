package io.sightline.ingest.statsd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.Labels;
import io.sightline.ingest.SeriesSink;
import io.sightline.ingest.statsd.StatsdAggregator.Options;
import io.sightline.ingest.statsd.StatsdAggregator.Outcome;
import io.sightline.ingest.statsd.StatsdAggregator.TimerType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatsdAggregatorTest {
    static final long T0 = 1_795_000_000_000L;

    static final Options SUMMARY = new Options(TimerType.SUMMARY, List.of(0.5, 0.9, 0.99), List.of(0.1, 1.0), 100);
    static final Options HISTOGRAM = new Options(TimerType.HISTOGRAM, List.of(0.5), List.of(0.1, 0.5, 1.0), 100);

    static Outcome send(StatsdAggregator a, String line) {
        try {
            return a.observe(StatsdParser.parseLine(line));
        } catch (io.sightline.ingest.LineRefused e) {
            throw new AssertionError(line + ": " + e.getMessage(), e);
        }
    }

    static void sendAll(StatsdAggregator a, String... lines) {
        for (String l : lines) {
            assertThat(send(a, l)).as(l).isEqualTo(Outcome.ACCEPTED);
        }
    }

    /** The flushed series as {@code labels value @t}, sorted. */
    static List<String> flush(StatsdAggregator a, long t) {
        List<String> out = new ArrayList<>();
        int n = a.flush(t, new SeriesSink() {
            @Override
            public void series(Labels labels, long[] timestamps, double[] values, int count) {
                assertThat(count).isEqualTo(1);
                out.add(labels + " " + values[0] + " @" + timestamps[0]);
            }

            @Override
            public void invalid(String series, String reason, int samples) {
                throw new AssertionError("a flush refuses nothing: " + series + " " + reason);
            }
        });
        assertThat(n).isEqualTo(out.size());
        out.sort(null);
        return out;
    }

    @Test
    void counter_dividesBySampleRate_andAccumulatesAcrossFlushes() {
        StatsdAggregator a = new StatsdAggregator(SUMMARY, 1);
        sendAll(a, "hits:1|c", "hits:1|c|@0.1", "hits:2|c|#code:200", "hits:0.5|c|@0.5|#code:200");
        assertThat(flush(a, T0)).containsExactly(
                "hits 11.0 @" + T0,
                "hits{code=\"200\"} 3.0 @" + T0);
        sendAll(a, "hits:4|c");
        assertThat(flush(a, T0 + 10_000)).containsExactly(
                "hits 15.0 @" + (T0 + 10_000),
                "hits{code=\"200\"} 3.0 @" + (T0 + 10_000));
        assertThat(flush(a, T0 + 20_000)).as("never reset at a flush").containsExactly(
                "hits 15.0 @" + (T0 + 20_000),
                "hits{code=\"200\"} 3.0 @" + (T0 + 20_000));
    }

    @Test
    void gauge_setsAndChanges_andHoldsItsValue() {
        StatsdAggregator a = new StatsdAggregator(SUMMARY, 1);
        sendAll(a, "temp:+5|g", "queue:10|g", "queue:+3|g", "queue:-1.5|g", "queue:-1|g");
        assertThat(flush(a, T0)).containsExactly("queue 10.5 @" + T0, "temp 5.0 @" + T0);
        sendAll(a, "queue:4|g|@0.5");
        assertThat(flush(a, T0 + 1)).containsExactly("queue 4.0 @" + (T0 + 1), "temp 5.0 @" + (T0 + 1));
        sendAll(a, "temp:NaN|g");
        assertThat(flush(a, T0 + 2)).containsExactly("queue 4.0 @" + (T0 + 2), "temp NaN @" + (T0 + 2));
    }

    @Test
    void timers_toSummary_inSeconds_quantilesOverTheWindow_sumAndCountCumulative() {
        StatsdAggregator a = new StatsdAggregator(SUMMARY, 1);
        for (int ms = 1; ms <= 100; ms++) {
            sendAll(a, "lat:" + ms + "|ms|#op:get");
        }
        assertThat(flush(a, T0)).containsExactly(
                "lat_count{op=\"get\"} 100.0 @" + T0,
                "lat_sum{op=\"get\"} 5.05 @" + T0,
                "lat{op=\"get\", quantile=\"0.5\"} 0.05 @" + T0,
                "lat{op=\"get\", quantile=\"0.9\"} 0.09 @" + T0,
                "lat{op=\"get\", quantile=\"0.99\"} 0.099 @" + T0);
        assertThat(flush(a, T0 + 10_000)).as("an empty window: NaN quantiles, totals kept").containsExactly(
                "lat_count{op=\"get\"} 100.0 @" + (T0 + 10_000),
                "lat_sum{op=\"get\"} 5.05 @" + (T0 + 10_000),
                "lat{op=\"get\", quantile=\"0.5\"} NaN @" + (T0 + 10_000),
                "lat{op=\"get\", quantile=\"0.9\"} NaN @" + (T0 + 10_000),
                "lat{op=\"get\", quantile=\"0.99\"} NaN @" + (T0 + 10_000));
        sendAll(a, "lat:1000|ms|@0.5|#op:get");
        assertThat(flush(a, T0 + 20_000)).containsExactly(
                "lat_count{op=\"get\"} 102.0 @" + (T0 + 20_000),
                "lat_sum{op=\"get\"} 7.05 @" + (T0 + 20_000),
                "lat{op=\"get\", quantile=\"0.5\"} 1.0 @" + (T0 + 20_000),
                "lat{op=\"get\", quantile=\"0.9\"} 1.0 @" + (T0 + 20_000),
                "lat{op=\"get\", quantile=\"0.99\"} 1.0 @" + (T0 + 20_000));
    }

    @Test
    void histogramsAndDistributions_areNotConverted() {
        StatsdAggregator a = new StatsdAggregator(SUMMARY, 1);
        sendAll(a, "size:250|h", "size:750|d");
        assertThat(flush(a, T0)).containsExactly(
                "size_count 2.0 @" + T0,
                "size_sum 1000.0 @" + T0,
                "size{quantile=\"0.5\"} 250.0 @" + T0,
                "size{quantile=\"0.9\"} 750.0 @" + T0,
                "size{quantile=\"0.99\"} 750.0 @" + T0);
    }

    @Test
    void timers_toHistogram_cumulativeBuckets_withSampleRateWeights() {
        StatsdAggregator a = new StatsdAggregator(HISTOGRAM, 1);
        sendAll(a, "lat:50|ms", "lat:100|ms", "lat:400|ms|@0.5", "lat:2000|ms", "lat:0.7|h");
        assertThat(flush(a, T0)).containsExactly(
                "lat_bucket{le=\"+Inf\"} 6.0 @" + T0,
                "lat_bucket{le=\"0.1\"} 2.0 @" + T0,
                "lat_bucket{le=\"0.5\"} 4.0 @" + T0,
                "lat_bucket{le=\"1\"} 5.0 @" + T0,
                "lat_count 6.0 @" + T0,
                "lat_sum " + (2950.0 / 1000 + 0.7) + " @" + T0); // milliseconds summed, then converted
        sendAll(a, "lat:1|ms");
        assertThat(flush(a, T0 + 1)).containsExactly(
                "lat_bucket{le=\"+Inf\"} 7.0 @" + (T0 + 1),
                "lat_bucket{le=\"0.1\"} 3.0 @" + (T0 + 1),
                "lat_bucket{le=\"0.5\"} 5.0 @" + (T0 + 1),
                "lat_bucket{le=\"1\"} 6.0 @" + (T0 + 1),
                "lat_count 7.0 @" + (T0 + 1),
                "lat_sum " + (2951.0 / 1000 + 0.7) + " @" + (T0 + 1));
    }

    @Test
    void sets_countDistinctMembersPerInterval() {
        StatsdAggregator a = new StatsdAggregator(SUMMARY, 1);
        sendAll(a, "users:alice|s", "users:bob|s", "users:alice|s", "users:1|s|#app:web");
        assertThat(flush(a, T0)).containsExactly("users 2.0 @" + T0, "users{app=\"web\"} 1.0 @" + T0);
        sendAll(a, "users:carol|s");
        assertThat(flush(a, T0 + 10_000)).containsExactly(
                "users 1.0 @" + (T0 + 10_000), "users{app=\"web\"} 0.0 @" + (T0 + 10_000));
    }

    @Test
    void oneNameOneType_andTimerSuffixesAreTaken() {
        StatsdAggregator a = new StatsdAggregator(HISTOGRAM, 1);
        sendAll(a, "x:1|c", "lat:1|ms", "q_count:1|c");
        assertThat(send(a, "x:1|g")).isEqualTo(Outcome.TYPE_CONFLICT);
        assertThat(send(a, "x:1|g|#other:tags")).isEqualTo(Outcome.TYPE_CONFLICT);
        assertThat(send(a, "x:1|ms")).isEqualTo(Outcome.TYPE_CONFLICT);
        assertThat(send(a, "lat:1|h")).as("ms, h and d share the family").isEqualTo(Outcome.ACCEPTED);
        assertThat(send(a, "lat_sum:1|c")).isEqualTo(Outcome.TYPE_CONFLICT);
        assertThat(send(a, "lat_bucket:1|g")).isEqualTo(Outcome.TYPE_CONFLICT);
        assertThat(send(a, "q:1|ms")).isEqualTo(Outcome.TYPE_CONFLICT);
        assertThat(send(a, "t:1|ms|#le:1")).isEqualTo(Outcome.RESERVED_LABEL);
        assertThat(send(a, "t:1|d|#quantile:1")).isEqualTo(Outcome.RESERVED_LABEL);
        assertThat(send(a, "c:1|c|#le:1")).as("only timers reserve le").isEqualTo(Outcome.ACCEPTED);
        assertThat(a.families()).containsOnlyKeys("x", "lat", "q_count", "c");
    }

    @Test
    void maxSeries_refusesNewSeries_keepsKnownOnes() {
        StatsdAggregator a = new StatsdAggregator(new Options(TimerType.SUMMARY, List.of(0.5), List.of(1.0), 2), 1);
        sendAll(a, "a:1|c", "b:1|ms");
        assertThat(send(a, "c:1|c")).isEqualTo(Outcome.SERIES_LIMIT);
        assertThat(send(a, "a:1|c|#new:tag")).isEqualTo(Outcome.SERIES_LIMIT);
        assertThat(send(a, "a:1|c")).isEqualTo(Outcome.ACCEPTED);
        assertThat(a.series()).isEqualTo(2);
        assertThat(flush(a, T0)).containsExactly("a 2.0 @" + T0, "b_count 1.0 @" + T0, "b_sum 0.001 @" + T0,
                "b{quantile=\"0.5\"} 0.001 @" + T0);
    }

    @Test
    void reconfigure_timerShapeChange_restartsTimersOnly() {
        StatsdAggregator a = new StatsdAggregator(SUMMARY, 1);
        sendAll(a, "n:5|c", "g:7|g", "lat:100|ms");
        a.reconfigure(new Options(TimerType.SUMMARY, SUMMARY.quantiles(), SUMMARY.buckets(), 5));
        assertThat(a.series()).as("only max_series changed: nothing dropped").isEqualTo(3);
        a.reconfigure(HISTOGRAM);
        assertThat(flush(a, T0)).containsExactly("g 7.0 @" + T0, "n 5.0 @" + T0);
        sendAll(a, "lat:100|ms", "lat_sum_x:1|c");
        assertThat(flush(a, T0 + 1)).containsExactly(
                "g 7.0 @" + (T0 + 1),
                "lat_bucket{le=\"+Inf\"} 1.0 @" + (T0 + 1),
                "lat_bucket{le=\"0.1\"} 1.0 @" + (T0 + 1),
                "lat_bucket{le=\"0.5\"} 1.0 @" + (T0 + 1),
                "lat_bucket{le=\"1\"} 1.0 @" + (T0 + 1),
                "lat_count 1.0 @" + (T0 + 1),
                "lat_sum 0.1 @" + (T0 + 1),
                "lat_sum_x 1.0 @" + (T0 + 1),
                "n 5.0 @" + (T0 + 1));
    }

    @Test
    void summaryWindow_isBounded_andSamplesUniformly() {
        StatsdAggregator a = new StatsdAggregator(new Options(TimerType.SUMMARY, List.of(0.5), List.of(1.0), 10), 42);
        for (int i = 0; i < 100_000; i++) {
            sendAll(a, "lat:" + (i % 1000) + "|h");
        }
        List<String> got = flush(a, T0);
        assertThat(got).contains("lat_count 100000.0 @" + T0, "lat_sum 4.995E7 @" + T0);
        double median = Double.parseDouble(got.stream().filter(s -> s.contains("quantile")).findFirst().orElseThrow()
                .split(" ")[1]);
        assertThat(median).as("median of a uniform 0..999 from a 1024-sample reservoir").isBetween(400.0, 600.0);
    }

    @Test
    void quantiles_weightedNearestRank() {
        double[] v = {3, 1, 2, 4};
        double[] w = {1, 1, 1, 1};
        assertThat(StatsdAggregator.quantiles(v, w, 4, new double[] {0, 0.25, 0.5, 0.51, 1}))
                .containsExactly(1, 1, 2, 3, 4);
        assertThat(StatsdAggregator.quantiles(v, new double[] {1, 1, 1, 5}, 4, new double[] {0.5}))
                .containsExactly(4);
        assertThat(StatsdAggregator.quantiles(v, w, 0, new double[] {0.5})).containsExactly(Double.NaN);
    }

    @Test
    void options_areChecked() {
        assertThatThrownBy(() -> new Options(TimerType.SUMMARY, List.of(0.5, 1.5), List.of(1.0), 1))
                .hasMessage("cannot aggregate StatsD: quantiles [0.5, 1.5] must be in [0, 1] without repeats");
        assertThatThrownBy(() -> new Options(TimerType.SUMMARY, List.of(0.5, 0.5), List.of(1.0), 1))
                .hasMessage("cannot aggregate StatsD: quantiles [0.5, 0.5] must be in [0, 1] without repeats");
        assertThatThrownBy(() -> new Options(TimerType.HISTOGRAM, List.of(0.5), List.of(1.0, 1.0), 1))
                .hasMessage("cannot aggregate StatsD: buckets [1.0, 1.0] must be finite and strictly increasing");
        assertThatThrownBy(() -> new Options(TimerType.HISTOGRAM, List.of(0.5), List.of(Double.POSITIVE_INFINITY), 1))
                .hasMessage("cannot aggregate StatsD: buckets [Infinity] must be finite and strictly increasing");
        assertThatThrownBy(() -> new Options(TimerType.HISTOGRAM, List.of(0.5), List.of(1.0), 0))
                .hasMessage("cannot aggregate StatsD: max series 0 is below 1");
    }

    /**
     * Property: for random event streams, counters equal the sum of their increments over the rates,
     * histogram buckets are monotonic and end at the count, and every flushed name is a valid metric name.
     */
    @Test
    void randomStreams_keepTheInvariants_seeded() {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        for (int round = 0; round < 50; round++) {
            StatsdAggregator a = new StatsdAggregator(r.nextBoolean() ? SUMMARY : HISTOGRAM, r.nextLong());
            double expected = 0;
            for (int i = 0; i < 500; i++) {
                double rate = (1 + r.nextInt(10)) / 10.0;
                int v = r.nextInt(100);
                switch (r.nextInt(3)) {
                    case 0 -> {
                        send(a, "c:" + v + "|c|@" + rate);
                        expected += v / rate;
                    }
                    case 1 -> send(a, "t:" + v + "|ms|@" + rate + "|#k:" + r.nextInt(3));
                    default -> send(a, "s:" + v + "|s");
                }
            }
            List<String> got = flush(a, T0);
            String counter = got.stream().filter(s -> s.startsWith("c ")).findFirst().orElse("c 0.0");
            assertThat(Double.parseDouble(counter.split(" ")[1])).as("seed %d", seed).isCloseTo(expected,
                    org.assertj.core.data.Offset.offset(1e-6 * Math.max(1, expected)));
            for (String k : List.of("0", "1", "2")) {
                List<Double> buckets = got.stream().filter(s -> s.startsWith("t_bucket{k=\"" + k + "\", le="))
                        .sorted(java.util.Comparator.comparingDouble(StatsdAggregatorTest::le))
                        .map(s -> Double.parseDouble(s.split(" ")[2])).toList();
                assertThat(buckets).as("seed %d", seed).isSorted();
            }
        }
    }

    private static double le(String s) {
        String le = s.substring(s.indexOf("le=\"") + 4, s.indexOf('"', s.indexOf("le=\"") + 4));
        return le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
    }
}
