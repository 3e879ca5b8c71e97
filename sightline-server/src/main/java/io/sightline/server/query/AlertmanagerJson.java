package io.sightline.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** What Alertmanager's v2 API endpoints share: JSON bodies (errors are JSON strings), RFC 3339 times. */
final class AlertmanagerJson {
    private AlertmanagerJson() {}

    static final ObjectMapper JSON = new ObjectMapper();
    static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    static HttpResponse json(HttpStatus status, Object body) {
        try {
            return HttpResponse.of(status, MediaType.JSON_UTF_8, JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A request body that is not JSON: the 400 to answer. */
    static final class BadBody extends Exception {
        private static final long serialVersionUID = 1L;

        BadBody(String message) {
            super(message, null, false, false);
        }

        HttpResponse response() {
            return json(HttpStatus.BAD_REQUEST, getMessage());
        }
    }

    /** A POST endpoint: the body read and parsed as JSON (400 if it is not), then handed to {@code handle}. */
    static com.linecorp.armeria.server.HttpService post(java.util.function.Function<JsonNode, HttpResponse> handle) {
        return (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(agg -> {
            try {
                return handle.apply(parse(agg.contentUtf8()));
            } catch (BadBody e) {
                return e.response();
            }
        }));
    }

    static JsonNode parse(String body) throws BadBody {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null) {
                throw new BadBody("body is empty");
            }
            return n;
        } catch (IOException e) {
            throw new BadBody("body is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /**
     * An RFC 3339 time in ms. Absent, empty or Go's zero time gives {@code dflt}, or is an error when
     * {@code dflt} is null (the field is required).
     */
    static long time(JsonNode n, String field, Long dflt) {
        if (n.isMissingNode() || n.isNull() || n.asText().isEmpty() || n.asText().startsWith("0001-01-01T00:00:00")) {
            if (dflt == null) {
                throw new IllegalArgumentException(field + " is required");
            }
            return dflt;
        }
        try {
            return OffsetDateTime.parse(n.asText()).toInstant().toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) { // the latter: beyond the milliseconds of a long
            throw new IllegalArgumentException(field + " \"" + n.asText() + "\" is not an RFC 3339 time");
        }
    }
}
