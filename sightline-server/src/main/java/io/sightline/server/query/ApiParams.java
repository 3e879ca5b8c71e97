package io.sightline.server.query;

import com.linecorp.armeria.common.QueryParams;
import io.sightline.common.PromDuration;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Request parameters as the Prometheus API reads them; every bad value is a {@link BadParameter}. */
final class ApiParams {

    /** Prometheus's default bounds when start or end is not given (its minTime / maxTime). */
    static final long MIN_TIME = -9223309901257974L;
    static final long MAX_TIME = 9223309901257974L;

    private final QueryParams params;

    ApiParams(QueryParams params) {
        this.params = params;
    }

    /** A parameter the API cannot use: answered with 400 bad_data and this message. */
    static final class BadParameter extends RuntimeException {
        BadParameter(String message) {
            super(message, null, false, false);
        }
    }

    String get(String name) {
        return params.get(name);
    }

    java.util.List<String> all(String name) {
        return params.getAll(name);
    }

    String required(String name) {
        String v = params.get(name);
        if (v == null || v.isEmpty()) {
            throw new BadParameter("invalid parameter \"" + name + "\": missing");
        }
        return v;
    }

    /** A boolean as Go's strconv.ParseBool reads it (1, t, true, 0, f, false in any of Go's cases). */
    boolean bool(String name, boolean dflt) {
        String v = params.get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        return switch (v) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw new BadParameter("invalid parameter \"" + name + "\": cannot parse \"" + v
                    + "\" as a boolean");
        };
    }

    long time(String name, long dflt) {
        String v = params.get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        return parseTime(name, v);
    }

    /** Unix seconds (with a fraction) or RFC 3339, as Prometheus accepts; milliseconds out. */
    static long parseTime(String name, String v) {
        try {
            BigDecimal seconds = new BigDecimal(v);
            BigDecimal ms = seconds.movePointRight(3);
            if (ms.compareTo(BigDecimal.valueOf(MIN_TIME)) < 0 || ms.compareTo(BigDecimal.valueOf(MAX_TIME)) > 0) {
                throw new BadParameter("invalid parameter \"" + name + "\": cannot parse \"" + v
                        + "\" to a valid timestamp: out of range");
            }
            return ms.setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
        } catch (NumberFormatException e) {
            // not a number: try RFC 3339
        } catch (ArithmeticException e) {
            throw new BadParameter("invalid parameter \"" + name + "\": cannot parse \"" + v
                    + "\" to a valid timestamp");
        }
        try {
            Instant t = OffsetDateTime.parse(v).toInstant();
            return t.toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new BadParameter("invalid parameter \"" + name + "\": cannot parse \"" + v
                    + "\" to a valid timestamp");
        }
    }

    private static final java.util.regex.Pattern SECONDS =
            java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    /** A duration as Prometheus takes it: {@code 15s}, {@code 1m30s}, or a number of seconds. */
    long durationMillis(String name, long dflt) {
        String v = params.get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        // Only a decimal number is seconds: Java's parseDouble would also take "1d" (a double literal's
        // suffix) as 1 s, where Prometheus reads one day.
        if (SECONDS.matcher(v).matches()) {
            double seconds = Double.parseDouble(v);
            if (Double.isNaN(seconds) || Double.isInfinite(seconds) || Math.abs(seconds) > 9.2e15) {
                throw new BadParameter("invalid parameter \"" + name + "\": cannot parse \"" + v
                        + "\" to a valid duration");
            }
            return Math.round(seconds * 1000);
        }
        try {
            return PromDuration.parse(v).toMillis();
        } catch (IllegalArgumentException e) {
            throw new BadParameter("invalid parameter \"" + name + "\": cannot parse \"" + v
                    + "\" to a valid duration");
        }
    }
}
