package io.sightline.server.lifecycle;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.server.TestHttp;
import io.sightline.server.auth.TokenAuthenticator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadTest {
    @TempDir
    Path tmp;

    static String tokens(String... names) {
        StringBuilder sb = new StringBuilder("auth:\n  tokens:\n");
        for (String n : names) {
            sb.append("    - {name: ").append(n).append(", sha256: ").append(TokenAuthenticator.sha256Hex(n))
                    .append(", scopes: [admin]}\n");
        }
        return sb.toString();
    }

    @Test
    void reload_appliesNewTokens_andABadFileKeepsTheRunningConfig() throws Exception {
        Path config = Files.writeString(tmp.resolve("c.yml"), tokens("alpha"));
        try (SightlineServer s = TestServers.start(config, tmp.resolve("d"), List.of())) {
            assertThat(TestHttp.send("GET", url(s, "/-/ready"), "Bearer alpha", null).statusCode()).isEqualTo(200);

            Files.writeString(config, tokens("beta"));
            var ok = TestHttp.send("POST", url(s, "/-/reload"), "Bearer alpha", "");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("{\"status\":\"success\"}");
            assertThat(TestHttp.send("GET", url(s, "/-/ready"), "Bearer alpha", null).statusCode()).isEqualTo(401);
            assertThat(TestHttp.send("GET", url(s, "/-/ready"), "Bearer beta", null).statusCode()).isEqualTo(200);

            Files.writeString(config, tokens("beta") + "global:\n  scrape_interval: soon\n");
            var bad = TestHttp.send("POST", url(s, "/-/reload"), "Bearer beta", "");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("\"errorType\":\"bad_config\"")
                    .contains("keeping the running config")
                    .contains(config + ":5:20: global.scrape_interval: not a valid duration string");
            assertThat(TestHttp.send("GET", url(s, "/-/ready"), "Bearer beta", null).statusCode())
                    .as("old config still in force").isEqualTo(200);
            String metrics = TestHttp.send("GET", url(s, "/metrics"), "Bearer beta", null).body();
            assertThat(metrics).contains("sightline_config_last_reload_successful 0.0");
        }
    }

    @Test
    void reload_listenerOrStorageChange_keepsTheRunningValue() throws Exception {
        Path config = Files.writeString(tmp.resolve("c.yml"),
                "limits:\n  max_request_body_size: 1MiB\nstorage:\n  path: " + tmp.resolve("first") + "\n");
        try (SightlineServer s = TestServers.start(config, null, 0, List.of(), null)) {
            Path before = s.config().storage().path();
            Files.writeString(config, "limits:\n  max_request_body_size: 2MiB\nstorage:\n  path: " + tmp.resolve("other") + "\n");
            var r = s.reload();
            assertThat(r.ok()).isTrue();
            assertThat(r.message()).contains("storage.path");
            assertThat(s.config().storage().path()).isEqualTo(before);
            assertThat(s.config().limits().maxRequestBodyBytes()).isEqualTo(2L << 20);
        }
    }
}
