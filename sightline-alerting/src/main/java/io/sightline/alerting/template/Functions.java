package io.sightline.alerting.template;

import io.sightline.common.GoFloat;
import io.sightline.common.PromDuration;
import io.sightline.common.relabel.Relabeler;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The functions of a template: Go's built-ins ({@code and or not len index slice print printf println
 * html js urlquery eq ne lt le gt ge}) and Prometheus's ({@code query first label value strvalue args
 * reReplaceAll safeHtml match title toUpper toLower graphLink tableLink sortByLabel humanize
 * humanize1024 humanizeDuration humanizePercentage humanizeTimestamp toTime pathPrefix externalURL
 * parseDuration stripPort stripDomain}), with Go's argument typing and Prometheus's results.
 */
final class Functions {
    private Functions() {}

    /** How an argument is taken: Go converts untyped constants to the parameter's type. */
    enum Param { ANY, STRING, FLOAT, INT }

    @FunctionalInterface
    interface Body {
        Object call(Object[] args) throws Exception;
    }

    /**
     * @param variadic the type of the arguments after {@code params}, or null for a fixed count
     */
    record Func(String name, Param[] params, Param variadic, Body body) {}

    /** The names every template may call, for parse-time checks. */
    static final java.util.Set<String> NAMES = java.util.Set.copyOf(all("", null).keySet());

