package io.sightline.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;

/**
 * Error bodies in the Prometheus API's shape, {@code {"status":"error","errorType":"...","error":"..."}},
 * for every endpoint, so that clients parse one format whatever went wrong.
 */
public final class ApiErrors {
    static final ObjectMapper JSON = new ObjectMapper();

    private ApiErrors() {}

    public static HttpResponse response(HttpStatus status, String errorType, String message) {
        return aggregated(status, errorType, message).toHttpResponse();
    }

    public static AggregatedHttpResponse aggregated(HttpStatus status, String errorType, String message) {
        return aggregated(ResponseHeaders.of(status), errorType, message);
    }

    /** An error with one extra response header, e.g. {@code Retry-After}. */
    public static AggregatedHttpResponse aggregatedWithHeader(HttpStatus status, String errorType, String message,
            CharSequence header, String value) {
        return aggregated(ResponseHeaders.builder(status).add(header, value).build(), errorType, message);
    }

    static AggregatedHttpResponse aggregated(ResponseHeaders headers, String errorType, String message) {
        return AggregatedHttpResponse.of(headers.toBuilder().contentType(MediaType.JSON_UTF_8).build(),
                com.linecorp.armeria.common.HttpData.ofUtf8(body(errorType, message)));
    }

    static String body(String errorType, String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("status", "error");
        node.put("errorType", errorType);
        node.put("error", message);
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("BUG: cannot serialise an error body", e);
        }
    }

    /** Prometheus's errorType for a status: bad_data for 400, not_found, timeout for 503... */
    static String typeFor(HttpStatus status) {
        return switch (status.code()) {
            case 400 -> "bad_data";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 408 -> "timeout";
            case 413 -> "too_large";
            case 415 -> "unsupported_media_type";
            case 422 -> "execution";
            case 429 -> "too_many_requests";
            case 503 -> "unavailable";
            default -> status.code() >= 500 ? "internal" : "bad_data";
        };
    }
}
