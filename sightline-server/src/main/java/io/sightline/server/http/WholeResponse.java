package io.sightline.server.http;

import com.linecorp.armeria.common.ExchangeType;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.RoutingContext;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.SimpleDecoratingHttpService;

/**
 * Declares that an endpoint answers with a whole response, never a stream: every Sightline endpoint builds its
 * answer in memory before it returns it. Armeria then writes the status line, the headers and the body in one
 * write (for an answer finished on another thread, with {@link HttpServerFactory#consolidateFlushes}), where a
 * service of the default exchange type (streaming both ways) has its head written and flushed, and the body written
 * only once that first write completed: two system calls and two TCP segments for every response, and the client
 * waits for the second. The request side stays a stream, so that endpoints still
 * read and bound their bodies as they arrive.
 */
final class WholeResponse extends SimpleDecoratingHttpService {
    WholeResponse(HttpService delegate) {
        super(delegate);
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) throws Exception {
        return ((HttpService) unwrap()).serve(ctx, req);
    }

    @Override
    public ExchangeType exchangeType(RoutingContext routingContext) {
        return ExchangeType.REQUEST_STREAMING;
    }
}
