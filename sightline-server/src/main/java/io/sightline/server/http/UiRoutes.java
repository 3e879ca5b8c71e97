package io.sightline.server.http;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.file.FileService;
import com.linecorp.armeria.server.file.HttpFile;
import com.linecorp.armeria.common.ServerCacheControl;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The web UI (module {@code sightline-ui}), served from the classpath: hashed assets under
 * {@code /assets/} (cached for good, sent gzipped when the client accepts it), and the page itself at
 * each path the UI routes in the browser. Open without a token even when auth is on: the page holds
 * no data, and every API call it makes carries the user's token.
 */
public final class UiRoutes {
    /** Where the Vite build puts the files inside the UI jar. */
    static final String ROOT = "io/sightline/ui/static";

    /** The UI's own paths, answered with its page (the browser then routes). */
    static final List<String> PAGES = List.of("/", "/explore", "/dashboards", "prefix:/d/", "/alerts", "/targets", "/status");

    /** The page for one panel alone, which other sites may frame. */
    static final String EMBED = "prefix:/embed/";

    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'";

    private UiRoutes() {}

    public static List<Endpoint> endpoints() {
        ClassLoader loader = UiRoutes.class.getClassLoader();
        Set<HttpMethod> get = Set.of(HttpMethod.GET, HttpMethod.HEAD);
        List<Endpoint> out = new ArrayList<>();
        if (loader.getResource(ROOT + "/index.html") == null) {
            // A build without the UI module (an IDE run of the server alone, say): say so instead of a bare 404.
            HttpService missing = (ctx, req) -> ApiErrors.response(HttpStatus.NOT_FOUND, "not_found",
                    "the web UI is not in this build: build the sightline-ui module (needs Node.js 20.19+ and npm)");
            for (String p : PAGES) {
                out.add(new Endpoint(p, get, null, "/ui", missing));
            }
            return out;
        }
        HttpService page = page(loader, "frame-ancestors 'self'");
        for (String p : PAGES) {
            out.add(new Endpoint(p, get, null, "/ui", page));
        }
        out.add(new Endpoint(EMBED, get, null, "/ui/embed", page(loader, "frame-ancestors *")));
        HttpService assets = FileService.builder(loader, ROOT + "/assets")
                .serveCompressedFiles(true)
                .autoIndex(false)
                .cacheControl(ServerCacheControl.IMMUTABLE)
                .build()
                .decorate((delegate, ctx, req) -> {
                    ctx.mutateAdditionalResponseHeaders(h -> h.set(HttpHeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff"));
                    return delegate.serve(ctx, req);
                });
        out.add(new Endpoint("prefix:/assets/", get, null, "/ui/assets", assets));
        return out;
    }

    private static HttpService page(ClassLoader loader, String frameAncestors) {
        HttpService file = HttpFile.builder(loader, ROOT + "/index.html")
                .contentType(MediaType.HTML_UTF_8)
                .cacheControl(ServerCacheControl.REVALIDATED)
                .addHeader(HttpHeaderNames.CONTENT_SECURITY_POLICY, CSP + "; " + frameAncestors)
                .addHeader(HttpHeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff")
                .addHeader("Referrer-Policy", "same-origin")
                .build()
                .asService();
        return file;
    }
}
