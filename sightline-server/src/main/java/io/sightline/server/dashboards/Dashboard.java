package io.sightline.server.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A dashboard document that passed {@link DashboardValidator}: the JSON the UI stores, unknown fields
 * included, top-level fields in a fixed order ({@link #FIELD_ORDER}, then unknown ones as given, then
 * {@code shareToken}). Immutable: the JSON is copied on the way in and out, so instances are safe to
 * share between threads. The server-managed fields ({@code version}, {@code updated},
 * {@code shareToken}) are set only through {@link DashboardStore}.
 */
public final class Dashboard {
    static final String ID = "id";
    static final String TITLE = "title";
    static final String VERSION = "version";
    static final String UPDATED = "updated";
    static final String SHARE_TOKEN = "shareToken";
    static final List<String> FIELD_ORDER = List.of(ID, TITLE, "description", "tags", VERSION, UPDATED, "time",
            "refresh", "variables", "panels");

    private final ObjectNode json;

    /** Takes ownership of {@code json}, which the caller must not keep. */
    Dashboard(ObjectNode json) {
        this.json = canonical(json);
    }

    private static ObjectNode canonical(ObjectNode in) {
        ObjectNode out = in.objectNode();
        for (String f : FIELD_ORDER) {
            if (in.has(f)) {
                out.set(f, in.get(f));
            }
        }
        for (Map.Entry<String, JsonNode> e : in.properties()) {
            if (!out.has(e.getKey()) && !e.getKey().equals(SHARE_TOKEN)) {
                out.set(e.getKey(), e.getValue());
            }
        }
        if (in.has(SHARE_TOKEN)) {
            out.set(SHARE_TOKEN, in.get(SHARE_TOKEN));
        }
        return out;
    }

    /** The id, or null for a new dashboard whose id the store generates. */
    public String id() {
        return text(ID);
    }

    public String title() {
        return text(TITLE);
    }

    /** Whether the document carries a version (a body read for an update; every stored dashboard). */
    public boolean hasVersion() {
        return json.path(VERSION).isIntegralNumber();
    }

    /** The version, or 0 when absent. */
    public long version() {
        return json.path(VERSION).asLong(0);
    }

    /** When the server last wrote it, RFC 3339 in UTC; null before it is stored. */
    public String updated() {
        return text(UPDATED);
    }

    /** The share token that opens its panels' embed endpoint, or null when not shared. */
    public String shareToken() {
        return text(SHARE_TOKEN);
    }

    public List<String> tags() {
        List<String> out = new ArrayList<>();
        for (JsonNode t : json.path("tags")) {
            out.add(t.asText());
        }
        return out;
    }

    public int panelCount() {
        return json.path("panels").size();
    }

    /** A copy of the panel with this id, or null. */
    public ObjectNode panel(String panelId) {
        for (JsonNode p : json.path("panels")) {
            if (p.path("id").asText().equals(panelId)) {
                return ((ObjectNode) p).deepCopy();
            }
        }
        return null;
    }

    /** The variables with their saved selections, as substitution takes them. */
    public List<VariableSubstitution.Variable> variables() {
        List<VariableSubstitution.Variable> out = new ArrayList<>();
        for (JsonNode v : json.path("variables")) {
            List<String> current = new ArrayList<>();
            for (JsonNode c : v.path("current")) {
                current.add(c.asText());
            }
            out.add(new VariableSubstitution.Variable(v.path("name").asText(), v.path("includeAll").asBoolean(false),
                    current));
        }
        return out;
    }

    /** A copy of the document, as the API returns it and the file holds it. */
    public ObjectNode toJson() {
        return json.deepCopy();
    }

    /** A copy of the document with {@code field} set, or removed when {@code value} is null. */
    Dashboard with(String field, JsonNode value) {
        ObjectNode copy = json.deepCopy();
        if (value == null) {
            copy.remove(field);
        } else {
            copy.set(field, value);
        }
        return new Dashboard(copy);
    }

    Dashboard with(String field, String value) {
        return with(field, value == null ? null : json.textNode(value));
    }

    private String text(String field) {
        JsonNode n = json.get(field);
        return n == null || !n.isTextual() ? null : n.asText();
    }

    @Override
    public String toString() {
        return "Dashboard[" + id() + " v" + version() + "]";
    }
}
