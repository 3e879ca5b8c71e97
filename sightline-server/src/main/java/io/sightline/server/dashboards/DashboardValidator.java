package io.sightline.server.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules of the dashboard model (docs/ui.md), checked field by field; the first broken rule is
 * reported with the field's path, e.g. {@code panels[2].gridPos.w: must be an integer between 1 and 24}.
 * Unknown fields, at any level, are kept as they are so that a newer UI can store what this server does
 * not know yet; optional fields may be {@code null}, which means absent. Lengths count Unicode code
 * points. Expressions are not parsed: they may hold dashboard variables.
 */
public final class DashboardValidator {
    /** The largest document, serialized; unknown fields count. */
    public static final int MAX_BYTES = 1 << 20;
    public static final int MAX_OPTIONS_BYTES = 32 * 1024;
    public static final int MAX_PANELS = 100;
    public static final int MAX_VARIABLES = 20;
    public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    static final Pattern PANEL_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    public static final List<String> PANEL_TYPES = List.of("timeseries", "stat", "toplist", "heatmap", "table", "change");
    public static final int MAX_TITLE = 200;

    private DashboardValidator() {}

    /**
     * A document from a client (create, replace, import). {@code updated} and {@code shareToken} are the
     * server's and dropped; {@code version} is kept when it is an integer, for the caller to compare.
     */
    public static Dashboard fromBody(JsonNode body) throws DashboardException.Invalid {
        ObjectNode out = content(body);
        JsonNode v = body.get(Dashboard.VERSION);
        if (v != null && !v.isNull()) {
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw invalid(Dashboard.VERSION, "must be an integer");
            }
            out.put(Dashboard.VERSION, v.asLong());
        }
        return new Dashboard(out);
    }

    /** A file of the store, which must also carry the server-managed fields and the id its name says. */
    static Dashboard fromFile(JsonNode doc, String fileId) throws DashboardException.Invalid {
        ObjectNode out = content(doc);
        if (!fileId.equals(out.path(Dashboard.ID).asText(null))) {
            throw invalid(Dashboard.ID, "must be \"" + fileId + "\", the name of the file");
        }
        JsonNode v = doc.path(Dashboard.VERSION);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1) {
            throw invalid(Dashboard.VERSION, "must be an integer of at least 1");
        }
        JsonNode updated = doc.path(Dashboard.UPDATED);
        if (!updated.isTextual()) {
            throw invalid(Dashboard.UPDATED, "must be an RFC 3339 time");
        }
        JsonNode token = doc.path(Dashboard.SHARE_TOKEN);
        if (!token.isMissingNode() && !token.isNull() && (!token.isTextual() || token.asText().length() < 22)) {
            throw invalid(Dashboard.SHARE_TOKEN, "must be a string of at least 22 characters");
        }
        out.put(Dashboard.VERSION, v.asLong());
        out.set(Dashboard.UPDATED, updated);
        if (token.isTextual()) {
            out.set(Dashboard.SHARE_TOKEN, token);
        }
        return new Dashboard(out);
    }

    /**
     * A dashboard title on its own (a duplicate's new title).
     *
     * @param path the field's name for the message
     */
    public static String title(JsonNode n, String path) throws DashboardException.Invalid {
        if (n == null || n.isMissingNode()) {
            throw invalid(path, "required");
        }
        return string(n, path, MAX_TITLE, true);
    }

    /** The document's content checked, copied without the server-managed fields. */
    private static ObjectNode content(JsonNode body) throws DashboardException.Invalid {
        if (!body.isObject()) {
            throw invalid("dashboard", "must be a JSON object, got " + kind(body));
        }
        ObjectNode out = ((ObjectNode) body).deepCopy();
        out.remove(List.of(Dashboard.VERSION, Dashboard.UPDATED, Dashboard.SHARE_TOKEN));
        dropNulls(out, "id", "description", "tags", "time", "refresh", "variables", "panels");

        JsonNode id = out.get(Dashboard.ID);
        if (id != null && (!id.isTextual() || !ID.matcher(id.asText()).matches())) {
            throw invalid(Dashboard.ID, "must be a string matching " + ID.pattern());
        }
        title(out.get(Dashboard.TITLE), Dashboard.TITLE);
        optionalString(out.get("description"), "description", 2000);
        JsonNode tags = out.get("tags");
        if (tags != null) {
            if (!tags.isArray() || tags.size() > 20) {
                throw invalid("tags", "must be an array of at most 20 strings");
            }
            for (int i = 0; i < tags.size(); i++) {
                string(tags.get(i), "tags[" + i + "]", 50, true);
            }
        }
        JsonNode time = out.get("time");
        if (time != null) {
            if (!time.isObject()) {
                throw invalid("time", "must be an object {\"from\": ..., \"to\": ...}");
            }
            requiredString(time.get("from"), "time.from", 40, false);
            requiredString(time.get("to"), "time.to", 40, false);
        }
        optionalString(out.get("refresh"), "refresh", 10);
        variables(out.get("variables"));
        panels(out.get("panels"));
        int size = DashboardJson.bytes(out).length;
        if (size > MAX_BYTES) {
            throw invalid("dashboard", "must be at most " + MAX_BYTES + " bytes serialized, got " + size);
        }
        return out;
    }

    private static void variables(JsonNode vars) throws DashboardException.Invalid {
        if (vars == null) {
            return;
        }
        if (!vars.isArray() || vars.size() > MAX_VARIABLES) {
            throw invalid("variables", "must be an array of at most " + MAX_VARIABLES + " variables");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < vars.size(); i++) {
            String path = "variables[" + i + "]";
            JsonNode v = object(vars.get(i), path);
            String name = requiredString(v.get("name"), path + ".name", Integer.MAX_VALUE, true);
            if (!VARIABLE_NAME.matcher(name).matches()) {
                throw invalid(path + ".name", "must be an identifier matching " + VARIABLE_NAME.pattern());
            }
            if (name.startsWith("__")) {
                throw invalid(path + ".name", "names starting with __ are reserved for built-in variables");
            }
            Integer before = seen.putIfAbsent(name, i);
            if (before != null) {
                throw invalid(path + ".name", "duplicate variable name \"" + name + "\" (also variables[" + before + "])");
            }
            JsonNode label = v.get("label");
            if (label == null || label.isNull()) {
                throw invalid(path + ".label", "required");
            }
            if (!label.isTextual() || !LABEL_NAME.matcher(label.asText()).matches()) {
                throw invalid(path + ".label", "must be a label name matching " + LABEL_NAME.pattern());
            }
            optionalString(v.get("match"), path + ".match", 1000);
            optionalBoolean(v.get("multi"), path + ".multi");
            optionalBoolean(v.get("includeAll"), path + ".includeAll");
            JsonNode current = v.get("current");
            if (current != null && !current.isNull()) {
                if (!current.isArray()) {
                    throw invalid(path + ".current", "must be an array of strings");
                }
                for (int j = 0; j < current.size(); j++) {
                    if (!current.get(j).isTextual()) {
                        throw invalid(path + ".current[" + j + "]", "must be a string");
                    }
                }
            }
        }
    }

    private static void panels(JsonNode panels) throws DashboardException.Invalid {
        if (panels == null) {
            return;
        }
        if (!panels.isArray() || panels.size() > MAX_PANELS) {
            throw invalid("panels", "must be an array of at most " + MAX_PANELS + " panels");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < panels.size(); i++) {
            String path = "panels[" + i + "]";
            JsonNode p = object(panels.get(i), path);
            JsonNode id = p.get("id");
            if (id == null || id.isNull()) {
                throw invalid(path + ".id", "required");
            }
            if (!id.isTextual() || !PANEL_ID.matcher(id.asText()).matches()) {
                throw invalid(path + ".id", "must be a string matching " + PANEL_ID.pattern());
            }
            Integer before = seen.putIfAbsent(id.asText(), i);
            if (before != null) {
                throw invalid(path + ".id", "duplicate panel id \"" + id.asText() + "\" (also panels[" + before + "])");
            }
            requiredString(p.get("title"), path + ".title", MAX_TITLE, false);
            JsonNode type = p.get("type");
            if (type == null || type.isNull()) {
                throw invalid(path + ".type", "required");
            }
            if (!type.isTextual() || !PANEL_TYPES.contains(type.asText())) {
                throw invalid(path + ".type", "must be one of " + String.join(", ", PANEL_TYPES));
            }
            queries(p.get("queries"), path + ".queries");
            gridPos(p.get("gridPos"), path + ".gridPos");
            JsonNode options = p.get("options");
            if (options != null && !options.isNull()) {
                if (!options.isObject()) {
                    throw invalid(path + ".options", "must be an object");
                }
                int size = DashboardJson.bytes(options).length;
                if (size > MAX_OPTIONS_BYTES) {
                    throw invalid(path + ".options", "must be at most " + MAX_OPTIONS_BYTES + " bytes serialized, got "
                            + size);
                }
            }
        }
    }

    private static void queries(JsonNode queries, String path) throws DashboardException.Invalid {
        if (queries == null || queries.isNull()) {
            throw invalid(path, "required");
        }
        if (!queries.isArray() || queries.isEmpty() || queries.size() > 10) {
            throw invalid(path, "must be an array of 1 to 10 queries");
        }
        for (int i = 0; i < queries.size(); i++) {
            String qp = path + "[" + i + "]";
            JsonNode q = object(queries.get(i), qp);
            requiredString(q.get("expr"), qp + ".expr", 10_000, true);
            optionalString(q.get("legend"), qp + ".legend", 200);
            optionalString(q.get("refId"), qp + ".refId", 10);
        }
    }

    private static void gridPos(JsonNode g, String path) throws DashboardException.Invalid {
        if (g == null || g.isNull()) {
            throw invalid(path, "required");
        }
        if (!g.isObject()) {
            throw invalid(path, "must be an object {\"x\", \"y\", \"w\", \"h\"}");
        }
        int x = integer(g.get("x"), path + ".x", 0, 23);
        integer(g.get("y"), path + ".y", 0, 10_000);
        int w = integer(g.get("w"), path + ".w", 1, 24);
        integer(g.get("h"), path + ".h", 1, 100);
        if (x + w > 24) {
            throw invalid(path, "x + w must be at most 24, got " + (x + w));
        }
    }

    private static int integer(JsonNode n, String path, int min, int max) throws DashboardException.Invalid {
        if (n == null || n.isNull()) {
            throw invalid(path, "required");
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < min || n.asInt() > max) {
            throw invalid(path, "must be an integer between " + min + " and " + max);
        }
        return n.asInt();
    }

    private static JsonNode object(JsonNode n, String path) throws DashboardException.Invalid {
        if (n == null || !n.isObject()) {
            throw invalid(path, "must be an object, got " + kind(n));
        }
        return n;
    }

    private static String requiredString(JsonNode n, String path, int max, boolean nonEmpty)
            throws DashboardException.Invalid {
        if (n == null || n.isNull()) {
            throw invalid(path, "required");
        }
        return string(n, path, max, nonEmpty);
    }

    private static void optionalString(JsonNode n, String path, int max) throws DashboardException.Invalid {
        if (n != null && !n.isNull()) {
            string(n, path, max, false);
        }
    }

    private static String string(JsonNode n, String path, int max, boolean nonEmpty) throws DashboardException.Invalid {
        String s = n.isTextual() ? n.asText() : null;
        if (s == null || (nonEmpty && s.isEmpty()) || s.codePointCount(0, s.length()) > max) {
            String what = nonEmpty ? "a non-empty string" : "a string";
            throw invalid(path, max == Integer.MAX_VALUE ? "must be " + what
                    : "must be " + what + " of at most " + max + " characters");
        }
        return s;
    }

    private static void optionalBoolean(JsonNode n, String path) throws DashboardException.Invalid {
        if (n != null && !n.isNull() && !n.isBoolean()) {
            throw invalid(path, "must be a boolean");
        }
    }

    private static void dropNulls(ObjectNode o, String... fields) {
        for (String f : fields) {
            if (o.has(f) && o.get(f).isNull()) {
                o.remove(f);
            }
        }
    }

    static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static DashboardException.Invalid invalid(String path, String message) {
        return new DashboardException.Invalid(path + ": " + message);
    }
}
