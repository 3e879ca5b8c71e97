package io.sightline.promql.ast;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The name and types of a PromQL function, as the parser checks them.
 *
 * @param variadic 0 for a fixed argument list; {@code n > 0} when up to {@code n} of the trailing
 *     arguments may be left out (the last declared type repeats when more than one is optional);
 *     -1 when the last declared argument may repeat without bound
 */
public record FunctionSignature(String name, List<ValueType> argTypes, int variadic, ValueType returnType) {

    private static final Map<String, FunctionSignature> ALL = new TreeMap<>();

    private static void def(String name, ValueType ret, int variadic, ValueType... args) {
        ALL.put(name, new FunctionSignature(name, List.of(args), variadic, ret));
    }

    static {
        ValueType s = ValueType.SCALAR;
        ValueType v = ValueType.VECTOR;
        ValueType m = ValueType.MATRIX;
        ValueType str = ValueType.STRING;
        for (String f : List.of("abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cos", "cosh",
                "deg", "exp", "floor", "ln", "log10", "log2", "rad", "sgn", "sin", "sinh", "sqrt", "tan", "tanh",
                "absent", "sort", "sort_desc", "timestamp", "start_timestamp", "histogram_avg", "histogram_count",
                "histogram_sum", "histogram_stddev", "histogram_stdvar")) {
            def(f, v, 0, v);
        }
        for (String f : List.of("absent_over_time", "avg_over_time", "changes", "count_over_time", "delta",
                "deriv", "first_over_time", "idelta", "increase", "irate", "last_over_time", "mad_over_time",
                "max_over_time", "min_over_time", "present_over_time", "rate", "resets", "stddev_over_time",
                "stdvar_over_time", "sum_over_time", "ts_of_first_over_time", "ts_of_last_over_time",
                "ts_of_max_over_time", "ts_of_min_over_time")) {
            def(f, v, 0, m);
        }
        for (String f : List.of("days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute",
                "month", "year")) {
            def(f, v, 1, v);
        }
        for (String f : List.of("pi", "time", "start", "end", "range", "step")) {
            def(f, s, 0);
        }
        def("min_of", s, 0, s, s);
        def("max_of", s, 0, s, s);
        def("clamp", v, 0, v, s, s);
        def("clamp_max", v, 0, v, s);
        def("clamp_min", v, 0, v, s);
        def("round", v, 1, v, s);
        def("scalar", s, 0, v);
        def("vector", v, 0, s);
        def("histogram_fraction", v, 0, s, s, v);
        def("histogram_quantile", v, 0, s, v);
        def("histogram_quantiles", v, 9, v, str, s, s);
        def("double_exponential_smoothing", v, 0, m, s, s);
        def("holt_winters", v, 0, m, s, s);
        def("predict_linear", v, 0, m, s);
        def("quantile_over_time", v, 0, s, m);
        def("label_replace", v, 0, v, str, str, str, str);
        def("label_join", v, -1, v, str, str, str);
        def("sort_by_label", v, -1, v, str);
        def("sort_by_label_desc", v, -1, v, str);
        def("info", v, 1, v, v);
    }

    /** The function of that name, or null. */
    public static FunctionSignature lookup(String name) {
        return ALL.get(name);
    }

    public static java.util.Set<String> names() {
        return ALL.keySet();
    }
}
