package io.sightline.server.dashboards;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * How dashboard documents are read and written, for the files and the API alike. Numbers are kept as
 * {@link java.math.BigDecimal} so that what the UI stored in free-form {@code options} comes back as it
 * was ({@code 1.50} stays {@code 1.50}, {@code 1e400} does not become an infinity that JSON cannot
 * carry); duplicate keys and trailing content are errors rather than silently dropped; nesting is
 * bounded at {@link #MAX_DEPTH}, far below what a recursive writer could choke on.
 */
public final class DashboardJson {
    /** The deepest nesting a document may have (the UI's panel options need a handful of levels). */
    public static final int MAX_DEPTH = 64;

    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private DashboardJson() {}

    /**
     * Parses a request body or file.
     *
     * @throws DashboardException.Invalid naming the parser's complaint and where it was (line, column)
     */
    public static JsonNode parse(byte[] json) throws DashboardException.Invalid {
        if (json.length == 0) {
            throw new DashboardException.Invalid("cannot parse the dashboard: the body is empty");
        }
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null || at.getLineNr() < 0 ? ""
                    : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new DashboardException.Invalid("cannot parse the dashboard as JSON: "
                    + firstLine(e.getOriginalMessage()) + where);
        } catch (IOException e) {
            throw new DashboardException.Invalid("cannot parse the dashboard as JSON: " + firstLine(e.getMessage()));
        } catch (NumberFormatException e) {
            // Jackson lets this through for numbers BigDecimal cannot hold, e.g. 1e-2147483649.
            throw new DashboardException.Invalid("cannot parse the dashboard as JSON: " + firstLine(e.getMessage()));
        }
        if (n == null || n.isMissingNode()) {
            throw new DashboardException.Invalid("cannot parse the dashboard: the body is empty");
        }
        return n;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** Compact JSON, for API responses. */
    public static byte[] bytes(JsonNode n) {
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("BUG: cannot serialise a JSON tree", e);
        }
    }

    /** Indented JSON, for the files (people read and diff exported dashboards). */
    static byte[] prettyBytes(JsonNode n) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("BUG: cannot serialise a JSON tree", e);
        }
    }
}
