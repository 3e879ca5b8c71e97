package io.sightline.tsdb.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.tsdb.ArraySampleIterator;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.StaleNaN;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Rollup windows against a direct computation over the samples, on seeded random series. */
class RollupIteratorTest {
    private static final long M5 = Downsampler.FIVE_MINUTES;
    private static final long H1 = Downsampler.ONE_HOUR;

    private record Sample(long t, double v) {}

    private static List<Sample> random(Random r, long start) {
        List<Sample> out = new ArrayList<>();
        long t = start + r.nextInt(600_000);
        int n = r.nextInt(600);
        for (int i = 0; i < n; i++) {
            double v = switch (r.nextInt(12)) {
                case 0 -> StaleNaN.VALUE;
                case 1 -> Double.NaN;
                case 2 -> -r.nextDouble() * 1e6;
                default -> Math.round(r.nextGaussian() * 1000) / 8.0;
            };
            out.add(new Sample(t, v));
            // Mostly a regular interval, sometimes a gap of hours.
            t += r.nextInt(20) == 0 ? 1 + r.nextInt(3 * 3_600_000) : 1 + r.nextInt(60_000);
        }
        return out;
    }

    private static SampleIterator iterator(List<Sample> s) {
        long[] ts = new long[s.size()];
        double[] vs = new double[s.size()];
        for (int i = 0; i < s.size(); i++) {
            ts[i] = s.get(i).t;
            vs[i] = s.get(i).v;
        }
        return new ArraySampleIterator(ts, vs, s.size());
    }

    /** The windows as the definition says, computed independently. */
    private static List<Sample> expected(List<Sample> raw, Read read, long res, long from) {
        java.util.TreeMap<Long, List<Double>> windows = new java.util.TreeMap<>();
        for (Sample s : raw) {
            if (s.t >= from) {
                windows.computeIfAbsent(Math.floorDiv(s.t, res) * res, k -> new ArrayList<>()).add(s.v);
            }
        }
        List<Sample> out = new ArrayList<>();
        for (var e : windows.entrySet()) {
            List<Double> all = e.getValue();
            List<Double> live = all.stream().filter(v -> !StaleNaN.is(v)).toList();
            long stamp = e.getKey() + res - 1;
            if (read == Read.LAST) {
                out.add(new Sample(stamp, all.get(all.size() - 1)));
                continue;
            }
            if (live.isEmpty()) {
                continue;
            }
            double sum = 0;
            for (double v : live) {
                sum += v;
            }
            List<Double> numbers = live.stream().filter(v -> !Double.isNaN(v)).toList();
            double v = switch (read) {
                case COUNT -> live.size();
                case SUM -> sum;
                case AVG -> sum / live.size();
                case MIN -> numbers.isEmpty() ? Double.NaN : numbers.stream().mapToDouble(x -> x).min().getAsDouble();
                case MAX -> numbers.isEmpty() ? Double.NaN : numbers.stream().mapToDouble(x -> x).max().getAsDouble();
                default -> throw new IllegalStateException();
            };
            out.add(new Sample(stamp, v));
        }
        return out;
    }

    private static List<Sample> drain(SampleIterator it, boolean first) {
        List<Sample> out = new ArrayList<>();
        boolean more = first;
        while (more) {
            out.add(new Sample(it.timestamp(), it.value()));
            more = it.next();
        }
        return out;
    }