    static Map<String, Func> all(String externalUrl, QueryFunc query) {
        Map<String, Func> m = new HashMap<>();
        // Go built-ins. and/or/not are evaluated by the executor (short-circuit); listed for the parser.
        add(m, "and", a -> null, Param.ANY, Param.ANY);
        add(m, "or", a -> null, Param.ANY, Param.ANY);
        add(m, "not", a -> !Values.isTrue(a[0]), Param.ANY);
        add(m, "len", a -> length(a[0]), Param.ANY);
        addVar(m, "index", Functions::index, Param.ANY, new Param[] {Param.ANY});
        addVar(m, "slice", Functions::slice, Param.ANY, new Param[] {Param.ANY});
        addVar(m, "print", a -> GoFmt.sprint(List.of(a)), Param.ANY, new Param[0]);
        addVar(m, "println", a -> GoFmt.sprintln(List.of(a)), Param.ANY, new Param[0]);
        addVar(m, "printf", a -> GoFmt.sprintf((String) a[0], rest(a)), Param.ANY, new Param[] {Param.STRING});
        addVar(m, "html", a -> html(GoFmt.sprint(List.of(a))), Param.ANY, new Param[0]);
        addVar(m, "js", a -> js(GoFmt.sprint(List.of(a))), Param.ANY, new Param[0]);
        addVar(m, "urlquery", a -> queryEscape(GoFmt.sprint(List.of(a))), Param.ANY, new Param[0]);
        addVar(m, "eq", Functions::eq, Param.ANY, new Param[] {Param.ANY});
        add(m, "ne", a -> !equal(a[0], a[1]), Param.ANY, Param.ANY);
        add(m, "lt", a -> compare(a[0], a[1]) < 0, Param.ANY, Param.ANY);
        add(m, "le", a -> compare(a[0], a[1]) <= 0, Param.ANY, Param.ANY);
        add(m, "gt", a -> compare(a[0], a[1]) > 0, Param.ANY, Param.ANY);
        add(m, "ge", a -> compare(a[0], a[1]) >= 0, Param.ANY, Param.ANY);
        addVar(m, "call", a -> {
            throw new UnsupportedOperationException("call is not supported");
        }, Param.ANY, new Param[] {Param.ANY});

        // Prometheus's.
        add(m, "query", a -> {
            if (query == null) {
                throw new IllegalStateException("query is not available here");
            }
            List<Object> out = new ArrayList<>();
            for (Map.Entry<Map<String, String>, Double> e : query.query((String) a[0])) {
                out.add(Values.sample(e.getKey(), e.getValue()));
            }
            return out;
        }, Param.STRING);
        add(m, "first", a -> {
            List<?> l = result(a[0], "first");
            if (l.isEmpty()) {
                throw new IllegalArgumentException("first() called on vector with no elements");
            }
            return l.get(0);
        }, Param.ANY);
        add(m, "label", a -> {
            Map<?, ?> labels = labelsOf(a[1]);
            Object v = labels.get(a[0]);
            return v == null ? "" : v;
        }, Param.STRING, Param.ANY);
        add(m, "value", a -> sampleOf(a[0]).fields().get("Value"), Param.ANY);
        add(m, "strvalue", a -> {
            Object v = labelsOf(a[0]).get("__value__");
            return v == null ? "" : v;
        }, Param.ANY);
        addVar(m, "args", a -> {
            Map<String, Object> out = new LinkedHashMap<>();
            for (int i = 0; i < a.length; i++) {
                out.put("arg" + i, a[i]);
            }
            return out;
        }, Param.ANY, new Param[0]);
        add(m, "reReplaceAll", a -> {
            Pattern p = goRegex((String) a[0]);
            Matcher mt = p.matcher((String) a[2]);
            StringBuilder sb = new StringBuilder();
            int last = 0;
            while (mt.find()) {
                sb.append((String) a[2], last, mt.start()).append(Relabeler.expand((String) a[1], mt, p));
                last = mt.end();
                if (mt.end() == mt.start() && mt.end() >= ((String) a[2]).length()) {
                    break;
                }
            }
            return sb.append(((String) a[2]).substring(last)).toString();
        }, Param.STRING, Param.STRING, Param.STRING);
        add(m, "safeHtml", a -> new Values.HtmlSafe((String) a[0]), Param.STRING);
        add(m, "match", a -> goRegex((String) a[0]).matcher((String) a[1]).find(), Param.STRING, Param.STRING);
        add(m, "title", a -> title((String) a[0]), Param.STRING);
        add(m, "toUpper", a -> ((String) a[0]).toUpperCase(java.util.Locale.ROOT), Param.STRING);
        add(m, "toLower", a -> ((String) a[0]).toLowerCase(java.util.Locale.ROOT), Param.STRING);
        // Relative links, as Prometheus's (strutil.GraphLinkForExpression): prefix $externalURL to make them absolute.
        add(m, "graphLink", a -> "/graph?g0.expr=" + queryEscape((String) a[0]) + "&g0.tab=0", Param.STRING);
        add(m, "tableLink", a -> "/graph?g0.expr=" + queryEscape((String) a[0]) + "&g0.tab=1", Param.STRING);
        add(m, "sortByLabel", a -> {
            List<Object> out = new ArrayList<>(result(a[1], "sortByLabel"));
            out.sort(Comparator.comparing(x -> {
                Object v = labelsOf(x).get(a[0]);
                return v == null ? "" : v.toString();
            }));
            return out;
        }, Param.STRING, Param.ANY);
        add(m, "humanize", a -> humanize(toFloat(a[0])), Param.ANY);
        add(m, "humanize1024", a -> humanize1024(toFloat(a[0])), Param.ANY);
        add(m, "humanizeDuration", a -> humanizeDuration(toFloat(a[0])), Param.ANY);
        add(m, "humanizePercentage", a -> GoFloat.format(toFloat(a[0]) * 100, 'g', 4) + "%", Param.ANY);
        add(m, "humanizeTimestamp", a -> {
            double v = toFloat(a[0]);
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                return GoFloat.format(v, 'g', 4);
            }
            return time(v).toString();
        }, Param.ANY);
        add(m, "toTime", a -> time(toFloat(a[0])), Param.ANY);
        add(m, "pathPrefix", a -> {
            try {
                String path = URI.create(externalUrl).getRawPath();
                return path == null ? "" : path;
            } catch (IllegalArgumentException e) {
                return "";
            }
        });
        add(m, "externalURL", a -> externalUrl);
        add(m, "parseDuration", a -> {
            try {
                return PromDuration.parse((String) a[0]).toMillis() / 1000.0;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }, Param.STRING);
        // Alertmanager's, for notification templates.
        add(m, "trimSpace", a -> ((String) a[0]).strip(), Param.STRING);
        add(m, "join", a -> {
            if (!(a[1] instanceof List<?> l)) {
                throw new IllegalArgumentException("wrong type for value; expected []string; got " + GoFmt.typeName(a[1]));
            }
            List<String> parts = new ArrayList<>();
            for (Object o : l) {
                parts.add(o instanceof String str ? str : GoFmt.value(o));
            }
            return String.join((String) a[0], parts);
        }, Param.STRING, Param.ANY);
        addVar(m, "stringSlice", a -> new ArrayList<>(List.of(a)), Param.STRING, new Param[0]);
        add(m, "safeUrl", a -> a[0], Param.STRING);
        add(m, "urlUnescape", a -> java.net.URLDecoder.decode((String) a[0], StandardCharsets.UTF_8), Param.STRING);
        add(m, "date", a -> GoTime.format(timeArg(a[1]).zoned(), (String) a[0]), Param.STRING, Param.ANY);
        add(m, "tz", a -> {
            Values.Time t = timeArg(a[1]);
            return new Values.Time(t.epochSecond(), t.nanos(), GoTime.zone((String) a[0]));
        }, Param.STRING, Param.ANY);
        add(m, "stripPort", a -> stripPort((String) a[0]), Param.STRING);
        add(m, "stripDomain", a -> stripDomain((String) a[0]), Param.STRING);
        return m;
    }

