package io.sightline.server.auth;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import io.sightline.server.TestHttp;
import io.sightline.server.http.Endpoint;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every endpoint against every kind of credential, over a real socket. */
class AuthScopesTest {
    static final String READ = "sl_read_token";
    static final String WRITE = "sl_write_token";
    static final String ADMIN = "sl_admin_token";

    @TempDir
    static Path tmp;
    static SightlineServer server;

    @BeforeAll
    static void start() throws Exception {
        Path config = Files.writeString(tmp.resolve("auth.yml"), """
                auth:
                  tokens:
                    - {name: reader, sha256: %s, scopes: [read]}
                    - {name: writer, sha256: %s, scopes: [write]}
                    - {name: root, sha256: %s, scopes: [admin]}
                """.formatted(TokenAuthenticator.sha256Hex(READ), TokenAuthenticator.sha256Hex(WRITE),
                TokenAuthenticator.sha256Hex(ADMIN)));
        Endpoint ingest = Endpoint.of("/test/write", Set.of(HttpMethod.POST), Scope.WRITE,
                (ctx, req) -> HttpResponse.of("written"));
        server = TestServers.start(config, tmp.resolve("data"), 0, List.of(ingest), null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    enum Cred {
        NONE(null), READER("Bearer " + READ), WRITER("Bearer " + WRITE), ADMIN_TOKEN("Bearer " + ADMIN),
        WRONG("Bearer sl_not_a_token"), BASIC_READER("Basic " + Base64.getEncoder().encodeToString(
                ("grafana:" + READ).getBytes(StandardCharsets.UTF_8))),
        GARBAGE("Token abc");

        final String header;

        Cred(String header) {
            this.header = header;
        }
    }

    record Case(String method, String path, Cred cred, int status) {
        @Override
        public String toString() {
            return method + " " + path + " as " + cred + " -> " + status;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("GET", "/-/healthy", Cred.NONE, 200),
                new Case("GET", "/-/healthy", Cred.WRONG, 200),
                new Case("GET", "/-/ready", Cred.NONE, 401),
                new Case("GET", "/-/ready", Cred.WRONG, 401),
                new Case("GET", "/-/ready", Cred.GARBAGE, 401),
                new Case("GET", "/-/ready", Cred.WRITER, 403),
                new Case("GET", "/-/ready", Cred.READER, 200),
                new Case("GET", "/-/ready", Cred.BASIC_READER, 200),
                new Case("GET", "/-/ready", Cred.ADMIN_TOKEN, 200),
                new Case("GET", "/metrics", Cred.NONE, 401),
                new Case("GET", "/metrics", Cred.WRITER, 403),
                new Case("GET", "/metrics", Cred.READER, 200),
                new Case("POST", "/test/write", Cred.NONE, 401),
                new Case("POST", "/test/write", Cred.READER, 403),
                new Case("POST", "/test/write", Cred.WRITER, 200),
                new Case("POST", "/test/write", Cred.ADMIN_TOKEN, 200),
                new Case("POST", "/api/v1/write", Cred.NONE, 401),
                new Case("POST", "/api/v1/write", Cred.READER, 403),
                new Case("POST", "/api/v1/import/prometheus", Cred.NONE, 401),
                new Case("POST", "/api/v1/import/prometheus", Cred.READER, 403),
                new Case("POST", "/write", Cred.READER, 403),
                new Case("POST", "/api/v2/write", Cred.NONE, 401),
                new Case("GET", "/ping", Cred.NONE, 401),
                new Case("GET", "/ping", Cred.WRITER, 204),
                new Case("POST", "/-/reload", Cred.NONE, 401),
                new Case("POST", "/-/reload", Cred.READER, 403),
                new Case("POST", "/-/reload", Cred.WRITER, 403),
                new Case("POST", "/-/reload", Cred.ADMIN_TOKEN, 200),
                new Case("GET", "/api/v1/dashboards", Cred.NONE, 401),
                new Case("GET", "/api/v1/dashboards", Cred.WRITER, 403),
                new Case("GET", "/api/v1/dashboards", Cred.READER, 200),
                new Case("GET", "/api/v1/dashboards/nope", Cred.READER, 404),
                new Case("POST", "/api/v1/dashboards", Cred.NONE, 401),
                new Case("POST", "/api/v1/dashboards", Cred.READER, 403),
                new Case("POST", "/api/v1/dashboards", Cred.WRITER, 403),
                new Case("POST", "/api/v1/dashboards", Cred.ADMIN_TOKEN, 400),
                new Case("PUT", "/api/v1/dashboards/x", Cred.READER, 403),
                new Case("DELETE", "/api/v1/dashboards/x", Cred.READER, 403),
                new Case("DELETE", "/api/v1/dashboards/x", Cred.ADMIN_TOKEN, 404),
                new Case("POST", "/api/v1/dashboards/x/duplicate", Cred.READER, 403),
                new Case("POST", "/api/v1/dashboards/x/share", Cred.NONE, 401),
                new Case("POST", "/api/v1/dashboards/x/share", Cred.READER, 403),
                new Case("DELETE", "/api/v1/dashboards/x/share", Cred.WRITER, 403));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void endpoint_enforcesItsScope(Case c) {
        var r = TestHttp.send(c.method(), url(server, c.path()), c.cred().header, c.method().equals("POST") ? "" : null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(c.status());
        if (c.status() == 401) {
            assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"sightline\"");
            assertThat(r.body()).startsWith("{\"status\":\"error\",\"errorType\":\"unauthorized\",\"error\":");
        }
        if (c.status() == 403) {
            assertThat(r.body()).contains("\"errorType\":\"forbidden\"").contains("lacks scope");
        }
    }

    @Test
    void forbidden_namesTokenScopeAndEndpoint() {
        var r = TestHttp.send("POST", url(server, "/-/reload"), Cred.READER.header, "");
        assertThat(r.body()).contains("token \\\"reader\\\" lacks scope admin, which POST /-/reload requires");
    }

    @Test
    void scope_adminGrantsAll_othersOnlyThemselves() {
        for (Scope required : Scope.values()) {
            assertThat(Scope.ADMIN.grants(required)).isTrue();
            assertThat(Scope.READ.grants(required)).isEqualTo(required == Scope.READ);
            assertThat(Scope.WRITE.grants(required)).isEqualTo(required == Scope.WRITE);
        }
    }
}
