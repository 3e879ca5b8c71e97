package io.sightline.promql.engine;

/** Float operations where Go (and so Prometheus) and Java disagree on special values. */
final class GoMath {

    private GoMath() {}

    /** Go's math.Pow: {@code pow(1, y) = 1} and {@code pow(-1, ±Inf) = 1}, where Java gives NaN. */
    static double pow(double x, double y) {
        if (x == 1.0) {
            return 1.0;
        }
        if (x == -1.0 && Double.isInfinite(y)) {
            return 1.0;
        }
        return Math.pow(x, y);
    }

    /** Go's math.Mod (the sign follows the dividend), which Java's {@code %} matches. */
    static double mod(double x, double y) {
        return x % y;
    }

    /** Go's strconv.ParseFloat as Prometheus uses it for label values such as {@code le}: Inf and NaN in any case. */
    static double parseFloat(String s) {
        if (s.isEmpty() || !s.strip().equals(s)) {
            throw new NumberFormatException("not a float: " + s);
        }
        String l = s.toLowerCase(java.util.Locale.ROOT);
        switch (l) {
            case "inf", "+inf", "infinity", "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Double.NEGATIVE_INFINITY;
            case "nan", "+nan", "-nan":
                return Double.NaN;
            default:
                break;
        }
        if (l.endsWith("d") || l.endsWith("f") || l.contains("infinity") || l.contains("nan")) {
            throw new NumberFormatException("not a float: " + s);
        }
        return Double.parseDouble(s);
    }
}
