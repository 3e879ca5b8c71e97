package io.sightline.alerting.template;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * Go's {@code time.Format} layouts (the reference time {@code Mon Jan 2 15:04:05 MST 2006}): years
 * {@code 2006 06}, months {@code January Jan 01 1}, days {@code Monday Mon 02 _2 2 002}, hours
 * {@code 15 03 3}, minutes {@code 04 4}, seconds {@code 05 5}, {@code PM pm}, fractions
 * {@code .000 ,000} (fixed) and {@code .999} (trailing zeros dropped), zones {@code MST -0700 -07:00 -07
 * Z0700 Z07:00 Z07 -070000 -07:00:00}; anything else is copied. Stateless.
 */
final class GoTime {
    private GoTime() {}

    /** The zone for a Go location name: an IANA name, {@code UTC}, or {@code Local}. */
    static ZoneId zone(String name) {
        if (name.isEmpty() || name.equals("UTC")) {
            return java.time.ZoneOffset.UTC;
        }
        if (name.equals("Local")) {
            return ZoneId.systemDefault();
        }
        try {
            return ZoneId.of(name);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone " + name);
        }
    }

    private static final String[] TOKENS = {"January", "Jan", "Monday", "Mon", "MST", "2006", "-07:00:00", "-070000",
        "-07:00", "-0700", "-07", "Z07:00:00", "Z070000", "Z07:00", "Z0700", "Z07", "002", "01", "02", "03", "04", "05",
        "06", "_2", "15", "PM", "pm", "1", "2", "3", "4", "5"};

    static String format(ZonedDateTime t, String layout) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        outer:
        while (i < layout.length()) {
            // Fractional seconds: . or , followed by 0s or 9s, not followed by a digit.
            char c = layout.charAt(i);
            if ((c == '.' || c == ',') && i + 1 < layout.length()
                    && (layout.charAt(i + 1) == '0' || layout.charAt(i + 1) == '9')) {
                char d = layout.charAt(i + 1);
                int j = i + 1;
                while (j < layout.length() && layout.charAt(j) == d) {
                    j++;
                }
                if (j >= layout.length() || !Character.isDigit(layout.charAt(j))) {
                    String frac = String.format("%09d", t.getNano()).substring(0, Math.min(9, j - i - 1));
                    if (d == '9') {
                        int e = frac.length();
                        while (e > 0 && frac.charAt(e - 1) == '0') {
                            e--;
                        }
                        frac = frac.substring(0, e);
                        if (!frac.isEmpty()) {
                            sb.append(c).append(frac);
                        }
                    } else {
                        sb.append(c).append(frac);
                    }
                    i = j;
                    continue;
                }
            }
            for (String tok : TOKENS) {
                if (layout.startsWith(tok, i) && !(tok.equals("Jan") && layout.startsWith("January", i))
                        && !(tok.equals("Mon") && layout.startsWith("Monday", i))) {
                    sb.append(value(t, tok));
                    i += tok.length();
                    continue outer;
                }
            }
            sb.append(c);
            i++;
        }
        return sb.toString();
    }

    private static String value(ZonedDateTime t, String tok) {
        int offset = t.getOffset().getTotalSeconds();
        return switch (tok) {
            case "January" -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case "Jan" -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case "Monday" -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case "Mon" -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case "MST" -> abbreviation(t);
            case "2006" -> String.format("%04d", t.getYear());
            case "06" -> String.format("%02d", t.getYear() % 100);
            case "01" -> String.format("%02d", t.getMonthValue());
            case "1" -> Integer.toString(t.getMonthValue());
            case "02" -> String.format("%02d", t.getDayOfMonth());
            case "_2" -> String.format("%2d", t.getDayOfMonth());
            case "2" -> Integer.toString(t.getDayOfMonth());
            case "002" -> String.format("%03d", t.getDayOfYear());
            case "15" -> String.format("%02d", t.getHour());
            case "03" -> String.format("%02d", t.getHour() % 12 == 0 ? 12 : t.getHour() % 12);
            case "3" -> Integer.toString(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12);
            case "04" -> String.format("%02d", t.getMinute());
            case "4" -> Integer.toString(t.getMinute());
            case "05" -> String.format("%02d", t.getSecond());
            case "5" -> Integer.toString(t.getSecond());
            case "PM" -> t.getHour() >= 12 ? "PM" : "AM";
            case "pm" -> t.getHour() >= 12 ? "pm" : "am";
            case "-0700" -> offset(offset, false, false);
            case "-07:00" -> offset(offset, true, false);
            case "-07" -> offset(offset, false, false).substring(0, 3);
            case "-070000" -> offset(offset, false, true);
            case "-07:00:00" -> offset(offset, true, true);
            default -> offset == 0 ? "Z" : value(t, tok.replace('Z', '-')); // Z0700...: Z for UTC
        };
    }

    /** Go's zone abbreviation: {@code UTC}, {@code CET}, {@code PST}...; {@code +03} where a zone has none. */
    private static String abbreviation(ZonedDateTime t) {
        if (t.getOffset().getTotalSeconds() == 0 && (t.getZone() instanceof java.time.ZoneOffset
                || t.getZone().getId().equals("UTC"))) {
            return "UTC";
        }
        String z = java.time.format.DateTimeFormatter.ofPattern("zzz", Locale.ENGLISH).format(t);
        if (z.startsWith("GMT") || z.startsWith("UTC") && z.length() > 3) {
            int o = t.getOffset().getTotalSeconds();
            return o % 3600 == 0 ? offset(o, false, false).substring(0, 3) : offset(o, false, false);
        }
        return z;
    }

    private static String offset(int seconds, boolean colons, boolean withSeconds) {
        char sign = seconds < 0 ? '-' : '+';
        int a = Math.abs(seconds);
        String sep = colons ? ":" : "";
        String s = String.format("%c%02d%s%02d", sign, a / 3600, sep, (a / 60) % 60);
        return withSeconds ? s + sep + String.format("%02d", a % 60) : s;
    }
}
