package io.sightline.server.http;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.util.AttributeKey;
import io.sightline.server.auth.Scope;
import io.sightline.server.auth.TokenAuthenticator;

/** Refuses a request whose token does not grant the endpoint's scope: 401 or 403 with a JSON body. */
final class AuthDecorator implements DecoratingHttpServiceFunction {
    static final AttributeKey<String> TOKEN_NAME = AttributeKey.valueOf(AuthDecorator.class, "tokenName");

    private final TokenAuthenticator authenticator;
    private final Scope scope;

    AuthDecorator(TokenAuthenticator authenticator, Scope scope) {
        this.authenticator = authenticator;
        this.scope = scope;
    }

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        TokenAuthenticator.Decision d = authenticator.check(
                req.headers().get(HttpHeaderNames.AUTHORIZATION), scope, req.method() + " " + ctx.path());
        if (d.tokenName() != null) {
            ctx.setAttr(TOKEN_NAME, d.tokenName());
        }
        return switch (d.outcome()) {
            case ALLOWED -> delegate.serve(ctx, req);
            case UNAUTHENTICATED -> ApiErrors.aggregated(ResponseHeaders.builder(HttpStatus.UNAUTHORIZED)
                    .add(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"sightline\"").build(),
                    "unauthorized", d.message()).toHttpResponse();
            case FORBIDDEN -> ApiErrors.response(HttpStatus.FORBIDDEN, "forbidden", d.message());
        };
    }
}
