package io.sightline.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DateFunctionsTest {
    static final List<String> NAMES = List.of("days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour",
            "minute", "month", "year");

    static double reference(String name, long seconds) {
        ZonedDateTime t = Instant.ofEpochSecond(seconds).atZone(ZoneOffset.UTC);
        return switch (name) {
            case "days_in_month" -> t.toLocalDate().lengthOfMonth();
            case "day_of_month" -> t.getDayOfMonth();
            case "day_of_week" -> t.getDayOfWeek().getValue() % 7;
            case "day_of_year" -> t.getDayOfYear();
            case "hour" -> t.getHour();
            case "minute" -> t.getMinute();
            case "month" -> t.getMonthValue();
            default -> t.getYear();
        };
    }

    @Test
    void agreesWithJavaTime_whereItReaches() {
        Random rnd = new Random(42);
        long[] scales = {86_400L * 400, 4_000_000_000L, 100_000_000_000L, 31_000_000_000_000_000L};
        for (int i = 0; i < 200_000; i++) {
            long bound = scales[i % scales.length];
            long s = rnd.nextLong() % bound;
            double seconds = s + (rnd.nextBoolean() ? rnd.nextDouble() : 0); // fractions truncate toward zero
            for (String name : NAMES) {
                assertThat(Functions.dateField(name, seconds)).as(name + " of " + seconds)
                        .isEqualTo(reference(name, (long) seconds));
            }
        }
        for (long s : new long[] {0, -1, 951_782_400L, 951_868_800L, -2_203_891_200L, 4_107_542_400L, 1_796_640_000L}) {
            for (String name : NAMES) {
                assertThat(Functions.dateField(name, s)).as(name + " of " + s).isEqualTo(reference(name, s));
            }
        }
    }

    @Test
    void farTimes_asPrometheusAnswersThem_andNaNBeyond() {
        // Debian's Prometheus 2.42: day_of_month(exp(39)) is 14 (PrometheusGoldenIT's random expressions).
        assertThat(Functions.dateField("day_of_month", Math.exp(39))).isEqualTo(14);
        // The calendar repeats every 146,097 days: the same place in the cycle read by java.time.
        long cycle = 146_097L * 86_400;
        for (double v : new double[] {Math.exp(39), Math.exp(40), -Math.exp(41), 8.9e18, -8.9e18}) {
            long s = (long) v;
            long inCycle = Math.floorMod(s, cycle);
            long cycles = Math.floorDiv(s, cycle);
            for (String name : NAMES) {
                double want = name.equals("year") ? reference(name, inCycle) + 400 * cycles : reference(name, inCycle);
                assertThat(Functions.dateField(name, v)).as(name + " of " + v).isEqualTo(want);
            }
        }
        for (double v : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e19, -1e19}) {
            for (String name : NAMES) {
                assertThat(Functions.dateField(name, v)).as(name + " of " + v).isNaN();
            }
        }
    }
}
