package io.sightline.promql.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Warnings and infos gathered while a query runs, as Prometheus returns them beside the result.
 * Each message ends with the position of the expression it concerns, {@code (line:col)}. One per
 * query; thread-safe, since a query's workers may raise them.
 */
public final class Annotations {

    private final String query;
    private final Map<String, Integer> warnings = new LinkedHashMap<>();
    private final Map<String, Integer> infos = new LinkedHashMap<>();

    Annotations(String query) {
        this.query = query;
    }

    synchronized void warn(String message, int position) {
        warnings.put("PromQL warning: " + message, position);
    }

    synchronized void info(String message, int position) {
        infos.put("PromQL info: " + message, position);
    }

    private String at(int position) {
        if (query == null || position < 0) {
            return "";
        }
        return " (" + io.sightline.promql.parser.ParseException.location(query, position) + ")";
    }

    /** Warnings with their positions; a message raised twice appears once, at its last position. */
    public synchronized List<String> warnings() {
        return render(warnings);
    }

    public synchronized List<String> infos() {
        return render(infos);
    }

    private List<String> render(Map<String, Integer> m) {
        List<String> out = new ArrayList<>(m.size());
        m.forEach((msg, pos) -> out.add(msg + at(pos)));
        return out;
    }
}