    private static void assertSame(List<Sample> actual, List<Sample> expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            assertThat(actual.get(i).t).as(what + " #" + i).isEqualTo(expected.get(i).t);
            assertThat(Double.doubleToRawLongBits(actual.get(i).v)).as(what + " #" + i + " " + actual.get(i).v
                    + " vs " + expected.get(i).v).isEqualTo(Double.doubleToRawLongBits(expected.get(i).v));
        }
    }

    @Test
    void everyRead_matchesTheWindowsComputedDirectly_seeded() {
        Random r = new Random(20261204);
        for (int round = 0; round < 300; round++) {
            List<Sample> raw = random(r, -7_200_000L + r.nextInt(14_400_000));
            long res = r.nextBoolean() ? M5 : H1;
            for (Read read : Read.values()) {
                if (read.stored() == null) {
                    continue; // two reads combined by the querier (DownsamplingTest; counters below)
                }
                String what = "round " + round + " " + read + " at " + res;
                SampleIterator it = new RollupIterator(iterator(raw), read, res);
                assertSame(drain(it, it.next()), expected(raw, read, res, Long.MIN_VALUE), what);
                assertThat(it.next()).as(what + ": stays exhausted").isFalse();
                // From a lower bound, and seeking forward by random steps.
                long from = Math.floorDiv(-3_600_000L + r.nextInt(7_200_000), res) * res;
                List<Sample> exp = expected(raw, read, res, from);
                it = new RollupIterator(iterator(raw), read, res, from);
                assertSame(drain(it, it.next()), exp, what + " from " + from);
                it = new RollupIterator(iterator(raw), read, res, from);
                long target = from - 600_000;
                int i = 0;
                while (true) {
                    target += r.nextInt(2_000_000);
                    boolean found = it.seek(target);
                    while (i < exp.size() && exp.get(i).t < target) {
                        i++;
                    }
                    assertThat(found).as(what + " seek " + target).isEqualTo(i < exp.size());
                    if (!found) {
                        break;
                    }
                    assertThat(it.timestamp()).as(what + " seek " + target).isEqualTo(exp.get(i).t);
                    assertThat(Double.doubleToRawLongBits(it.value()))
                            .isEqualTo(Double.doubleToRawLongBits(exp.get(i).v));
                    // Seeking to where it is stays put.
                    assertThat(it.seek(target)).isTrue();
                    assertThat(it.timestamp()).isEqualTo(exp.get(i).t);
                }
            }
        }
    }

    @Test
    void fiveMinuteRollups_combineIntoTheSameHourlyWindows_asTheRawSamples_seeded() {
        Random r = new Random(42);
        for (int round = 0; round < 300; round++) {
            List<Sample> raw = random(r, r.nextInt(7_200_000));
            for (Aggregate a : Aggregate.values()) {
                String what = "round " + round + " " + a;
                SampleIterator fine = new RollupIterator(iterator(raw), Read.of(a), M5);
                SampleIterator coarse = new RollupIterator(fine, Read.of(a.combinedBy()), H1);
                List<Sample> direct = expected(raw, Read.of(a), H1, Long.MIN_VALUE);
                List<Sample> combined = drain(coarse, coarse.next());
                if (a != Aggregate.SUM) {
                    assertSame(combined, direct, what);
                    continue;
                }
                // Sums add in another order: equal to rounding.
                assertThat(combined).as(what).hasSameSizeAs(direct);
                for (int i = 0; i < combined.size(); i++) {
                    assertThat(combined.get(i).t).isEqualTo(direct.get(i).t);
                    double x = combined.get(i).v;
                    double y = direct.get(i).v;
                    if (Double.isNaN(y)) {
                        assertThat(x).as(what).isNaN();
                    } else {
                        assertThat(Math.abs(x - y)).as(what + " #" + i)
                                .isLessThanOrEqualTo(1e-9 * Math.max(1, Math.abs(y)) * 600);
                    }
                }
            }
        }
    }

    @Test
    void aWindowOfOnlyStaleMarkers_yieldsItsLastValueAndNothingElse() {
        List<Sample> raw = List.of(new Sample(10_000, 5), new Sample(20_000, 7), new Sample(M5 + 1, StaleNaN.VALUE));
        SampleIterator last = new RollupIterator(iterator(raw), Read.LAST, M5);
        assertThat(drain(last, last.next())).extracting(Sample::t).containsExactly(M5 - 1, 2 * M5 - 1);
        SampleIterator count = new RollupIterator(iterator(raw), Read.COUNT, M5);
        List<Sample> counts = drain(count, count.next());
        assertThat(counts).extracting(Sample::t).containsExactly(M5 - 1);
        assertThat(counts.get(0).v).isEqualTo(2.0);
    }

    /** Prometheus's increase without extrapolation: rises, plus the whole value after each drop. */
    private static double increase(List<Sample> s) {
        double inc = 0;
        for (int i = 1; i < s.size(); i++) {
            double d = s.get(i).v - s.get(i - 1).v;
            inc += d >= 0 ? d : s.get(i).v;
        }
        return inc;
    }

    private static SampleIterator counter(List<Sample> raw, long res) {
        return new CounterIterator(new RollupIterator(iterator(raw), Read.LAST, res),
                new RollupIterator(iterator(raw), Read.MAX, res));
    }

    @Test
    void counterRollups_countTheIncreaseBeforeAResetInsideAWindow_seeded() {
        Random r = new Random(5);
        int missedByLastValues = 0;
        for (int round = 0; round < 300; round++) {
            long res = r.nextBoolean() ? M5 : H1;
            // A counter scraped every 15 s with at most one reset per window, restarting low (below the
            // window's previous last value): the case the maximum recovers exactly.
            List<Sample> raw = new ArrayList<>();
            double v = 20_000 + r.nextInt(1000);
            long lastResetWindow = Long.MIN_VALUE;
            for (long t = r.nextInt(15_000); t < 12 * H1; t += 15_000) {
                long w = Math.floorDiv(t, res);
                // Resets only from above 10,000: a window climbs at most 1,200 after one, staying below.
                if (r.nextInt(100) == 0 && v > 10_000 && w != lastResetWindow && t % res > 30_000) {
                    v = 0;
                    lastResetWindow = w;
                } else {
                    v += r.nextInt(50) / 10.0;
                }
                raw.add(new Sample(t, v));
            }
            SampleIterator c = counter(raw, res);
            List<Sample> rolled = drain(c, c.next());
            // The rollups start at the first window's end: compare from the first raw sample stamped there.
            long first = rolled.get(0).t;
            List<Sample> rawFrom = raw.stream().filter(s -> s.t <= first).toList();
            List<Sample> tail = new ArrayList<>(List.of(rawFrom.get(rawFrom.size() - 1)));
            raw.stream().filter(s -> s.t > first).forEach(tail::add);
            // One point per window, increasing.
            SampleIterator plain = new RollupIterator(iterator(raw), Read.LAST, res);
            List<Sample> lasts = drain(plain, plain.next());
            assertThat(rolled).extracting(Sample::t).isEqualTo(lasts.stream().map(Sample::t).toList());
            double expected = increase(tail);
            assertThat(increase(rolled)).as("round " + round).isCloseTo(expected, org.assertj.core.api.Assertions
                    .within(1e-6 * Math.max(1, expected)));
            // The last values alone miss what came before the resets.
            if (increase(lasts) < expected - 1) {
                missedByLastValues++;
            }
            // Seeking lands on the same points.
            long target = rolled.get(rolled.size() / 2).t;
            SampleIterator s = counter(raw, res);
            assertThat(s.seek(target)).isTrue();
            assertThat(s.timestamp()).isEqualTo(target);
        }
        assertThat(missedByLastValues).as("rounds with a reset inside a window").isGreaterThan(50);
    }

    @Test
    void functionsMapToTheRollupThatAnswersThem() {
        assertThat(Read.forFunction(null)).isEqualTo(Read.LAST);
        assertThat(Read.forFunction("rate")).isEqualTo(Read.COUNTER);
        assertThat(Read.forFunction("increase")).isEqualTo(Read.COUNTER);
        assertThat(Read.forFunction("irate")).isEqualTo(Read.LAST);
        assertThat(Read.forFunction("max_over_time")).isEqualTo(Read.MAX);
        assertThat(Read.forFunction("avg_over_time")).isEqualTo(Read.AVG);
        assertThat(Read.forFunction("count_over_time")).isEqualTo(Read.COUNT);
        assertThat(Read.forFunction("quantile_over_time")).isNull();
        assertThat(Read.forFunction("changes")).isNull();
        assertThat(Read.forFunction("timestamp")).isNull();
    }
}
