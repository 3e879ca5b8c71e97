package io.sightline.server.http;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every error Armeria produces itself (no route, wrong method, body too large, a service that
 * threw) into a JSON error body. Exceptions that reach here unhandled are bugs: they are logged with
 * their stack and the request id, and the client gets a 500 that names the request id and nothing of
 * the internals.
 */
final class JsonErrorHandler implements ServerErrorHandler {
    private static final Logger log = LoggerFactory.getLogger(JsonErrorHandler.class);

    @Override
    public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
        if (cause instanceof HttpStatusException e) {
            HttpStatus status = e.httpStatus();
            return ApiErrors.response(status, ApiErrors.typeFor(status),
                    status.code() == 413 ? tooLarge(ctx) : describe(status, ctx));
        }
        if (cause instanceof com.linecorp.armeria.common.ContentTooLargeException) {
            return ApiErrors.response(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "too_large", tooLarge(ctx));
        }
        if (cause instanceof com.linecorp.armeria.common.ShuttingDownException) {
            // A request cut off by a shutdown past its timeout: expected, the access log has it.
            return ApiErrors.response(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "the server is shutting down");
        }
        if (cause instanceof com.linecorp.armeria.common.ClosedSessionException
                || cause instanceof com.linecorp.armeria.common.stream.ClosedStreamException
                || cause instanceof com.linecorp.armeria.common.stream.AbortedStreamException) {
            // The connection went away (the client, or a shutdown past its timeout): no one to answer,
            // nothing broken; the access log has the request.
            return ApiErrors.response(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "the connection was closed");
        }
        if (cause instanceof com.linecorp.armeria.server.RequestTimeoutException) {
            // Not a bug: a body that arrives too slowly, or work past its own deadline. Prometheus's
            // answer to a timeout (503, errorType timeout); the access log has it at info.
            String after = io.sightline.common.PromDuration.format(
                    java.time.Duration.ofMillis(ctx.requestTimeoutMillis()));
            return ApiErrors.response(HttpStatus.SERVICE_UNAVAILABLE, "timeout",
                    "request timed out after " + after + "; retry later or ask for less");
        }
        log.atError().addKeyValue("request_id", ctx.id().shortText()).addKeyValue("path", ctx.path())
                .setCause(cause).log("unexpected error while serving a request");
        return ApiErrors.response(HttpStatus.INTERNAL_SERVER_ERROR, "internal",
                "internal error; see the server log for request_id=" + ctx.id().shortText());
    }

    @Override
    public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config, RequestHeaders headers,
            HttpStatus status, String description, Throwable cause) {
        String message = status.code() == 413 ? tooLarge(ctx) : describe(status, ctx);
        return ApiErrors.aggregated(ResponseHeaders.of(status), ApiErrors.typeFor(status), message);
    }

    private static String describe(HttpStatus status, ServiceRequestContext ctx) {
        String path = ctx == null ? "" : " " + ctx.method() + " " + ctx.path();
        return switch (status.code()) {
            case 404 -> "no such endpoint:" + path;
            case 405 -> "method not allowed:" + path;
            default -> status.reasonPhrase() + path;
        };
    }

    private static String tooLarge(ServiceRequestContext ctx) {
        return BodyLimits.tooLarge(ctx);
    }
}
