package io.sightline.server.http;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.server.HttpService;
import io.sightline.server.auth.Scope;
import java.util.Set;

/**
 * One route of the HTTP server and the scope a token needs for it.
 *
 * @param path an Armeria path pattern ({@code /api/v1/query}, {@code prefix:/ui/})
 * @param methods the methods it answers; others get 405
 * @param scope the scope required when auth is on, or null for the few endpoints that are always open
 * @param handler a bounded name for metrics and logs (the path, without variables)
 */
public record Endpoint(String path, Set<HttpMethod> methods, Scope scope, String handler, HttpService service) {
    public static Endpoint open(String path, Set<HttpMethod> methods, HttpService service) {
        return new Endpoint(path, methods, null, path, service);
    }

    public static Endpoint of(String path, Set<HttpMethod> methods, Scope scope, HttpService service) {
        return new Endpoint(path, methods, scope, path, service);
    }
}
