package io.sightline.alerting.notify;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;

/**
 * One entry of an Alertmanager {@code time_intervals} definition: the times of day, weekdays, days of
 * the month, months and years it covers, in a time zone. A field left out matches everything; the time
 * is inside when every given field matches. Ranges are inclusive except times of day, which run from
 * {@code start_time} up to but not including {@code end_time} (so {@code 17:00} to {@code 24:00} is the
 * evening). Negative days of the month count from its end ({@code -1} is the last day).
 *
 * @param times minutes of the day, {@code [start, end)}
 * @param weekdays 0 (Sunday) to 6
 * @param daysOfMonth 1 to 31 or -31 to -1
 * @param months 1 to 12
 */
public record TimeInterval(List<MinuteRange> times, List<Range> weekdays, List<Range> daysOfMonth, List<Range> months,
        List<Range> years, ZoneId location) {

    public TimeInterval {
        times = List.copyOf(times);
        weekdays = List.copyOf(weekdays);
        daysOfMonth = List.copyOf(daysOfMonth);
        months = List.copyOf(months);
        years = List.copyOf(years);
    }

    /** Inclusive. */
    public record Range(int begin, int end) {
        boolean contains(int v) {
            return v >= begin && v <= end;
        }
    }

    /** Minutes since midnight, start inclusive, end exclusive. */
    public record MinuteRange(int start, int end) {}

    /** Whether {@code t} lies inside this interval. */
    public boolean contains(Instant t) {
        ZonedDateTime z = t.atZone(location);
        if (!times.isEmpty()) {
            int m = z.getHour() * 60 + z.getMinute();
            if (times.stream().noneMatch(r -> m >= r.start() && m < r.end())) {
                return false;
            }
        }
        if (!daysOfMonth.isEmpty() && !dayOfMonthMatches(z)) {
            return false;
        }
        int weekday = z.getDayOfWeek().getValue() % 7; // Java: Monday 1 .. Sunday 7; Go: Sunday 0
        if (!weekdays.isEmpty() && weekdays.stream().noneMatch(r -> r.contains(weekday))) {
            return false;
        }
        if (!months.isEmpty() && months.stream().noneMatch(r -> r.contains(z.getMonthValue()))) {
            return false;
        }
        return years.isEmpty() || years.stream().anyMatch(r -> r.contains(z.getYear()));
    }

    /** Alertmanager's rule: negative days count back from the month's end; ranges past it are clamped. */
    private boolean dayOfMonthMatches(ZonedDateTime z) {
        int days = z.toLocalDate().lengthOfMonth();
        int day = z.getDayOfMonth();
        for (Range r : daysOfMonth) {
            int begin = r.begin() < 0 ? days + r.begin() + 1 : r.begin();
            int end = r.end() < 0 ? days + r.end() + 1 : r.end();
            if (begin > days) {
                continue;
            }
            end = Math.min(end, days);
            if (day >= begin && day <= end) {
                return true;
            }
        }
        return false;
    }

    /** Whether any interval of {@code intervals} contains {@code t}. */
    public static boolean anyContains(List<TimeInterval> intervals, Instant t) {
        return intervals.stream().anyMatch(i -> i.contains(t));
    }
}
