package io.sightline.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.alerting.notify.TimeInterval.MinuteRange;
import io.sightline.alerting.notify.TimeInterval.Range;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Alertmanager's time interval semantics, field by field. */
class TimeIntervalTest {
    private static TimeInterval only(List<MinuteRange> times, List<Range> weekdays, List<Range> days, List<Range> months,
            List<Range> years, ZoneId zone) {
        return new TimeInterval(times, weekdays, days, months, years, zone);
    }

    private static boolean in(TimeInterval t, String instant) {
        return t.contains(Instant.parse(instant));
    }

    @Test
    void emptyInterval_containsEverything() {
        TimeInterval all = only(List.of(), List.of(), List.of(), List.of(), List.of(), ZoneOffset.UTC);
        assertThat(in(all, "2026-12-04T13:00:00Z")).isTrue();
    }

    @Test
    void timesOfDay_startInclusive_endExclusive() {
        TimeInterval evening = only(List.of(new MinuteRange(17 * 60, 24 * 60)), List.of(), List.of(), List.of(), List.of(),
                ZoneOffset.UTC);
        assertThat(in(evening, "2026-12-04T16:59:59Z")).isFalse();
        assertThat(in(evening, "2026-12-04T17:00:00Z")).isTrue();
        assertThat(in(evening, "2026-12-04T23:59:59Z")).isTrue();
        assertThat(in(evening, "2026-12-05T00:00:00Z")).isFalse();
    }

    @Test
    void weekdays_sundayIsZero_andTheZoneDecidesTheDay() {
        TimeInterval weekend = only(List.of(), List.of(new Range(6, 6), new Range(0, 0)), List.of(), List.of(), List.of(),
                ZoneId.of("Asia/Tokyo"));
        assertThat(in(weekend, "2026-12-04T16:00:00Z")).as("Friday 16:00 UTC is Saturday 01:00 in Tokyo").isTrue();
        assertThat(in(weekend, "2026-12-04T14:00:00Z")).isFalse();
        assertThat(in(weekend, "2026-12-06T12:00:00Z")).as("Sunday").isTrue();
        assertThat(in(weekend, "2026-12-07T12:00:00Z")).as("Monday").isFalse();
    }

    @Test
    void daysOfMonth_negativeCountFromTheEnd_andRangesAreClamped() {
        TimeInterval lastTwo = only(List.of(), List.of(), List.of(new Range(-2, -1)), List.of(), List.of(), ZoneOffset.UTC);
        assertThat(in(lastTwo, "2026-02-27T12:00:00Z")).isTrue();
        assertThat(in(lastTwo, "2026-02-26T12:00:00Z")).isFalse();
        assertThat(in(lastTwo, "2026-12-30T12:00:00Z")).isTrue();
        TimeInterval thirtieth = only(List.of(), List.of(), List.of(new Range(30, 31)), List.of(), List.of(), ZoneOffset.UTC);
        assertThat(in(thirtieth, "2026-02-28T12:00:00Z")).as("February has no 30th").isFalse();
        TimeInterval endOfMonth = only(List.of(), List.of(), List.of(new Range(25, 31)), List.of(), List.of(), ZoneOffset.UTC);
        assertThat(in(endOfMonth, "2026-02-28T12:00:00Z")).isTrue();
    }

    @Test
    void everyGivenField_mustMatch() {
        TimeInterval decemberWorkdayMornings2026 = only(List.of(new MinuteRange(9 * 60, 12 * 60)), List.of(new Range(1, 5)),
                List.of(), List.of(new Range(12, 12)), List.of(new Range(2026, 2026)), ZoneOffset.UTC);
        assertThat(in(decemberWorkdayMornings2026, "2026-12-04T10:00:00Z")).isTrue();
        assertThat(in(decemberWorkdayMornings2026, "2026-12-05T10:00:00Z")).as("Saturday").isFalse();
        assertThat(in(decemberWorkdayMornings2026, "2026-11-04T10:00:00Z")).as("November").isFalse();
        assertThat(in(decemberWorkdayMornings2026, "2027-12-03T10:00:00Z")).as("2027").isFalse();
        assertThat(in(decemberWorkdayMornings2026, "2026-12-04T13:00:00Z")).as("afternoon").isFalse();
    }
}
