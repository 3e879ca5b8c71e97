package io.sightline.common;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * Go's float syntax and formats, for text that must read and write exactly as Prometheus and its
 * exporters do.
 *
 * <p>Reading ({@link #parse}): numbers as Go's {@code strconv.ParseFloat(s, 64)} reads them, which is
 * what graphite_exporter, statsd_exporter and carbon's Go ports use for values: decimal with an optional
 * exponent ({@code 1}, {@code -2.5}, {@code .5}, {@code 1.}, {@code 6e-3}), hexadecimal with a mandatory
 * {@code p} exponent ({@code 0x1.8p1}), {@code _} between digits ({@code 1_000}), and {@code NaN},
 * {@code Inf}, {@code Infinity} in any case ({@code +inf}, {@code -Infinity}; NaN without a sign).
 * Nothing Java adds: no {@code d}/{@code f} suffixes, no surrounding blanks. The exposition formats have
 * narrower rules of their own ({@code io.sightline.ingest.text.TextLine}: no {@code _}).
 *
 * <p>Writing: {@link #g} ({@code %g}, how clients write {@code le} and {@code quantile}), {@link #v}
 * ({@code %v}), {@link #plain} ({@code 'f', -1}) and {@link #fixed6} ({@code %f}). Stateless.
 */
public final class GoFloat {
    private GoFloat() {}

    /**
     * Whether {@code s} has the syntax of a float Go's {@code ParseFloat} accepts; {@link #parse} also
     * refuses, as Go does, a finite number too large for a double ({@code 1e999}).
     */
    public static boolean isGoFloat(String s) {
        if (special(s) != null) {
            return true;
        }
        int n = s.length();
        int i = 0;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        boolean hex = i + 1 < n && s.charAt(i) == '0' && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X');
        if (hex) {
            i += 2;
        }
        int mantissaDigits = 0;
        boolean dot = false;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (isDigit(c, hex)) {
                mantissaDigits++;
            } else if (c == '.' && !dot) {
                dot = true;
            } else if (c != '_') {
                break;
            }
        }
        if (mantissaDigits == 0) {
            return false;
        }
        if (i < n && (hex ? (s.charAt(i) == 'p' || s.charAt(i) == 'P') : (s.charAt(i) == 'e' || s.charAt(i) == 'E'))) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int expDigits = 0;
            for (; i < n && (isDigit(s.charAt(i), false) || s.charAt(i) == '_'); i++) {
                if (s.charAt(i) != '_') {
                    expDigits++;
                }
            }
            if (expDigits == 0) {
                return false;
            }
        } else if (hex) {
            return false; // Go: "hexadecimal mantissa requires a 'p' exponent"
        }
        return i == n && (s.indexOf('_') < 0 || underscoresOk(s));
    }

    /**
     * The value of {@code s}.
     *
     * @throws NumberFormatException if {@link #isGoFloat} refuses it, or it is beyond the range of a double
     *     (Go's {@code ErrRange}); the message says which
     */
    public static double parse(String s) {
        Double sp = special(s);
        if (sp != null) {
            return sp;
        }
        if (!isGoFloat(s)) {
            throw new NumberFormatException("not a number");
        }
        double v = Double.parseDouble(s.indexOf('_') < 0 ? s : s.replace("_", ""));
        if (Double.isInfinite(v)) {
            throw new NumberFormatException("out of the range of a 64-bit float");
        }
        return v;
    }

    private static Double special(String s) {
        if (s.length() < 3 || s.length() > 9) {
            return null;
        }
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "nan" -> Double.NaN;
            case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            default -> null;
        };
    }

    private static boolean isDigit(char c, boolean hex) {
        return (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
    }

    /** Go's {@code underscoreOK}: each {@code _} between two digits, or between the base prefix and a digit. */
    private static boolean underscoresOk(String s) {
        int i = 0;
        if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
            i = 1;
        }
        char saw = '^';
        boolean hex = false;
        if (s.length() - i >= 2 && s.charAt(i) == '0' && "bBoOxX".indexOf(s.charAt(i + 1)) >= 0) {
            hex = s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X';
            i += 2;
            saw = '0';
        }
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isDigit(c, hex)) {
                saw = '0';
            } else if (c == '_') {
                if (saw != '0') {
                    return false;
                }
                saw = '_';
            } else {
                if (saw == '_') {
                    return false;
                }
                saw = '!';
            }
        }
        return saw != '_';
    }

    /** {@code %g}: the shortest digits that round-trip; exponent form below 1e-4 and from 1e6. */
    public static String g(double v) {
        return shortest(v, 6);
    }

    /** {@code %f}: six decimals; {@code +Inf}, {@code -Inf}, {@code NaN} for the special values. */
    public static String fixed6(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return specialText(v);
        }
        return String.format(Locale.ROOT, "%.6f", v);
    }

    /**
     * {@code strconv.FormatFloat(v, 'f', -1, 64)}: the shortest digits that round-trip, never an
     * exponent ({@code 1e+06} is {@code 1000000}); {@code +Inf}, {@code -Inf}, {@code NaN}.
     */
    public static String plain(double v) {
        StringBuilder sb = new StringBuilder(24);
        appendPlain(sb, v);
        return sb.toString();
    }

    /** {@link #plain} appended to {@code sb}, for writers that build their output in place. */
    public static void appendPlain(StringBuilder sb, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            sb.append(specialText(v));
        } else if (v == 0) {
            sb.append(1 / v < 0 ? "-0" : "0");
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            sb.append((long) v);
        } else {
            if (v < 0) {
                sb.append('-');
            }
            ShortestDecimal.of(Math.abs(v), (f, e) -> appendPlain(sb, f, e));
        }
    }

    /** {@code f × 10^e} written out without an exponent. */
    private static void appendPlain(StringBuilder sb, long f, int e) {
        if (e >= 0) {
            sb.append(f);
            for (int i = 0; i < e; i++) {
                sb.append('0');
            }
            return;
        }
        String digits = Long.toString(f);
        int point = digits.length() + e;
        if (point > 0) {
            sb.append(digits, 0, point).append('.').append(digits, point, digits.length());
        } else {
            sb.append("0.");
            for (int i = 0; i < -point; i++) {
                sb.append('0');
            }
            sb.append(digits);
        }
    }

    private static String specialText(double v) {
        return Double.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
    }

    private static String shortest(double v, int exponentFrom) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return specialText(v);
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0" : "0";
        }
        StringBuilder sb = new StringBuilder(24);
        if (v < 0) {
            sb.append('-');
        }
        ShortestDecimal.of(Math.abs(v), (f, e) -> {
            String digits = Long.toString(f);
            int exp = digits.length() + e - 1;
            if (exp >= -4 && exp < exponentFrom) {
                appendPlain(sb, f, e);
                return;
            }
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exp < 0 ? '-' : '+');
            if (Math.abs(exp) < 10) {
                sb.append('0');
            }
            sb.append(Math.abs(exp));
        });
        return sb.toString();
    }

    /**
     * Go's {@code strconv.FormatFloat(v, fmt, prec, 64)} for {@code fmt} {@code 'e'}, {@code 'f'},
     * {@code 'g'}: {@code prec} digits after the point ({@code e}, {@code f}) or significant digits
     * ({@code g}), or -1 for the fewest digits that read back exactly. Rounding is of the exact binary
     * value, half to even, as Go does. {@code %.4g} of 1.5 is {@code 1.5}, of 12345 {@code 1.234e+04};
     * {@code +Inf}, {@code -Inf}, {@code NaN} for the special values.
     */
    public static String format(double v, char fmt, int prec) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return specialText(v);
        }
        if (fmt != 'e' && fmt != 'f' && fmt != 'g') {
            throw new IllegalArgumentException("format " + fmt + " is not e, f or g");
        }
        boolean neg = v < 0 || (v == 0 && 1 / v < 0);
        boolean shortest = prec < 0;
        BigDecimal d;
        if (v == 0) {
            d = BigDecimal.ZERO;
        } else if (shortest) {
            BigDecimal[] found = new BigDecimal[1];
            ShortestDecimal.of(Math.abs(v), (f, e) -> found[0] = BigDecimal.valueOf(f, -e));
            d = found[0];
        } else {
            BigDecimal exact = new BigDecimal(Math.abs(v));
            d = switch (fmt) {
                case 'e' -> exact.round(new java.math.MathContext(prec + 1, java.math.RoundingMode.HALF_EVEN));
                case 'g' -> exact.round(new java.math.MathContext(prec == 0 ? 1 : prec, java.math.RoundingMode.HALF_EVEN));
                default -> exact.setScale(prec, java.math.RoundingMode.HALF_EVEN);
            };
        }
        // Go's decimal: value = 0.DIGITS * 10^dp, no trailing zeros; zero has no digits and dp 0.
        String digits = "";
        int dp = 0;
        if (d.signum() != 0) {
            d = d.stripTrailingZeros();
            digits = d.unscaledValue().toString();
            dp = digits.length() - d.scale();
        }
        int nd = digits.length();
        if (shortest) {
            prec = switch (fmt) {
                case 'e' -> Math.max(nd - 1, 0);
                case 'f' -> Math.max(nd - dp, 0);
                default -> nd;
            };
        }
        StringBuilder sb = new StringBuilder(neg ? "-" : "");
        switch (fmt) {
            case 'e' -> fmtE(sb, digits, dp, prec);
            case 'f' -> fmtF(sb, digits, dp, prec);
            default -> {
                int p = prec == 0 ? 1 : prec;
                int eprec = p;
                if (eprec > nd && nd >= dp) {
                    eprec = nd;
                }
                if (shortest) {
                    eprec = 6;
                }
                int exp = dp - 1;
                if (exp < -4 || exp >= eprec) {
                    fmtE(sb, digits, dp, Math.min(p, nd) - 1);
                } else {
                    fmtF(sb, digits, dp, Math.max((p > dp ? nd : p) - dp, 0));
                }
            }
        }
        return sb.toString();
    }

    private static void fmtE(StringBuilder sb, String digits, int dp, int prec) {
        sb.append(digits.isEmpty() ? '0' : digits.charAt(0));
        if (prec > 0) {
            sb.append('.');
            for (int i = 1; i <= prec; i++) {
                sb.append(i < digits.length() ? digits.charAt(i) : '0');
            }
        }
        int exp = digits.isEmpty() ? 0 : dp - 1;
        sb.append('e').append(exp < 0 ? '-' : '+');
        int a = Math.abs(exp);
        if (a < 10) {
            sb.append('0');
        }
        sb.append(a);
    }

    private static void fmtF(StringBuilder sb, String digits, int dp, int prec) {
        if (dp > 0) {
            for (int i = 0; i < dp; i++) {
                sb.append(i < digits.length() ? digits.charAt(i) : '0');
            }
        } else {
            sb.append('0');
        }
        if (prec > 0) {
            sb.append('.');
            for (int i = 1; i <= prec; i++) {
                int j = dp + i - 1;
                sb.append(j >= 0 && j < digits.length() ? digits.charAt(j) : '0');
            }
        }
    }
}
