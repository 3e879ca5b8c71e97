package io.sightline.promql.parser;

import java.math.BigDecimal;
import java.util.Locale;

/** Go's float formats, for text that must read exactly as Prometheus writes it. */
public final class GoFloat {

    private GoFloat() {}

    /** {@code %g}: the shortest digits that round-trip; exponent form below 1e-4 and from 1e6. */
    public static String g(double v) {
        return shortest(v, 6);
    }

    /** {@code %v} (how Prometheus prints number literals): as {@code %g} but exponent form from 1e21. */
    public static String v(double v) {
        return shortest(v, 21);
    }

    /** {@code %f}: six decimals; {@code +Inf}, {@code -Inf}, {@code NaN} for the special values. */
    public static String fixed6(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return special(v);
        }
        return String.format(Locale.ROOT, "%.6f", v);
    }

    private static String special(double v) {
        return Double.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
    }

    private static String shortest(double v, int exponentFrom) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return special(v);
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0" : "0";
        }
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        int exp = d.precision() - d.scale() - 1;
        if (exp >= -4 && exp < exponentFrom) {
            return d.toPlainString();
        }
        String digits = d.unscaledValue().abs().toString();
        StringBuilder sb = new StringBuilder();
        if (v < 0) {
            sb.append('-');
        }
        sb.append(digits.charAt(0));
        if (digits.length() > 1) {
            sb.append('.').append(digits, 1, digits.length());
        }
        sb.append('e').append(exp < 0 ? '-' : '+');
        if (Math.abs(exp) < 10) {
            sb.append('0');
        }
        return sb.append(Math.abs(exp)).toString();
    }
}
