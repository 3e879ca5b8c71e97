package io.sightline.promql.engine;

import java.util.ArrayList;
import java.util.List;

/** A query result as text to compare: labels, times and value bits, a line per series, in label order. */
final class ResultText {

    private ResultText() {}

    /** Labels, times and value bits of a result, a line per series, in label order (stores list series in theirs). */
    static String render(QueryResult r) {
        List<String> lines = new ArrayList<>();
        if (r.value() instanceof QueryResult.Matrix m) {
            for (QueryResult.Series s : m.series()) {
                StringBuilder b = new StringBuilder().append(s.metric());
                for (int i = 0; i < s.timestamps().length; i++) {
                    b.append(' ').append(s.timestamps()[i]).append('=').append(Double.doubleToLongBits(s.values()[i]));
                }
                lines.add(b.toString());
            }
        } else if (r.value() instanceof QueryResult.Vector v) {
            for (QueryResult.Sample s : v.samples()) {
                lines.add(s.metric() + " " + s.t() + "=" + Double.doubleToLongBits(s.v()));
            }
        } else {
            lines.add(String.valueOf(r.value()));
        }
        lines.sort(null);
        return String.join("\n", lines);
    }
}
