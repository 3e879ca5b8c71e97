package io.sightline.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.server.RequestTimeoutException;
import com.linecorp.armeria.server.ServiceRequestContext;
import org.junit.jupiter.api.Test;

class JsonErrorHandlerTest {

    private static AggregatedHttpResponse handle(Throwable cause) {
        ServiceRequestContext ctx = ServiceRequestContext.builder(HttpRequest.of(HttpMethod.GET, "/api/v1/query")).build();
        ctx.setRequestTimeoutMillis(com.linecorp.armeria.common.util.TimeoutMode.SET_FROM_START, 150_000);
        return new JsonErrorHandler().onServiceException(ctx, cause).aggregate().join();
    }

    @Test
    void requestTimeout_isA503TimeoutInPrometheusShape_notAnInternalError() {
        AggregatedHttpResponse r = handle(RequestTimeoutException.get());
        assertThat(r.status().code()).isEqualTo(503);
        assertThat(r.contentUtf8()).isEqualTo(
                "{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"request timed out after 2m30s; retry later or ask for less\"}");
    }

    @Test
    void aClosedConnection_isNoInternalError() {
        AggregatedHttpResponse r = handle(com.linecorp.armeria.common.ClosedSessionException.get());
        assertThat(r.status().code()).isEqualTo(503);
        assertThat(r.contentUtf8()).contains("\"errorType\":\"unavailable\"");
        AggregatedHttpResponse s = handle(com.linecorp.armeria.common.ShuttingDownException.get());
        assertThat(s.status().code()).isEqualTo(503);
        assertThat(s.contentUtf8()).contains("the server is shutting down");
    }

    @Test
    void anUnexpectedException_isA500NamingTheRequestId_withoutItsMessage() {
        AggregatedHttpResponse r = handle(new IllegalStateException("secret internals"));
        assertThat(r.status().code()).isEqualTo(500);
        assertThat(r.contentUtf8()).contains("\"errorType\":\"internal\"").contains("request_id=")
                .doesNotContain("secret internals");
    }
}