    private static void add(Map<String, Func> m, String name, Body b, Param... params) {
        m.put(name, new Func(name, params, null, b));
    }

    private static void addVar(Map<String, Func> m, String name, Body b, Param variadic, Param[] params) {
        m.put(name, new Func(name, params, variadic, b));
    }

    private static List<Object> rest(Object[] a) {
        List<Object> out = new ArrayList<>();
        for (int i = 1; i < a.length; i++) {
            out.add(a[i]);
        }
        return out;
    }

    private static Values.Time timeArg(Object o) {
        if (o instanceof Values.Time t) {
            return t;
        }
        throw new IllegalArgumentException("wrong type for value; expected time.Time; got " + GoFmt.typeName(o));
    }

    // ---- Go built-ins ----

    private static Object length(Object v) {
        if (v instanceof String s) {
            return (long) s.getBytes(StandardCharsets.UTF_8).length;
        }
        if (v instanceof Map<?, ?> m) {
            return (long) m.size();
        }
        if (v instanceof List<?> l) {
            return (long) l.size();
        }
        throw new IllegalArgumentException("len of type " + GoFmt.typeName(v));
    }

    private static Object index(Object[] a) {
        Object item = a[0];
        for (int i = 1; i < a.length; i++) {
            Object k = a[i];
            if (item instanceof Map<?, ?> m) {
                if (!(k instanceof String)) {
                    throw new IllegalArgumentException("value has type " + GoFmt.typeName(k) + "; should be string");
                }
                Object v = m.get(k);
                item = v == null ? "" : v;
            } else if (item instanceof List<?> l) {
                if (!(k instanceof Long idx)) {
                    throw new IllegalArgumentException("cannot index slice/array with type " + GoFmt.typeName(k));
                }
                if (idx < 0 || idx >= l.size()) {
                    throw new IllegalArgumentException("index out of range: " + idx);
                }
                item = l.get((int) (long) idx);
            } else if (item instanceof String s) {
                if (!(k instanceof Long idx)) {
                    throw new IllegalArgumentException("cannot index slice/array with type " + GoFmt.typeName(k));
                }
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                if (idx < 0 || idx >= b.length) {
                    throw new IllegalArgumentException("index out of range: " + idx);
                }
                item = (long) (b[(int) (long) idx] & 0xff);
            } else if (item == null || item == Values.NO_VALUE) {
                throw new IllegalArgumentException("index of untyped nil");
            } else {
                throw new IllegalArgumentException("can't index item of type " + GoFmt.typeName(item));
            }
        }
        return item;
    }

    private static Object slice(Object[] a) {
        Object item = a[0];
        int len;
        if (item instanceof String s) {
            len = s.getBytes(StandardCharsets.UTF_8).length;
        } else if (item instanceof List<?> l) {
            len = l.size();
        } else {
            throw new IllegalArgumentException("can't slice item of type " + GoFmt.typeName(item));
        }
        if (a.length > 3) {
            throw new IllegalArgumentException("too many slice indexes: " + (a.length - 1));
        }
        long from = a.length > 1 ? asIndex(a[1]) : 0;
        long to = a.length > 2 ? asIndex(a[2]) : len;
        if (from < 0 || to < from || to > len) {
            throw new IllegalArgumentException("invalid slice index: " + from + " > " + to);
        }
        if (item instanceof String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return new String(b, (int) from, (int) (to - from), StandardCharsets.UTF_8);
        }
        return new ArrayList<>(((List<?>) item).subList((int) from, (int) to));
    }

    private static long asIndex(Object o) {
        if (o instanceof Long l) {
            return l;
        }
        throw new IllegalArgumentException("cannot index slice/array with type " + GoFmt.typeName(o));
    }

    static String html(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '\'' -> sb.append("&#39;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&#34;");
                case 0 -> sb.append('\uFFFD');
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    static String js(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\'' -> sb.append("\\'");
                case '"' -> sb.append("\\\"");
                case '<' -> sb.append("\\u003C");
                case '>' -> sb.append("\\u003E");
                case '&' -> sb.append("\\u0026");
                case '=' -> sb.append("\\u003D");
                default -> {
                    if (c < ' ') {
                        sb.append(String.format("\\u%04X", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** Go's {@code url.QueryEscape}. */
    static String queryEscape(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("*", "%2A").replace("%7E", "~");
    }

    private static Object eq(Object[] a) {
        for (int i = 1; i < a.length; i++) {
            if (equal(a[0], a[i])) {
                return true;
            }
        }
        return false;
    }

    private enum Basic { BOOL, INT, FLOAT, STRING }

    private static Basic basic(Object v) {
        if (v instanceof Boolean) {
            return Basic.BOOL;
        }
        if (v instanceof Long) {
            return Basic.INT;
        }
        if (v instanceof Double) {
            return Basic.FLOAT;
        }
        if (v instanceof String || v instanceof Values.HtmlSafe) {
            return Basic.STRING;
        }
        return null;
    }

    /** Go's {@code eq} on two values: basic kinds must match; others compare by identity of content. */
    static boolean equal(Object x, Object y) {
        Basic kx = basic(x);
        Basic ky = basic(y);
        if (kx == null || ky == null) {
            if (x == Values.NO_VALUE || y == Values.NO_VALUE || x == null || y == null) {
                throw new IllegalArgumentException("invalid type for comparison");
            }
            if (kx == null && ky == null && x.getClass() == y.getClass() && !(x instanceof Map<?, ?>)
                    && !(x instanceof List<?>)) {
                return x.equals(y);
            }
            throw new IllegalArgumentException(kx == null && ky == null ? "non-comparable types" : "incompatible types for comparison");
        }
        if (kx != ky) {
            throw new IllegalArgumentException("incompatible types for comparison");
        }
        if (kx == Basic.FLOAT) {
            return (double) (Double) x == (Double) y;
        }
        return x.toString().equals(y.toString());
    }

    /** Go's {@code lt} family: ordered basic kinds of the same kind. */
    static int compare(Object x, Object y) {
        Basic kx = basic(x);
        Basic ky = basic(y);
        if (kx == null || ky == null || kx == Basic.BOOL || ky == Basic.BOOL) {
            throw new IllegalArgumentException("invalid type for comparison");
        }
        if (kx != ky) {
            throw new IllegalArgumentException("incompatible types for comparison");
        }
        return switch (kx) {
            case INT -> Long.compare((Long) x, (Long) y);
            case FLOAT -> {
                double a = (Double) x;
                double b = (Double) y;
                yield a < b ? -1 : a > b ? 1 : a == b ? 0 : 2; // NaN: every comparison false
            }
            default -> x.toString().compareTo(y.toString());
        };
    }

    // ---- Prometheus's ----

    private static List<?> result(Object v, String fn) {
        if (v instanceof List<?> l) {
            return l;
        }
        throw new IllegalArgumentException(fn + " needs a query result, got " + GoFmt.typeName(v));
    }

    private static Values.Struct sampleOf(Object v) {
        if (v instanceof Values.Struct s && s.fields().containsKey("Labels")) {
            return s;
        }
        throw new IllegalArgumentException("wrong type for value; expected *template.sample; got " + GoFmt.typeName(v));
    }

    private static Map<?, ?> labelsOf(Object v) {
        return (Map<?, ?>) sampleOf(v).fields().get("Labels");
    }

    /** Prometheus's {@code convertToFloat}. */
    static double toFloat(Object v) {
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof String s) {
            try {
                return GoFloat.parse(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("strconv.ParseFloat: parsing " + GoFmt.quote(s) + ": "
                        + (e.getMessage().startsWith("out of") ? "value out of range" : "invalid syntax"));
            }
        }
        throw new IllegalArgumentException("can't convert " + GoFmt.typeName(v) + " to float");
    }

    private static final String[] BIG = {"k", "M", "G", "T", "P", "E", "Z", "Y"};
    private static final String[] SMALL = {"m", "u", "n", "p", "f", "a", "z", "y"};
    private static final String[] BIG_1024 = {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"};

    static String humanize(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return GoFloat.format(v, 'g', 4);
        }
        String prefix = "";
        if (Math.abs(v) >= 1) {
            for (String p : BIG) {
                if (Math.abs(v) < 1000) {
                    break;
                }
                prefix = p;
                v /= 1000;
            }
        } else {
            for (String p : SMALL) {
                if (Math.abs(v) >= 1) {
                    break;
                }
                prefix = p;
                v *= 1000;
            }
        }
        return GoFloat.format(v, 'g', 4) + prefix;
    }

    static String humanize1024(double v) {
        if (Math.abs(v) <= 1 || Double.isNaN(v) || Double.isInfinite(v)) {
            return GoFloat.format(v, 'g', 4);
        }
        String prefix = "";
        for (String p : BIG_1024) {
            if (Math.abs(v) < 1024) {
                break;
            }
            prefix = p;
            v /= 1024;
        }
        return GoFloat.format(v, 'g', 4) + prefix;
    }

    static String humanizeDuration(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return GoFloat.format(v, 'g', 4);
        }
        if (v == 0) {
            return GoFloat.format(v, 'g', 4) + "s";
        }
        if (Math.abs(v) >= 1) {
            String sign = "";
            if (v < 0) {
                sign = "-";
                v = -v;
            }
            long duration = (long) v;
            long seconds = duration % 60;
            long minutes = (duration / 60) % 60;
            long hours = (duration / 60 / 60) % 24;
            long days = duration / 60 / 60 / 24;
            if (days != 0) {
                return sign + days + "d " + hours + "h " + minutes + "m " + seconds + "s";
            }
            if (hours != 0) {
                return sign + hours + "h " + minutes + "m " + seconds + "s";
            }
            if (minutes != 0) {
                return sign + minutes + "m " + seconds + "s";
            }
            return sign + GoFloat.format(v, 'g', 4) + "s";
        }
        String prefix = "";
        for (String p : SMALL) {
            if (Math.abs(v) >= 1) {
                break;
            }
            prefix = p;
            v *= 1000;
        }
        return GoFloat.format(v, 'g', 4) + prefix + "s";
    }

    /**
     * Seconds since the epoch as a time, as Prometheus's {@code floatToTime} makes it: through
     * nanoseconds, truncated to milliseconds; NaN, the infinities and what overflows are refused.
     */
    static Values.Time time(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("value is NaN or Inf");
        }
        double nanos = v * 1e9;
        if (nanos > Long.MAX_VALUE || nanos < Long.MIN_VALUE) {
            throw new IllegalArgumentException(GoFloat.format(v, 'g', -1)
                    + " cannot be represented as a nanoseconds timestamp since it overflows int64");
        }
        long ms = (long) nanos / 1_000_000;
        return new Values.Time(Math.floorDiv(ms, 1000), (int) Math.floorMod(ms, 1000) * 1_000_000);
    }

    /** Go's {@code strings.Title}: the first letter of each word in upper case. */
    static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        int prev = ' ';
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            boolean separator = !(Character.isLetterOrDigit(prev) || prev == '_' || prev == '\'');
            sb.appendCodePoint(separator ? Character.toTitleCase(c) : c);
            prev = c;
        }
        return sb.toString();
    }

    static String stripPort(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            return hostPort;
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            return host.substring(1, host.length() - 1);
        }
        if (host.contains(":")) {
            return hostPort; // an IPv6 address without brackets and port
        }
        return host;
    }

    static String stripDomain(String hostPort) {
        String host = hostPort;
        String port = "";
        int colon = hostPort.lastIndexOf(':');
        if (colon >= 0 && !hostPort.substring(0, colon).contains(":")) {
            host = hostPort.substring(0, colon);
            port = hostPort.substring(colon);
        } else if (hostPort.startsWith("[")) {
            return hostPort;
        }
        if (host.chars().allMatch(ch -> Character.isDigit(ch) || ch == '.') || host.contains(":")) {
            return hostPort; // an IP address keeps its dots
        }
        int dot = host.indexOf('.');
        return (dot < 0 ? host : host.substring(0, dot)) + port;
    }

    static Pattern goRegex(String re) {
        try {
            return Pattern.compile(io.sightline.common.Re2Syntax.toJava(re));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("error parsing regexp: " + e.getDescription() + ": `" + re + "`");
        }
    }
}
